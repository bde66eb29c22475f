package hypothesis_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// maxConsecutiveErrors is a window tolerance of one's own: at most n failed
// samples in a row. A user tolerance is a String and a Judge method; it may
// validate itself, and say that it judges errors (so the default "success
// rate >= 100%" does not apply).
type maxConsecutiveErrors struct{ n int }

func (t *maxConsecutiveErrors) String() string {
	return fmt.Sprintf("at most %d consecutive errors", t.n)
}
func (t *maxConsecutiveErrors) JudgesErrors() bool { return true }

func (t *maxConsecutiveErrors) Validate() error {
	if t.n < 0 {
		return fmt.Errorf("maxConsecutiveErrors n must be >= 0, got %d", t.n)
	}
	return nil
}

func (t *maxConsecutiveErrors) Judge(w hypothesis.Window) hypothesis.ToleranceResult {
	r := hypothesis.ToleranceResult{Expected: fmt.Sprintf("<= %d in a row", t.n), Bound: float64(t.n), Unit: hypothesis.UnitCount}
	if w.Finished() == 0 {
		r.Observed = "no finished sample" // Verdict stays Inconclusive
		return r
	}
	run, longest := 0, 0
	for _, s := range w.Samples() {
		if s.Err != nil {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	r.Measured, r.Observed = float64(longest), fmt.Sprintf("%d in a row", longest)
	r.Verdict = hypothesis.Held
	if longest > t.n {
		r.Verdict = hypothesis.Violated
	}
	return r
}

// A tolerance of your own is passed to Expect like the package's, and
// Result.Violated finds it.
func ExampleWindowTolerance() {
	flaps := &maxConsecutiveErrors{n: 3}
	h := hypothesis.New("the link flaps but never drops",
		hypothesis.Observe(hypothesis.TCPConnect("127.0.0.1:6379"), hypothesis.Every(10*time.Millisecond), hypothesis.Expect(flaps)))

	from := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var samples []hypothesis.Sample
	for i := range 20 {
		s := hypothesis.Sample{Seq: i, Intended: from.Add(time.Duration(i) * 10 * time.Millisecond), Latency: time.Millisecond}
		if i%7 == 0 || (i >= 9 && i <= 12) { // single flaps, then four in a row
			s.Err = errors.New("connection refused")
		}
		samples = append(samples, s)
	}
	r := hypothesis.Evaluate(h, samples, from, from.Add(200*time.Millisecond))
	fmt.Println(r.Summary())
	fmt.Println(r.Violated(flaps))
	// Output:
	// violated: 20 samples, 7 errors, p99 1ms (at most 3 consecutive errors, observed 4 in a row)
	// true
}

// Rate turns a counter into a rate per second; until a reading at least
// `over` old exists, a sample observes a NoValue, which value tolerances
// skip.
func ExampleRate() {
	served := 0.0
	counter := func(ctx context.Context) (float64, error) { served += 100; return served, nil }
	p := hypothesis.Rate("orders/s", counter, time.Second)
	check := hypothesis.Observe(p, hypothesis.Every(100*time.Millisecond), hypothesis.Expect(hypothesis.InRange(50, 500)))
	fmt.Println(check)
	v, err := p.Observe(context.Background())
	fmt.Println(v, err)
	// Output:
	// orders/s every 100ms: in range [50, 500]
	// no value: first reading of the counter; a rate needs one 1s old <nil>
}

// HTTPRequest builds a request for each sample: here each order carries an
// idempotency key of its own.
func ExampleHTTPRequest() {
	place := hypothesis.HTTPRequest("POST /orders", func(ctx context.Context, seq int) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:8080/orders", nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Idempotency-Key", fmt.Sprintf("probe-order-%d", seq))
		return req, nil
	}, hypothesis.AcceptStatus(201))
	h := hypothesis.New("orders are placed", hypothesis.Observe(place, hypothesis.Every(50*time.Millisecond), hypothesis.Expect(hypothesis.SuccessRate(0.99))))
	fmt.Println(h.Validate())
	// Output:
	// <nil>
}

// Satisfies takes a predicate over the type the probe observes.
func ExampleSatisfies() {
	quote := hypothesis.Satisfies("a quote", func(r hypothesis.HTTPResponse) bool { return r.Status == http.StatusOK })
	miss := quote.(hypothesis.ValueTolerance).Miss
	fmt.Println(miss(&hypothesis.HTTPResponse{Status: 200}))
	fmt.Println(miss("not a response"))
	// Output:
	// <nil>
	// got string, want hypothesis.HTTPResponse
}

// A check that only drives load is sampled and reported, never judged.
func ExampleLoadOnly() {
	h := hypothesis.New("reads stay fast under write load",
		hypothesis.Observe(hypothesis.HTTPGet("http://127.0.0.1:8080/items"), hypothesis.Expect(hypothesis.LatencyP(99, 50*time.Millisecond))),
		hypothesis.Observe(hypothesis.HTTP(http.MethodPost, "http://127.0.0.1:8080/items"), hypothesis.Every(5*time.Millisecond), hypothesis.LoadOnly()))
	for _, c := range h.Checks() {
		fmt.Println(c)
	}
	// Output:
	// GET http://127.0.0.1:8080/items every 100ms: latency p99 <= 50ms
	// POST http://127.0.0.1:8080/items every 5ms, drives load (not judged)
}

// A label says what a tolerance is for, shown with it wherever it is judged.
func ExampleLabel() {
	c := hypothesis.Observe(hypothesis.HTTPGet("http://127.0.0.1:8080/items/42"),
		hypothesis.Expect(hypothesis.SuccessRate(0.99), hypothesis.Label("no item page lost"), hypothesis.LatencyP(99, 300*time.Millisecond)))
	fmt.Println(c)
	// Output:
	// GET http://127.0.0.1:8080/items/42 every 100ms: no item page lost (success rate >= 99%), latency p99 <= 300ms
}
