package hypothesis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

// ErrorCount is how many failed samples of a check failed the same way.
type ErrorCount struct {
	// Kind names the failure without what varies from sample to sample:
	// "status 404", "connection refused", "probe timeout: no answer within
	// the check's Timeout 1s" (the probe gave up, the system did not say
	// anything), "missed: in range [0, 50]".
	Kind  string
	Count int
}

// String is "status 404 ×20".
func (e ErrorCount) String() string { return fmt.Sprintf("%s ×%d", e.Kind, e.Count) }

// ErrorCounts joins counts as "status 404 ×20, connection refused ×2".
func ErrorCounts(counts []ErrorCount) string {
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = c.String()
	}
	return strings.Join(parts, ", ")
}

// httpStatus matches the error of an HTTP probe's unaccepted status.
var httpStatus = regexp.MustCompile(`^status (\d{3}) not accepted`)

// errorKind names the kind of s's error, for a check whose probes time out
// after timeout. A deadline error is the probe's timeout only when the
// check's Timeout had passed: a system that answers at once that its own
// deadline passed ("gave up after 6 attempts: context deadline exceeded")
// said something, and is named by what it said.
func errorKind(s Sample, timeout time.Duration) string {
	var miss *missError
	err := s.Err
	msg := err.Error()
	deadline := errors.Is(err, context.DeadlineExceeded) || strings.HasSuffix(msg, context.DeadlineExceeded.Error())
	switch {
	case errors.As(err, &miss):
		return "missed: " + miss.tolerance
	case deadline && !s.End.Before(s.Intended.Add(timeout)):
		return fmt.Sprintf("probe timeout: no answer within the check's Timeout %v", timeout)
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(msg, "connection refused"):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET) || strings.Contains(msg, "connection reset by peer"):
		return "connection reset"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed early (EOF)"
	case strings.HasPrefix(msg, "abandoned: "):
		return "abandoned: the probe ignored its context"
	}
	if m := httpStatus.FindStringSubmatch(msg); m != nil {
		return "status " + m[1]
	}
	return firstLine(err)
}

// errorCounts counts the errors of samples by kind, most frequent first,
// then in the order they first occurred.
func errorCounts(samples []Sample, timeout time.Duration) []ErrorCount {
	var out []ErrorCount
	at := map[string]int{}
	for _, s := range samples {
		if s.InFlight || s.Err == nil {
			continue
		}
		k := errorKind(s, timeout)
		if i, ok := at[k]; ok {
			out[i].Count++
			continue
		}
		at[k] = len(out)
		out = append(out, ErrorCount{Kind: k, Count: 1})
	}
	slices.SortStableFunc(out, func(a, b ErrorCount) int { return cmp.Compare(b.Count, a.Count) })
	return out
}
