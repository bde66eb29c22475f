package hypothesis

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A tolerance's label of intent is shown with it wherever it is judged; the
// tolerance is still the value passed to Expect.
func TestLabelShownWithItsTolerance(t *testing.T) {
	t.Parallel()
	rate, fast := SuccessRate(0.99), LatencyP(99, 300*time.Millisecond)
	c := Observe(fakeProbe("GET /items/42"), Every(10*time.Millisecond), Expect(rate, Label("no item page lost"), fast))
	h := New("the catalog answers", c)
	assert.NoError(t, h.Validate())
	assert.Equal(t, "GET /items/42 every 10ms: no item page lost (success rate >= 99%), latency p99 <= 300ms", c.String())
	assert.Len(t, c.Tolerances(), 2, "a label is not a tolerance")

	r := Evaluate(h, evenly(0, 10, constLat(time.Millisecond), failFirst(10)), t0, window100)
	assert.Equal(t, Violated, r.Verdict)
	tr := r.Checks[0].Tolerances[0]
	assert.Equal(t, "no item page lost (success rate >= 99%)", tr.Text)
	assert.Equal(t, "no item page lost", tr.Label)
	assert.Equal(t, rate, tr.Source)
	assert.True(t, r.Violated(rate), "matched by the tolerance it names")
	assert.Contains(t, r.Summary(), "no item page lost (success rate >= 99%), observed 0% (0/10)")
	assert.Contains(t, r.String(), "violated: no item page lost (success rate >= 99%): expected >= 99%")
	assert.Empty(t, r.Checks[0].Tolerances[1].Label)
}

func TestLabelMustFollowItsTolerance(t *testing.T) {
	t.Parallel()
	p := fakeProbe("api")
	for _, c := range []struct {
		check Check
		want  string
	}{
		{Observe(p, Expect(Label("lost"), SuccessRate(1))), `hypothesis "x": check 1 (api): Label("lost") must follow the tolerance it names, once; accepted: Expect(SuccessRate(0.99), Label("lost"))`},
		{Observe(p, Expect(SuccessRate(1), Label("a"), Label("b"))), `hypothesis "x": check 1 (api): Label("b") must follow the tolerance it names, once; accepted: Expect(SuccessRate(0.99), Label("b"))`},
		{Observe(p, Expect(SuccessRate(1), Label(""))), `hypothesis "x": check 1 (api): Label must not be empty; accepted: the intent of the tolerance before it, e.g. "no item page lost"`},
	} {
		assert.EqualError(t, New("x", c.check).Validate(), c.want)
	}
	// A check built from another keeps its labels, and its own stay its own.
	base := Observe(p, Expect(SuccessRate(1), Label("nothing lost")))
	more := base.With(Expect(LatencyMax(time.Second), Label("never stuck")))
	assert.Equal(t, "api every 100ms: nothing lost (success rate >= 100%)", base.String())
	assert.Equal(t, "api every 100ms: nothing lost (success rate >= 100%), never stuck (latency max <= 1s)", more.String())
}
