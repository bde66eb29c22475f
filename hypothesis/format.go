package hypothesis

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// How figures are shown to people. A measured figure is rounded to about
// four significant digits (fmtNum, fmtDur, fmtPercent); a figure someone
// declared (a bound, a field in a validation error) is shown exactly
// (fmtFloat, fmtBoundPercent). Numeric fields keep exact values.

// count is n with its noun, singular for one: "1 sample", "3 samples".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// all is "all 3 samples", or "its 1 sample" for one.
func all(n int, one, many string) string {
	if n == 1 {
		return "its 1 " + one
	}
	return fmt.Sprintf("all %d %s", n, many)
}

// sigDigits is how many significant digits a measured figure shows.
const sigDigits = 4

// fmtFloat shows a declared number exactly: 0.5, 12.5, 1e-09.
func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// fmtNum shows a measured number with at most four significant digits,
// whole numbers kept whole: 89.39275963224169 -> "89.39", 12345.6 -> "12346",
// 0.000123456 -> "0.0001235".
func fmtNum(f float64) string { return fmtNumPrec(f, sigDigits) }

func fmtNumPrec(f float64, prec int) string {
	a := math.Abs(f)
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return strconv.FormatFloat(f, 'g', -1, 64)
	case a >= 1e15 || (a != 0 && a < 1e-4):
		return strconv.FormatFloat(f, 'g', prec, 64)
	}
	s := strconv.FormatFloat(f, 'g', prec, 64)
	if strings.ContainsAny(s, "e") { // more integer digits than prec
		s = strconv.FormatFloat(f, 'f', 0, 64)
	}
	return s
}

// fmtMissed shows a measured number that missed a bound with as few digits
// as fmtNum, or more when rounding would make it meet the bound: 3.0001
// misses [1, 3] but "3" would not.
func fmtMissed(f float64, meets func(float64) bool) string {
	for prec := sigDigits; prec < 17; prec++ {
		s := fmtNumPrec(f, prec)
		if g, err := strconv.ParseFloat(s, 64); err == nil && !meets(g) {
			return s
		}
	}
	return fmtFloat(f)
}

// fmtPercent shows a measured ratio as a percentage with at most two
// decimals: 0.99 -> "99%", 47/48 -> "97.92%". A ratio just under 1 shows
// as "99.99%" and one just over 0 as "0.01%", never as the bound they are not.
func fmtPercent(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	switch {
	case s == "100" && f < 1:
		s = "99.99"
	case s == "0" && f > 0:
		s = "0.01"
	}
	return s + "%"
}

// fmtBoundPercent shows a declared ratio as a percentage, exactly: 0.99995
// -> "99.995%".
func fmtBoundPercent(f float64) string {
	return strconv.FormatFloat(f*100, 'g', 10, 64) + "%"
}

// fmtDur shows a duration with about four significant digits.
func fmtDur(d time.Duration) string {
	a := d
	if a < 0 {
		a = -a
	}
	switch {
	case a >= time.Second:
		return d.Round(time.Millisecond).String()
	case a >= 100*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case a >= 10*time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case a >= time.Millisecond:
		return d.Round(time.Microsecond).String()
	case a >= time.Microsecond:
		return d.Round(10 * time.Nanosecond).String()
	}
	return d.String()
}

func fmtTime(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z07:00") }
