package hypothesis

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A server that stalls for 500ms in the middle of the window answers no
// request meanwhile. A client that waits for each answer before sending the
// next (closed loop) would send one request during the stall and see a
// single slow one: the stall all but disappears (coordinated omission). The
// open-loop sampler starts every tick on time, so every tick due during
// the stall waits for it and carries the time it waited, and the hypothesis
// is violated.
func TestCoordinatedOmissionAvoided(t *testing.T) {
	t.Parallel()
	synctest.Test(t, coordinatedOmissionAvoided)
}

// coordinatedOmissionAvoided runs on testing/synctest's fake clock: the
// server is in memory, handling one request at a time (a channel of one,
// which the fake clock sees blocking), so the schedule and the stall are
// exact.
func coordinatedOmissionAvoided(t *testing.T) {
	const stall = 500 * time.Millisecond
	var (
		one                    = make(chan struct{}, 1) // the server handles one request at a time
		served                 int
		stallFrom, stallTo     time.Time
		servedDuringStallStart int
	)
	server := ProbeFunc("GET /", func(ctx context.Context) (any, error) {
		one <- struct{}{}
		defer func() { <-one }()
		time.Sleep(time.Millisecond) // an answer takes a millisecond
		served++
		if served == 40 { // about 400ms into the window
			stallFrom = time.Now()
			time.Sleep(stall) // the fault under test: the server stalls
			stallTo = time.Now()
			servedDuringStallStart = served
		}
		return 204, nil
	})

	check := Observe(server, Every(10*time.Millisecond), Timeout(2*time.Second), Expect(SuccessRate(1), LatencyP(90, 150*time.Millisecond)))
	h := New("the service answers within 150ms at p90", check)
	s, err := h.Start(idle(t.Context()))
	require.NoError(t, err)
	from := s.Started()
	to := from.Add(1500 * time.Millisecond)
	timer := time.NewTimer(time.Until(to))
	<-timer.C
	samples := s.Stop()
	r := Evaluate(h, samples, from, to)

	one <- struct{}{}
	require.False(t, stallFrom.IsZero(), "the server never stalled")
	servedInStall := servedDuringStallStart - 40
	<-one

	// The server answered no other request during the stall, while the
	// schedule kept asking for one every 10ms.
	assert.Equal(t, 0, servedInStall)
	intendedInStall := 0
	for _, x := range samples {
		if !x.Intended.Before(stallFrom) && x.Intended.Before(stallTo) {
			intendedInStall++
		}
	}
	assert.GreaterOrEqual(t, intendedInStall, 25, "about 50 ticks fall in the 500ms stall")

	// Open-loop latency sees the stall.
	assert.Equal(t, Violated, r.Verdict, "%s", r)
	assert.Equal(t, Violated, tolerance(t, r.Checks[0], "latency p90 <= 150ms").Verdict)
	assert.GreaterOrEqual(t, r.Checks[0].P99, 300*time.Millisecond)

	// Every tick due during the stall was started (the derived in-flight
	// bound lets them all run) and waited for the stall to end.
	waited := 0
	for _, x := range samples {
		assert.False(t, x.NotStarted)
		if !x.Intended.Before(stallFrom) && x.Intended.Before(stallTo) && !x.End.Before(stallTo) {
			waited++
		}
	}
	assert.Equal(t, intendedInStall, waited, "every tick due in the stall answered only after it")

	// A closed-loop client judged by service time would have sent a single
	// request in the stall: keep only the samples that one client, waiting
	// for each answer, would have sent, and the p90 is within the bound.
	var closed []Sample
	var free time.Time
	for _, x := range samples {
		if x.Intended.Before(free) {
			continue
		}
		closed = append(closed, x)
		free = x.End
	}
	nr := Evaluate(h, closed, from, to)
	assert.Equal(t, Held, nr.Verdict, "a closed loop hides the stall:\n%s", nr)
}
