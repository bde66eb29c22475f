package hypothesis_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// Evaluate is pure: it judges samples, here made by hand, over a window.
func ExampleEvaluate() {
	h := hypothesis.New("checkout is healthy",
		hypothesis.Observe(hypothesis.HTTPGet("http://127.0.0.1:8080/checkout"), hypothesis.Every(10*time.Millisecond), hypothesis.Expect(hypothesis.SuccessRate(0.9), hypothesis.LatencyP(99, 300*time.Millisecond))))

	from := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var samples []hypothesis.Sample
	for i := range 10 {
		s := hypothesis.Sample{Seq: i, Intended: from.Add(time.Duration(i) * 10 * time.Millisecond), Latency: 20 * time.Millisecond}
		if i == 7 { // a stall: this sample waited half a second
			s.Latency, s.Err = 520*time.Millisecond, errors.New("context deadline exceeded")
		}
		samples = append(samples, s)
	}

	r := hypothesis.Evaluate(h, samples, from, from.Add(100*time.Millisecond))
	fmt.Println(r.Summary())
	for _, t := range r.Checks[0].Tolerances {
		fmt.Printf("%s: %s: expected %s, observed %s\n", t.Verdict, t.Text, t.Expected, t.Observed)
	}
	// Output:
	// violated: 10 samples, 1 error, p99 520ms (latency p99 <= 300ms, observed 520ms)
	// held: success rate >= 90%: expected >= 90%, observed 90% (9/10)
	// violated: latency p99 <= 300ms: expected <= 300ms, observed 520ms
}

// Value tolerances judge each sample; for an HTTPResponse, numbers compare
// the status code and JSONPath reads the body.
func ExampleJSONPath() {
	h := hypothesis.New("the health endpoint reports up",
		hypothesis.Observe(hypothesis.HTTPGet("http://127.0.0.1:8080/health"), hypothesis.Expect(hypothesis.Equals(200), hypothesis.JSONPath("$.status", hypothesis.Equals("up")))))
	from := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	samples := []hypothesis.Sample{
		{Seq: 0, Intended: from, Latency: time.Millisecond, Value: hypothesis.HTTPResponse{Status: 200, Body: []byte(`{"status":"up"}`)}},
		{Seq: 1, Intended: from.Add(100 * time.Millisecond), Latency: time.Millisecond, Value: hypothesis.HTTPResponse{Status: 200, Body: []byte(`{"status":"starting"}`)}},
	}
	r := hypothesis.Evaluate(h, samples, from, from.Add(time.Second))
	fmt.Println(r.Verdict)
	fmt.Println(r.Checks[0].FirstError)
	// Output:
	// violated
	// json path $.status equals "up": $.status got "starting"
}

// Bad input is rejected with a one-line error before anything is sampled.
func ExampleHypothesis_Validate() {
	h := hypothesis.New("p99 under 300ms",
		hypothesis.Observe(hypothesis.HTTPGet("http://127.0.0.1:8080/"), hypothesis.Expect(hypothesis.LatencyP(120, 300*time.Millisecond))))
	fmt.Println(h.Validate())
	// Output:
	// hypothesis "p99 under 300ms": check 1 (GET http://127.0.0.1:8080/): LatencyP percentile must be in [1,100] (a percentile such as 99 for p99, not a fraction such as 0.99), got 120
}

// Measure samples a real server over a window and judges it.
func ExampleMeasure() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()

	h := hypothesis.New("the server answers",
		hypothesis.Observe(hypothesis.HTTPGet(srv.URL), hypothesis.Every(10*time.Millisecond), hypothesis.Expect(hypothesis.SuccessRate(1), hypothesis.LatencyP(99, 5*time.Second))))
	r, err := hypothesis.Measure(context.Background(), h, 100*time.Millisecond)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Verdict, r.Checks[0].Samples, "samples")
	// Output:
	// held 10 samples
}

// A Sampler keeps sampling while a test injects faults, and judges any
// window: before, during and after the fault.
func ExampleSampler() {
	h := hypothesis.New("the queue is short",
		hypothesis.Observe(hypothesis.ProbeFunc("queue depth", func(ctx context.Context) (any, error) { return 3, nil }), hypothesis.Every(10*time.Millisecond), hypothesis.Expect(hypothesis.InRange(0, 10))))
	s, err := h.Start(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	before := s.Started()
	time.Sleep(50 * time.Millisecond) // the fault would be applied here
	after := time.Now()
	s.Stop()
	fmt.Println(s.Evaluate(before, after).Verdict)
	// Output:
	// held
}

// In a test, Assert reports a violated or inconclusive hypothesis with
// t.Errorf and goes on; Require stops the test.
func ExampleAssert() {
	test := func(t *testing.T) {
		h := hypothesis.New("checkout is healthy",
			hypothesis.Observe(hypothesis.HTTPGet("http://127.0.0.1:8080/checkout"), hypothesis.Every(20*time.Millisecond), hypothesis.Expect(hypothesis.SuccessRate(0.99), hypothesis.LatencyP(99, 300*time.Millisecond))))
		hypothesis.Require(t, h, 2*time.Second)
	}
	_ = test
}

// Bounds relative to a reference move with the machine: here the window
// may be three times as slow as the baseline measured before the fault,
// plus 50ms, and must succeed as often as the control group, less 2 points.
func ExampleEvaluateWith() {
	h := hypothesis.New("checkout is as fast as before, and as its twin",
		hypothesis.Observe(hypothesis.HTTPGet("http://127.0.0.1:8080/checkout"), hypothesis.Every(10*time.Millisecond), hypothesis.Expect(hypothesis.LatencyPRelative(99, hypothesis.Baseline, 3, 50*time.Millisecond),
			hypothesis.SuccessRateRelative(hypothesis.Control, 0.02))))
	from := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	window := func(latency time.Duration) []hypothesis.Sample {
		var ss []hypothesis.Sample
		for i := range 10 {
			ss = append(ss, hypothesis.Sample{Seq: i, Intended: from.Add(time.Duration(i) * 10 * time.Millisecond), Latency: latency})
		}
		return ss
	}
	to := from.Add(100 * time.Millisecond)
	twin := hypothesis.New("the twin", hypothesis.Observe(hypothesis.HTTPGet("http://127.0.0.1:8081/checkout"), hypothesis.Every(10*time.Millisecond)))
	baseline := hypothesis.Evaluate(h, window(40*time.Millisecond), from, to)
	control := hypothesis.Evaluate(twin, window(45*time.Millisecond), from, to)

	r := hypothesis.EvaluateWith(h, window(190*time.Millisecond), from, to, hypothesis.Refs{Baseline: &baseline, Control: &control})
	fmt.Println(r.Summary())
	for _, t := range r.Checks[0].Tolerances {
		fmt.Printf("%s: %s: expected %s, observed %s\n", t.Verdict, t.Text, t.Expected, t.Observed)
	}
	// Output:
	// violated: 10 samples, 0 errors, p99 190ms (latency p99 <= 3 × baseline p99 + 50ms, observed 190ms)
	// violated: latency p99 <= 3 × baseline p99 + 50ms: expected <= 3 × 40ms + 50ms = 170ms (baseline p99 40ms), observed 190ms
	// held: success rate >= control - 2%: expected >= 100% - 2% = 98% (control 10/10), observed 100% (10/10)
}
