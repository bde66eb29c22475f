package hypothesis

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A probe that honours its context but returns a little after its deadline
// (an HTTP client tearing down its connection) against a system that never
// answers: every tick must still start, and the window is violated, not
// inconclusive. The bound ⌈Timeout/Every⌉+1 alone (41 here) was exhausted by
// 30ms of overrun per probe, and the ticks it could not start hid the
// system's failure behind "the test machine was saturated".
func TestProbeOverrunningItsDeadlineStillViolates(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const overrun = 30 * time.Millisecond
		hung := ProbeFunc("hung system", func(ctx context.Context) (any, error) {
			<-ctx.Done()
			time.Sleep(overrun) // the client's own teardown after the deadline
			return nil, ctx.Err()
		})
		h := New("the system answers", Observe(hung, Every(25*time.Millisecond), Timeout(time.Second), Expect(SuccessRate(0.99))))
		r, err := Measure(idle(t.Context()), h, 3*time.Second)
		require.NoError(t, err)
		c := r.Checks[0]
		assert.Zero(t, c.Harness.NotStarted, "every tick starts: %s", r)
		assert.Equal(t, Violated, r.Verdict, "%s", r)
	})
}
