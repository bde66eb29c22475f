package caught

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

var (
	p99  = hypothesis.LatencyP(99, 300*time.Millisecond)
	rate = hypothesis.SuccessRate(0.95)
	slow = chaostest.FaultFunc("redis: latency 800ms", func(context.Context) (chaostest.Revert, error) { return nil, nil })
)

// window builds a deviation in which the given tolerances of probe "GET /x"
// were violated and the others held.
func window(phase string, faults []string, violated ...hypothesis.Tolerance) chaostest.Deviation {
	var trs []hypothesis.ToleranceResult
	for _, tol := range []hypothesis.Tolerance{rate, p99} {
		v := hypothesis.Held
		for _, bad := range violated {
			if bad.String() == tol.String() {
				v = hypothesis.Violated
			}
		}
		trs = append(trs, hypothesis.ToleranceResult{Tolerance: tol.String(), Verdict: v})
	}
	return chaostest.Deviation{Phase: phase, Faults: faults, Result: hypothesis.Result{
		Verdict: hypothesis.Violated,
		Checks:  []hypothesis.CheckResult{{Probe: "GET /x", Verdict: hypothesis.Violated, Tolerances: trs}},
	}}
}

func TestCheck(t *testing.T) {
	on := []string{slow.Name()}
	for name, tc := range map[string]struct {
		rep     chaostest.Report
		reasons []Reason
		err     string
	}{
		"caught by the p99 while the fault was on": {
			rep:     chaostest.Report{Status: chaostest.StatusDeviated, Deviations: []chaostest.Deviation{window("during", on, p99)}},
			reasons: []Reason{Because("GET /x", p99)},
		},
		"every reason in one window": {
			rep:     chaostest.Report{Status: chaostest.StatusDeviated, Deviations: []chaostest.Deviation{window("during", on, p99, rate)}},
			reasons: []Reason{Because("GET /x", p99), Because("GET /x", rate)},
		},
		"held": {
			rep: chaostest.Report{Status: chaostest.StatusHeld},
			err: `status "held", want "deviated"`,
		},
		"not steady is not caught": {
			rep: chaostest.Report{Status: chaostest.StatusNotSteady},
			err: `status "not steady"`,
		},
		"the wrong tolerance": {
			rep:     chaostest.Report{Status: chaostest.StatusDeviated, Deviations: []chaostest.Deviation{window("during", on, rate)}},
			reasons: []Reason{Because("GET /x", p99)},
			err:     "window at +0s violated [GET /x: success rate >= 95%]",
		},
		"the wrong probe": {
			rep:     chaostest.Report{Status: chaostest.StatusDeviated, Deviations: []chaostest.Deviation{window("during", on, p99)}},
			reasons: []Reason{Because("audit", p99)},
			err:     "violates [audit: latency p99 <= 300ms]",
		},
		"only after the fault": {
			rep:     chaostest.Report{Status: chaostest.StatusDeviated, Deviations: []chaostest.Deviation{window("after", nil, p99)}},
			reasons: []Reason{Because("GET /x", p99)},
			err:     "no window of the method deviated while it was active",
		},
		"while another fault was on": {
			rep:     chaostest.Report{Status: chaostest.StatusDeviated, Deviations: []chaostest.Deviation{window("during", []string{"postgres: down"}, p99)}},
			reasons: []Reason{Because("GET /x", p99)},
			err:     `fault "redis: latency 800ms" active`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := Check(tc.rep, slow, tc.reasons...)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
}

func TestCheckNotRecovered(t *testing.T) {
	on := []string{slow.Name()}
	for name, tc := range map[string]struct {
		rep     chaostest.Report
		reasons []Reason
		err     string
	}{
		"still violated after the rollback and the recovery allowance": {
			rep: chaostest.Report{Status: chaostest.StatusDeviated, Deviations: []chaostest.Deviation{
				window("during", on, rate), window("after", nil, rate, p99)}},
			reasons: []Reason{Because("GET /x", rate)},
		},
		"recovered: a deviation only while the fault was on": {
			rep:     chaostest.Report{Status: chaostest.StatusDeviated, Deviations: []chaostest.Deviation{window("during", on, rate)}},
			reasons: []Reason{Because("GET /x", rate)},
			err:     "held within the recovery allowance: it recovered",
		},
		"not recovered, but for another reason": {
			rep:     chaostest.Report{Status: chaostest.StatusDeviated, Deviations: []chaostest.Deviation{window("after", nil, p99)}},
			reasons: []Reason{Because("GET /x", rate)},
			err:     "after window at +0s violated [GET /x: latency p99 <= 300ms]",
		},
		"held": {
			rep: chaostest.Report{Status: chaostest.StatusHeld},
			err: `status "held", want "deviated"`,
		},
		"inconclusive is not caught": {
			rep: chaostest.Report{Status: chaostest.StatusInconclusive, Deviations: []chaostest.Deviation{window("after", nil, rate)}},
			err: `status "inconclusive"`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := CheckNotRecovered(tc.rep, tc.reasons...)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
}

type recordingT struct {
	errors []string
	failed bool
}

func (r *recordingT) Helper() {}
func (r *recordingT) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}
func (r *recordingT) FailNow() { r.failed = true }

func TestRequireStopsTheTestWhenNotCaught(t *testing.T) {
	rt := &recordingT{}
	Require(rt, chaostest.Report{Status: chaostest.StatusHeld}, slow, Because("GET /x", p99))
	assert.True(t, rt.failed)
	require.Len(t, rt.errors, 1)

	rt = &recordingT{}
	Require(rt, chaostest.Report{Status: chaostest.StatusDeviated,
		Deviations: []chaostest.Deviation{window("during", []string{slow.Name()}, p99)}}, slow, Because("GET /x", p99))
	assert.False(t, rt.failed)
	assert.Empty(t, rt.errors)
}

func TestRequireNotRecoveredStopsTheTestWhenRecovered(t *testing.T) {
	rt := &recordingT{}
	RequireNotRecovered(rt, chaostest.Report{Status: chaostest.StatusDeviated,
		Deviations: []chaostest.Deviation{window("during", []string{slow.Name()}, rate)}}, Because("GET /x", rate))
	assert.True(t, rt.failed)
	require.Len(t, rt.errors, 1)

	rt = &recordingT{}
	RequireNotRecovered(rt, chaostest.Report{Status: chaostest.StatusDeviated,
		Deviations: []chaostest.Deviation{window("after", nil, rate)}}, Because("GET /x", rate))
	assert.False(t, rt.failed)
	assert.Empty(t, rt.errors)
}
