package chaostest_test

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-resilience/resilience/chaostest"
)

// A system still warming up when sampling starts is steady within the
// settle allowance: the method starts once one full Before window held.
// Without the allowance, or one too short, it is not steady.
func TestSettleAllowance(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		settle *time.Duration
		want   chaostest.Status
	}{
		{"default allowance", nil, chaostest.StatusHeld},
		{"none", new(time.Duration(0)), chaostest.StatusNotSteady},
		{"too short", new(200 * time.Millisecond), chaostest.StatusNotSteady},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := &system{}
				// Unhealthy for the first 300ms of the run.
				s.lingerUntil.Store(time.Now().Add(300 * time.Millisecond).UnixNano())
				f := newFault("harmless")
				e := quick(s.healthy(), chaostest.Inject(f))
				e.Settle = c.settle
				start := time.Now()
				ft, rep := runExp("TestSettle", e)
				if rep.Status != c.want {
					t.Fatalf("status %q, want %q:\n%s", rep.Status, c.want, ft.Logs())
				}
				if c.want != chaostest.StatusHeld {
					if f.applied.Load() != 0 {
						t.Errorf("the method ran on a system that was never steady")
					}
					return
				}
				if from := rep.Before.From.Sub(start); from < 300*time.Millisecond {
					t.Errorf("the gate held on a window from +%v, while the system was unhealthy until +300ms", from)
				}
				mustContain(t, "narrative", ft.Logs(), "retrying within the settle allowance 1s", "steady after 300ms of the settle allowance 1s")
			})
		})
	}
	t.Run("bad value", func(t *testing.T) {
		err := chaostest.Validate((&system{}).healthy(), chaostest.Inject(newFault("f")), chaostest.Settle(-time.Second))
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "Settle: -1s out of range; accepted: >= 0") {
			t.Errorf("Settle(-1s): %v, want a one-line error naming the accepted range", err)
		}
	})
}
