package hypothesis

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Measured figures show at most four significant digits, whole numbers
// kept whole.
func TestFmtNum(t *testing.T) {
	t.Parallel()
	for f, want := range map[float64]string{
		89.39275963224169: "89.39",
		0:                 "0",
		3:                 "3",
		0.5:               "0.5",
		-2.71828:          "-2.718",
		1234.56:           "1235",
		9999.6:            "10000",
		12345.6:           "12346",
		0.000123456:       "0.0001235",
		0.0000123456:      "1.235e-05",
		2.5e17:            "2.5e+17",
		math.Inf(1):       "+Inf",
	} {
		assert.Equal(t, want, fmtNum(f), "%v", f)
	}
}

// A value that missed is shown rounded, unless rounding would make it look
// like it met the bound.
func TestMissedValuesRounded(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		tol  Tolerance
		v    any
		want string
	}{
		{InRange(0, 50), 89.39275963224169, "got 89.39"},
		{InRange(0, 50), float32(89.39276), "got 89.39"},
		{InRange(1, 3), 3.00001, "got 3.00001"},
		{InRange(1, 3), 0.99999999, "got 0.99999999"},
		{Equals(100), 100.000004, "got 100.000004"},
		{Equals(100), 123.456789, "got 123.5"},
		{OneOf(1, 2), 2.0000001, "got 2.0000001"},
		{InRange(0, 10), int64(123456789), "got 123456789"},
		{Satisfies("small", func(v any) bool { return false }), 0.123456789, "got 0.1235"},
		{JSONPath("$.p", InRange(0, 1)), `{"p": 1.23456789}`, "$.p got 1.235"},
	} {
		err := c.tol.(ValueTolerance).Miss(c.v)
		if assert.Error(t, err, "%s %v", c.tol, c.v) {
			assert.Equal(t, c.want, err.Error(), "%s", c.tol)
		}
	}
}

// Percentages of what was measured never show as the bound they are not;
// declared ones are shown exactly.
func TestPercents(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "97.92%", fmtPercent(47.0/48))
	assert.Equal(t, "99.99%", fmtPercent(99999.0/100000), "just under 100% is not 100%")
	assert.Equal(t, "0.01%", fmtPercent(1.0/100000), "just over 0% is not 0%")
	assert.Equal(t, "100%", fmtPercent(1))
	assert.Equal(t, "0%", fmtPercent(0))
	assert.Equal(t, "success rate >= 99.995%", SuccessRate(0.99995).String(), "a declared bound exactly")
	assert.Equal(t, "success rate >= 99%", SuccessRate(0.99).String())
	assert.Equal(t, "success rate >= baseline - 0.5%", SuccessRateRelative(Baseline, 0.005).String())
}

// Throughput is a measured figure too.
func TestThroughputRounded(t *testing.T) {
	t.Parallel()
	samples := evenly(0, 7, constLat(time.Millisecond), nil)
	r := Evaluate(one(MinThroughput(1)), samples, t0, t0.Add(3*time.Second))
	tr := tolerance(t, r.Checks[0], "throughput >= 1/s")
	assert.Equal(t, "2.333/s (7 successes in 3s)", tr.Observed)
	assert.InDelta(t, 7.0/3, tr.Measured, 1e-12, "the numeric field keeps the exact value")
}
