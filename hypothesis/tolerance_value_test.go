package hypothesis

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValueTolerances(t *testing.T) {
	t.Parallel()
	resp := func(status int, body string) HTTPResponse { return HTTPResponse{Status: status, Body: []byte(body)} }
	even := func(v any) bool { f, ok := numeric(v); return ok && int(f)%2 == 0 }
	cases := []struct {
		tol  Tolerance
		v    any
		miss string // "" when v meets tol
	}{
		{Equals(200), resp(200, ""), ""},
		{Equals(200), resp(503, "down"), "got status 503"},
		{Equals(3), int64(3), ""},
		{Equals(3), 3.0, ""},
		{Equals(3), "3", ""},
		{Equals(3), json.Number("3"), ""},
		{Equals(3), "three", `got "three"`},
		{Equals(3), nil, "got nil"},
		{Equals("ok"), resp(200, "ok"), ""},
		{Equals("ok"), []byte("ok"), ""},
		{Equals("ok"), "no", `got "no"`},
		{Equals("ok"), resp(200, "no"), `got body "no"`},
		{Equals(true), true, ""},
		{Equals(true), false, "got false"},
		{Equals(nil), nil, ""},
		{InRange(1, 3), 1, ""},
		{InRange(1, 3), 3, ""},
		{InRange(1, 3), 3.0001, "got 3.0001"},
		{InRange(1, 3), uint8(0), "got 0"},
		{InRange(1, 3), "2", ""},
		{InRange(1, 3), []byte(" 2.5 "), ""},
		{InRange(200, 299), resp(204, ""), ""},
		{InRange(200, 299), resp(500, ""), "got status 500"},
		{InRange(1, 3), "abc", `got "abc", not a number`},
		{InRange(1, 3), nil, "got nil, not a number"},
		{OneOf(200, 204), resp(204, ""), ""},
		{OneOf(200, 204), resp(500, ""), "got status 500"},
		{OneOf("a", "b"), "b", ""},
		{OneOf("a", "b"), "c", `got "c"`},
		{Matches(`^ok`), "ok!", ""},
		{Matches(`^ok`), resp(200, "ok"), ""},
		{Matches(`^ok`), "nope", `got "nope"`},
		{Matches(`^4`), 42, ""},
		{Matches(`^ok`), nil, "got no text value"},
		{JSONPath("$.status", Equals("up")), resp(200, `{"status":"up"}`), ""},
		{JSONPath("$.status", Equals("up")), resp(200, `{"status":"down"}`), `$.status got "down"`},
		{JSONPath("$.status", Equals("up")), resp(200, `{}`), "$.status selects nothing"},
		{JSONPath("$.status", Equals("up")), resp(200, `<html>`), `got "<html>", not JSON`},
		{JSONPath("$.count", Equals(3)), `{"count":3}`, ""},
		{JSONPath("$.items[*].n", InRange(0, 10)), []byte(`{"items":[{"n":1},{"n":10}]}`), ""},
		{JSONPath("$.items[*].n", InRange(0, 10)), []byte(`{"items":[{"n":1},{"n":11}]}`), "$.items[*].n got 11"},
		{JSONPath("$.a", nil), map[string]any{"a": 1}, ""},
		{JSONPath("$.a", nil), map[string]any{"b": 1}, "$.a selects nothing"},
		{JSONPath("$.a", nil), nil, "got no value"},
		{Satisfies("even", even), 4, ""},
		{Satisfies("even", even), 5, "got 5"},
		{Satisfies("boom", func(any) bool { panic("kaput") }), 1, "predicate panicked: kaput"},
	}
	for _, c := range cases {
		t.Run(c.tol.String(), func(t *testing.T) {
			vt, ok := c.tol.(ValueTolerance)
			require.True(t, ok, "%s is a value tolerance", c.tol)
			require.NoError(t, validateTolerance(c.tol))
			err := vt.Miss(c.v)
			if c.miss == "" {
				assert.NoError(t, err, "value %#v", c.v)
				return
			}
			if assert.Error(t, err, "value %#v", c.v) {
				assert.Equal(t, c.miss, err.Error())
			}
		})
	}
}

func TestToleranceStrings(t *testing.T) {
	t.Parallel()
	cases := map[Tolerance]string{
		Equals(200):                          "equals 200",
		Equals("up"):                         `equals "up"`,
		InRange(0.5, 2):                      "in range [0.5, 2]",
		OneOf(200, "x"):                      `one of [200, "x"]`,
		Matches(`^ok$`):                      "matches /^ok$/",
		JSONPath("$.s", Equals("up")):        `json path $.s equals "up"`,
		JSONPath("$.s", nil):                 "json path $.s exists",
		SuccessRate(0.99):                    "success rate >= 99%",
		SuccessRate(0.995):                   "success rate >= 99.5%",
		LatencyP(99, 300*time.Millisecond):   "latency p99 <= 300ms",
		LatencyP(99.9, 300*time.Millisecond): "latency p99.9 <= 300ms",
		LatencyMax(time.Second):              "latency max <= 1s",
		MaxErrors(3):                         "errors <= 3",
		MinThroughput(12.5):                  "throughput >= 12.5/s",
		MinSamples(20):                       "samples >= 20",
		RecoversWithin(2 * time.Second):      "recovers within 2s",
	}
	for tol, want := range cases {
		assert.Equal(t, want, tol.String())
	}
	assert.Equal(t, "satisfies positive", Satisfies("positive", func(any) bool { return true }).String())
}

// A sample whose value misses a value tolerance is a failed sample: under a
// declared error budget it is judged with the other errors; under the
// default success rate its value tolerance decides on it, and the default
// judges the other errors.
func TestValueMissIsAFailedSample(t *testing.T) {
	t.Parallel()
	specs := make([]spec, 10)
	for i := range specs {
		specs[i] = spec{at: time.Duration(i) * 10 * time.Millisecond, latency: time.Millisecond, value: HTTPResponse{Status: 200}}
	}
	specs[3].value = HTTPResponse{Status: 500, Body: []byte("oops")}
	samples := samplesOf(0, specs...)

	eq200 := Equals(200)
	strict := New("strict", Observe(fakeProbe("api"), Expect(eq200)))
	r := Evaluate(strict, samples, t0, t0.Add(100*time.Millisecond))
	require.Len(t, r.Checks, 1)
	c := r.Checks[0]
	assert.Equal(t, Violated, r.Verdict, "a check with only value tolerances is violated by a miss")
	assert.True(t, r.Violated(eq200))
	assert.Equal(t, 1, c.Errors)
	assert.Equal(t, "equals 200: got status 500", c.FirstError)
	assert.InDelta(t, 0.9, c.SuccessRate, 1e-12, "a miss is a failed sample")
	vt := tolerance(t, c, "equals 200")
	assert.Equal(t, Violated, vt.Verdict)
	assert.Equal(t, "1 of 10 missed, first: got status 500", vt.Observed)
	def := tolerance(t, c, "success rate >= 100% (default)")
	assert.Equal(t, Held, def.Verdict, "the miss is judged by its own tolerance, not a second time by the default")
	assert.Equal(t, "100% (10/10, of which 1 value miss judged by its tolerance)", def.Observed)

	lenient := New("lenient", Observe(fakeProbe("api"), Expect(Equals(200), SuccessRate(0.9))))
	r = Evaluate(lenient, samples, t0, t0.Add(100*time.Millisecond))
	assert.Equal(t, Held, r.Verdict, "a miss within the success rate is tolerated:\n%s", r)
	assert.Equal(t, 1, r.Checks[0].Errors)

	// A sample whose probe failed has no value to judge: it is one error, not two.
	samples[5].Err = assert.AnError
	r = Evaluate(lenient, samples, t0, t0.Add(100*time.Millisecond))
	assert.Equal(t, 2, r.Checks[0].Errors)
	assert.Equal(t, "1 of 9 missed, first: got status 500", tolerance(t, r.Checks[0], "equals 200").Observed)
	assert.Equal(t, Violated, r.Verdict, "8/10 is under 90%%")

	// Under the default, the probe's own failure is the default's to judge.
	r = Evaluate(strict, samples, t0, t0.Add(100*time.Millisecond))
	assert.Equal(t, Violated, r.Verdict)
	def = tolerance(t, r.Checks[0], "success rate >= 100% (default)")
	assert.Equal(t, Violated, def.Verdict)
	assert.Equal(t, "90% (9/10, of which 1 value miss judged by its tolerance)", def.Observed)
}

// A failure message names a value tolerance's miss once: under its
// tolerance, not again as the default success rate, nor as the first error.
func TestValueMissReportedOnce(t *testing.T) {
	t.Parallel()
	h := New("stock is never negative", Observe(fakeProbe("stock"), Every(10*time.Millisecond), Expect(InRange(0, 1000))))
	specs := make([]spec, 10)
	for i := range specs {
		specs[i] = spec{at: time.Duration(i) * 10 * time.Millisecond, latency: time.Millisecond, value: 12.5}
	}
	specs[4].value = -3.0
	specs[6].value = -1.0
	r := Evaluate(h, samplesOf(0, specs...), t0, t0.Add(100*time.Millisecond))
	assert.Equal(t, Violated, r.Verdict)
	assert.Equal(t, "violated: 10 samples, 2 errors, p99 1ms (in range [0, 1000], observed 2 of 10 missed, first: got -3)", r.Summary())
	s := r.String()
	assert.Equal(t, 1, strings.Count(s, "got -3"), "the miss once:\n%s", s)
	assert.Contains(t, s, "violated: in range [0, 1000]: expected every sample, observed 2 of 10 missed, first: got -3")
	assert.Contains(t, s, "held: success rate >= 100% (default): expected >= 100%, observed 100% (10/10, of which 2 value misses judged by their tolerances)")
	assert.NotContains(t, s, "first error:")

	// Another error still shows as the first error, and violates the default.
	specs[8].err = "connection refused"
	r = Evaluate(h, samplesOf(0, specs...), t0, t0.Add(100*time.Millisecond))
	assert.Equal(t, "violated: 10 samples, 3 errors, p99 1ms (in range [0, 1000], observed 2 of 9 missed, first: got -3; success rate >= 100% (default), observed 90% (9/10, of which 2 value misses judged by their tolerances))", r.Summary())
	assert.Contains(t, r.String(), "first error: connection refused")
}

// Satisfies passes a V or a non-nil *V as a V; any other value is a miss
// saying what it was. With func(v any) bool every value passes as it is.
func TestSatisfiesTyped(t *testing.T) {
	t.Parallel()
	up := Satisfies("up", func(r HTTPResponse) bool { return r.Status == 200 })
	miss := func(tol Tolerance, v any) string {
		t.Helper()
		if err := tol.(ValueTolerance).Miss(v); err != nil {
			return err.Error()
		}
		return ""
	}
	assert.Equal(t, "", miss(up, HTTPResponse{Status: 200}))
	assert.Equal(t, "", miss(up, &HTTPResponse{Status: 200}), "a *V is passed as a V")
	assert.Equal(t, "got status 503", miss(up, HTTPResponse{Status: 503}))
	assert.Equal(t, "got nil *hypothesis.HTTPResponse, want hypothesis.HTTPResponse", miss(up, (*HTTPResponse)(nil)))
	assert.Equal(t, "got string, want hypothesis.HTTPResponse", miss(up, "ok"))
	assert.Equal(t, "got nil, want hypothesis.HTTPResponse", miss(up, nil))

	n := Satisfies("positive", func(n int64) bool { return n > 0 })
	assert.Equal(t, "", miss(n, int64(3)))
	assert.Equal(t, "got int, want int64", miss(n, 3), "no conversion between types")

	var seen []any
	anyTol := Satisfies("anything", func(v any) bool { seen = append(seen, v); return v != nil })
	assert.Equal(t, "", miss(anyTol, 1))
	assert.Equal(t, "got nil", miss(anyTol, nil), "with V = any, nil is passed too")
	p := &HTTPResponse{Status: 200}
	assert.Equal(t, "", miss(anyTol, p))
	assert.Equal(t, []any{1, nil, p}, seen, "values passed as they are, pointers not dereferenced")

	var errTol = Satisfies("not an error", func(err error) bool { return err == nil })
	assert.Equal(t, "", miss(errTol, nil), "a nil value is the zero V for an interface V")
}
