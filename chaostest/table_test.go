package chaostest_test

import (
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// Experiment is this suite's table form of an experiment: each field maps
// onto one of Run's arguments or options, so that a table test can change
// one field. A zero field means "option not given".
type Experiment struct {
	Title       string
	SteadyState *hypothesis.Hypothesis
	Method      chaostest.Method
	Control     *hypothesis.Hypothesis
	SteadyAfter *hypothesis.Hypothesis

	Before, Duration, Window, After, Recovery time.Duration
	Settle                                    *time.Duration // nil: the default allowance

	ExpectDeviation bool
	Reasons         []chaostest.Reason
	FailFast        bool
	Seed            int64
}

// options are e's fields as Run's options.
func (e Experiment) options() []chaostest.Option {
	var opts []chaostest.Option
	if e.Title != "" {
		opts = append(opts, chaostest.Title(e.Title))
	}
	if e.Control != nil {
		opts = append(opts, chaostest.Control(e.Control))
	}
	if e.SteadyAfter != nil {
		opts = append(opts, chaostest.SteadyAfter(e.SteadyAfter))
	}
	for _, d := range []struct {
		v   time.Duration
		opt func(time.Duration) chaostest.Option
	}{
		{e.Before, chaostest.Before}, {e.Duration, chaostest.Duration}, {e.Window, chaostest.Window},
		{e.After, chaostest.After}, {e.Recovery, chaostest.Recovery},
	} {
		if d.v != 0 {
			opts = append(opts, d.opt(d.v))
		}
	}
	if e.Settle != nil {
		opts = append(opts, chaostest.Settle(*e.Settle))
	}
	if e.ExpectDeviation || len(e.Reasons) > 0 {
		opts = append(opts, chaostest.ExpectDeviation(e.Reasons...))
	}
	if e.FailFast {
		opts = append(opts, chaostest.FailFast())
	}
	if e.Seed != 0 {
		opts = append(opts, chaostest.Seed(e.Seed))
	}
	return opts
}

// run is chaostest.Run with e's arguments and options.
func run(t chaostest.T, e Experiment) chaostest.Report {
	t.Helper()
	return chaostest.Run(t, e.SteadyState, e.Method, e.options()...)
}

// validate is chaostest.Validate with e's arguments and options.
func validate(e Experiment) error {
	return chaostest.Validate(e.SteadyState, e.Method, e.options()...)
}
