package hypothesis

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-resilience/resilience/internal/testkit/faket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// userTol is a tolerance of the user's own whose kind and validity a test
// chooses.
type userTol struct {
	name    string
	invalid error
}

func (u userTol) String() string  { return u.name }
func (u userTol) Validate() error { return u.invalid }

type userWindowTol struct{ userTol }

func (userWindowTol) Judge(Window) ToleranceResult { return ToleranceResult{Verdict: Held} }

type userBothTol struct{ userWindowTol }

func (userBothTol) Miss(any) error { return nil }

// Every constructor's bad arguments are rejected by Validate with one line
// naming the field and the accepted range.
func TestValidate(t *testing.T) {
	t.Parallel()
	p := fakeProbe("api")
	ok := Observe(p)
	read := func(context.Context) (float64, error) { return 0, nil }
	build := func(ctx context.Context, _ int) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1/", nil)
	}
	cases := []struct {
		h    *Hypothesis
		want string
	}{
		// The hypothesis.
		{nil, "hypothesis: must not be nil"},
		{New("", ok), `hypothesis: title must not be empty or only spaces, got ""; accepted: the claim, e.g. "checkout stays fast"`},
		{New("  ", ok), `hypothesis: title must not be empty or only spaces, got "  "; accepted: the claim, e.g. "checkout stays fast"`},
		{New("x"), `hypothesis "x": needs at least one check, got 0`},
		// Probes.
		{New("x", Observe(nil)), `hypothesis "x": check 1: probe must not be nil`},
		{New("x", ok, Observe(ProbeFunc("f", nil))), `hypothesis "x": check 2 (f): ProbeFunc function must not be nil`},
		{New("x", Observe(ProbeFunc("", func(context.Context) (any, error) { return nil, nil }))), `hypothesis "x": check 1: ProbeFunc name must not be empty`},
		{New("x", Observe(HTTPGet("localhost:8080/health"))), `hypothesis "x": check 1 (GET localhost:8080/health): HTTP URL must be an absolute http or https URL, got "localhost:8080/health"`},
		{New("x", Observe(HTTPGet(""))), `hypothesis "x": check 1 (GET ): HTTP URL must be an absolute http or https URL, got ""`},
		{New("x", Observe(HTTPGet("http://[::1"))), `hypothesis "x": check 1 (GET http://[::1): HTTP URL must be an absolute http or https URL, got "http://[::1"`},
		{New("x", Observe(HTTPGet("ftp://127.0.0.1/"))), `hypothesis "x": check 1 (GET ftp://127.0.0.1/): HTTP URL must be an absolute http or https URL, got "ftp://127.0.0.1/"`},
		{New("x", Observe(HTTP("GE T", "http://127.0.0.1/"))), `hypothesis "x": check 1 (GE T http://127.0.0.1/): HTTP method must be a token such as GET or POST, got "GE T"`},
		{New("x", Observe(HTTP("", "http://127.0.0.1/", ProbeName("api")))), `hypothesis "x": check 1 (api): HTTP method must be a token such as GET or POST, got ""`},
		{New("x", Observe(HTTPGet("http://127.0.0.1/", AcceptStatus()))), `hypothesis "x": check 1 (GET http://127.0.0.1/): AcceptStatus needs at least one status code, got none`},
		{New("x", Observe(HTTPGet("http://127.0.0.1/", AcceptStatus(200, 1000)))), `hypothesis "x": check 1 (GET http://127.0.0.1/): AcceptStatus code must be in [100,599], got 1000`},
		{New("x", Observe(HTTPGet("http://127.0.0.1/", WithClient(nil)))), `hypothesis "x": check 1 (GET http://127.0.0.1/): WithClient client must not be nil`},
		{New("x", Observe(HTTPRequest("", build))), `hypothesis "x": check 1: HTTPRequest name must not be empty`},
		{New("x", Observe(HTTPRequest("orders", nil))), `hypothesis "x": check 1 (orders): HTTPRequest build function must not be nil`},
		{New("x", Observe(HTTPRequest("orders", build, WithBody("text/plain", nil)))), `hypothesis "x": check 1 (orders): HTTPRequest takes no WithBody: build sets each request's body`},
		{New("x", Observe(HTTPRequest("orders", build, AcceptStatus(99)))), `hypothesis "x": check 1 (orders): AcceptStatus code must be in [100,599], got 99`},
		{New("x", Observe(HTTPRequest("orders", build, WithClient(nil)))), `hypothesis "x": check 1 (orders): WithClient client must not be nil`},
		{New("x", Observe(TCPConnect("nowhere"))), `hypothesis "x": check 1 (tcp connect nowhere): TCPConnect address must be host:port, got "nowhere"`},
		{New("x", Observe(TCPConnect("127.0.0.1:"))), `hypothesis "x": check 1 (tcp connect 127.0.0.1:): TCPConnect address must be host:port, got "127.0.0.1:"`},
		{New("x", Observe(TCPConnect("127.0.0.1:70000"))), `hypothesis "x": check 1 (tcp connect 127.0.0.1:70000): TCPConnect port must be in [1,65535], got 70000 in "127.0.0.1:70000"`},
		{New("x", Observe(TCPConnect("127.0.0.1:0"))), `hypothesis "x": check 1 (tcp connect 127.0.0.1:0): TCPConnect port must be in [1,65535], got 0 in "127.0.0.1:0"`},
		{New("x", Observe(TCPConnect(""))), `hypothesis "x": check 1 (tcp connect ): TCPConnect address must be host:port, got ""`},
		{New("x", Observe(SQLPing(nil))), `hypothesis "x": check 1 (sql ping): SQLPing db must not be nil`},
		{New("x", Observe(SQLQuery(nil, "select 1"))), `hypothesis "x": check 1 (sql query select 1): SQLQuery db must not be nil`},
		{New("x", Observe(SQLQuery(&sql.DB{}, ""))), `hypothesis "x": check 1 (sql query ): SQLQuery query must not be empty`},
		{New("x", Observe(Rate("", read, time.Second))), `hypothesis "x": check 1: Rate name must not be empty`},
		{New("x", Observe(Rate("rps", nil, time.Second))), `hypothesis "x": check 1 (rps): Rate read function must not be nil`},
		{New("x", Observe(Rate("rps", read, 0))), `hypothesis "x": check 1 (rps): Rate over must be > 0, got 0s`},
		{New("x", Observe(Rate("rps", read, -time.Second))), `hypothesis "x": check 1 (rps): Rate over must be > 0, got -1s`},
		// Check options.
		{New("x", ok.With(Every(0))), `hypothesis "x": check 1 (api): Every must be > 0, got 0s`},
		{New("x", ok.With(Every(-time.Second))), `hypothesis "x": check 1 (api): Every must be > 0, got -1s`},
		{New("x", ok.With(Timeout(0))), `hypothesis "x": check 1 (api): Timeout must be > 0, got 0s`},
		{New("x", ok.With(MaxInFlight(-1))), `hypothesis "x": check 1 (api): MaxInFlight must be >= 11 (or 0 to derive it from Timeout/Every), got -1`},
		{New("x", ok.With(Every(20*time.Millisecond), MaxInFlight(16))), `hypothesis "x": check 1 (api): MaxInFlight 16 is too small for Every 20ms and Timeout 1s: probes lasting up to the timeout keep 51 in flight; accepted: >= 51, or 0 to derive it`},
		{New("x", ok.With(LoadOnly(), Expect(LatencyMax(time.Second)))), `hypothesis "x": check 1 (api): LoadOnly check has 1 tolerance; accepted: none (a check that drives load is never judged)`},
		{New("x", ok.With(Expect(nil))), `hypothesis "x": check 1 (api): Expect tolerance must not be nil`},
		// Window tolerances.
		{New("x", ok.With(Expect(LatencyP(0, time.Second)))), `hypothesis "x": check 1 (api): LatencyP percentile must be in [1,100] (a percentile such as 99 for p99, not a fraction such as 0.99), got 0`},
		{New("x", ok.With(Expect(LatencyP(0.99, time.Second)))), `hypothesis "x": check 1 (api): LatencyP percentile must be in [1,100] (a percentile such as 99 for p99, not a fraction such as 0.99), got 0.99`},
		{New("x", ok.With(Expect(LatencyPRelative(0.5, Baseline, 2, 0)))), `hypothesis "x": check 1 (api): LatencyPRelative percentile must be in [1,100] (a percentile such as 99 for p99, not a fraction such as 0.99), got 0.5`},
		{New("x", ok.With(Expect(LatencyP(100.5, time.Second)))), `hypothesis "x": check 1 (api): LatencyP percentile must be in [1,100] (a percentile such as 99 for p99, not a fraction such as 0.99), got 100.5`},
		{New("x", ok.With(Expect(LatencyP(math.NaN(), time.Second)))), `hypothesis "x": check 1 (api): LatencyP percentile must be in [1,100] (a percentile such as 99 for p99, not a fraction such as 0.99), got NaN`},
		{New("x", ok.With(Expect(LatencyP(99, 0)))), `hypothesis "x": check 1 (api): LatencyP max must be > 0, got 0s`},
		{New("x", ok.With(Expect(LatencyMax(-time.Millisecond)))), `hypothesis "x": check 1 (api): LatencyMax max must be > 0, got -1ms`},
		{New("x", ok.With(Expect(SuccessRate(1.5)))), `hypothesis "x": check 1 (api): SuccessRate min must be in [0,1], got 1.5`},
		{New("x", ok.With(Expect(SuccessRate(-0.1)))), `hypothesis "x": check 1 (api): SuccessRate min must be in [0,1], got -0.1`},
		{New("x", ok.With(Expect(SuccessRate(math.NaN())))), `hypothesis "x": check 1 (api): SuccessRate min must be in [0,1], got NaN`},
		{New("x", ok.With(Expect(MaxErrors(-1)))), `hypothesis "x": check 1 (api): MaxErrors n must be >= 0, got -1`},
		{New("x", ok.With(Expect(MinThroughput(0)))), `hypothesis "x": check 1 (api): MinThroughput perSecond must be > 0 (a finite number), got 0`},
		{New("x", ok.With(Expect(MinThroughput(math.Inf(1))))), `hypothesis "x": check 1 (api): MinThroughput perSecond must be > 0 (a finite number), got +Inf`},
		{New("x", ok.With(Expect(MinSamples(0)))), `hypothesis "x": check 1 (api): MinSamples n must be >= 1, got 0`},
		{New("x", ok.With(Expect(RecoversWithin(0)))), `hypothesis "x": check 1 (api): RecoversWithin d must be > 0, got 0s`},
		{New("x", ok.With(Expect(RecoversWithin(-time.Second)))), `hypothesis "x": check 1 (api): RecoversWithin d must be > 0, got -1s`},
		{New("x", ok.With(Expect(RecoversWithin(time.Second), RecoversWithin(time.Second)))), `hypothesis "x": check 1 (api): RecoversWithin may appear at most once per check, got 2`},
		// Relative tolerances.
		{New("x", ok.With(Expect(LatencyPRelative(99, Baseline, 0.5, 0)))), `hypothesis "x": check 1 (api): LatencyPRelative factor must be >= 1 (a finite number), got 0.5`},
		{New("x", ok.With(Expect(LatencyPRelative(99, Baseline, math.Inf(1), 0)))), `hypothesis "x": check 1 (api): LatencyPRelative factor must be >= 1 (a finite number), got +Inf`},
		{New("x", ok.With(Expect(LatencyPRelative(99, Ref(7), 2, 0)))), `hypothesis "x": check 1 (api): LatencyPRelative ref must be Baseline or Control, got 7`},
		{New("x", ok.With(Expect(LatencyPRelative(0, Control, 2, 0)))), `hypothesis "x": check 1 (api): LatencyPRelative percentile must be in [1,100] (a percentile such as 99 for p99, not a fraction such as 0.99), got 0`},
		{New("x", ok.With(Expect(LatencyPRelative(99, Control, 2, -time.Millisecond)))), `hypothesis "x": check 1 (api): LatencyPRelative plus must be >= 0, got -1ms`},
		{New("x", ok.With(Expect(SuccessRateRelative(Baseline, 1.5)))), `hypothesis "x": check 1 (api): SuccessRateRelative maxDrop must be in [0,1], got 1.5`},
		{New("x", ok.With(Expect(SuccessRateRelative(Baseline, -0.01)))), `hypothesis "x": check 1 (api): SuccessRateRelative maxDrop must be in [0,1], got -0.01`},
		{New("x", ok.With(Expect(SuccessRateRelative(0, 0.01)))), `hypothesis "x": check 1 (api): SuccessRateRelative ref must be Baseline or Control, got 0`},
		// Value tolerances.
		{New("x", ok.With(Expect(InRange(2, 1)))), `hypothesis "x": check 1 (api): InRange needs lo <= hi, got [2, 1]`},
		{New("x", ok.With(Expect(InRange(math.NaN(), 1)))), `hypothesis "x": check 1 (api): InRange needs lo <= hi, got [NaN, 1]`},
		{New("x", ok.With(Expect(OneOf()))), `hypothesis "x": check 1 (api): OneOf needs at least one value, got none`},
		{New("x", ok.With(Expect(Matches("a(")))), `hypothesis "x": check 1 (api): Matches pattern must be a valid regular expression, got "a(": error parsing regexp: missing closing ): ` + "`a(`"},
		{New("x", ok.With(Expect(JSONPath("", nil)))), `hypothesis "x": check 1 (api): JSONPath expression must not be empty`},
		{New("x", ok.With(Expect(JSONPath("$.a[", nil)))), `hypothesis "x": check 1 (api): JSONPath expression must be valid JSONPath, got "$.a[": not terminated at 5 in $.a[`},
		{New("x", ok.With(Expect(JSONPath("$.a", SuccessRate(1))))), `hypothesis "x": check 1 (api): JSONPath want must be a ValueTolerance (Equals, InRange, OneOf, Matches, JSONPath, Satisfies or one of your own), got success rate >= 100%`},
		{New("x", ok.With(Expect(JSONPath("$.a", InRange(3, 1))))), `hypothesis "x": check 1 (api): InRange needs lo <= hi, got [3, 1]`},
		{New("x", ok.With(Expect(Satisfies("", func(any) bool { return true })))), `hypothesis "x": check 1 (api): Satisfies name must not be empty`},
		{New("x", ok.With(Expect(Satisfies[any]("even", nil)))), `hypothesis "x": check 1 (api): Satisfies "even" function must not be nil`},
		{New("x", ok.With(Expect(Satisfies[HTTPResponse]("up", nil)))), `hypothesis "x": check 1 (api): Satisfies "up" function must not be nil`},
		// Tolerances of the user's own.
		{New("x", ok.With(Expect(userTol{name: "vague"}))), `hypothesis "x": check 1 (api): Expect tolerance "vague" (hypothesis.userTol) must be a ValueTolerance (a Miss method) or a WindowTolerance (a Judge method)`},
		{New("x", ok.With(Expect(userBothTol{}))), `hypothesis "x": check 1 (api): Expect tolerance "" (hypothesis.userBothTol) must be a ValueTolerance or a WindowTolerance, not both`},
		{New("x", ok.With(Expect(userWindowTol{}))), `hypothesis "x": check 1 (api): Expect tolerance of type hypothesis.userWindowTol must have a name: its String is empty`},
		{New("x", ok.With(Expect(userWindowTol{userTol{"streak", errors.New("streak n must be >= 0, got -1\nmore")}}))), `hypothesis "x": check 1 (api): streak n must be >= 0, got -1`},
		{New("x", ok.With(Expect(JSONPath("$.a", userTol{name: "vague"})))), `hypothesis "x": check 1 (api): JSONPath want must be a ValueTolerance (Equals, InRange, OneOf, Matches, JSONPath, Satisfies or one of your own), got vague`},
	}
	for _, c := range cases {
		err := c.h.Validate()
		if assert.Error(t, err, "want %s", c.want) {
			assert.Equal(t, c.want, err.Error())
			assert.NotContains(t, err.Error(), "\n", "one line")
		}
	}
	assert.NoError(t, New("x", ok.With(Expect(SuccessRate(0), SuccessRate(1), LatencyP(100, 1), JSONPath("$.a[*]", nil)))).Validate())
	assert.NoError(t, New("x", Observe(Rate("rps", read, time.Second)), Observe(HTTPRequest("orders", build)), ok.With(LoadOnly()),
		ok.With(Expect(userWindowTol{userTol{name: "streak"}}))).Validate())
}

// Bad input is reported before anything is sampled.
func TestBadInputSamplesNothing(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	p := ProbeFunc("counted", func(context.Context) (any, error) { calls.Add(1); return nil, nil })
	bad := New("x", Observe(p, Expect(LatencyP(101, time.Second))))

	s, err := bad.Start(t.Context())
	assert.Nil(t, s)
	assert.EqualError(t, err, `hypothesis "x": check 1 (counted): LatencyP percentile must be in [1,100] (a percentile such as 99 for p99, not a fraction such as 0.99), got 101`)

	r, err := Measure(t.Context(), bad, time.Second)
	assert.Error(t, err)
	assert.Equal(t, Inconclusive, r.Verdict)

	good := New("x", Observe(p, Expect(RecoversWithin(time.Second))))
	_, err = Measure(t.Context(), good, 0)
	assert.EqualError(t, err, `hypothesis "x": window must be > 0, got 0s`)
	_, err = Measure(t.Context(), good, time.Second)
	assert.EqualError(t, err, `hypothesis "x": check 1 (counted): RecoversWithin d must be < window (1s), got 1s`)
	_, err = Measure(t.Context(), New("x", Observe(p, Every(2*time.Second))), time.Second)
	assert.EqualError(t, err, `hypothesis "x": check 1 (counted): Every 2s is longer than the window 1s, which could hold no sample; accepted: Every <= 1s`)

	rt := &faket.T{}
	faket.Run(rt, func() { Require(rt, bad, time.Second) })
	assert.Equal(t, []string{`hypothesis "x": check 1 (counted): LatencyP percentile must be in [1,100] (a percentile such as 99 for p99, not a fraction such as 0.99), got 101`}, rt.ErrorLines())
	assert.True(t, rt.FailedNow())
	assert.Equal(t, int32(0), calls.Load(), "the probe must never run")
}

func TestCheckIsAValue(t *testing.T) {
	t.Parallel()
	base := Observe(fakeProbe("api"), Expect(SuccessRate(0.9)))
	a := base.With(Expect(LatencyMax(time.Second)), Every(time.Second))
	b := base.With(Expect(MaxErrors(1)))
	assert.Len(t, base.Tolerances(), 1)
	assert.Equal(t, "success rate >= 90%", a.Tolerances()[0].String())
	assert.Equal(t, "latency max <= 1s", a.Tolerances()[1].String())
	assert.Equal(t, "errors <= 1", b.Tolerances()[1].String(), "Expect on a shared base must not alias")
	assert.Equal(t, defaultEvery, base.Interval())
	assert.Equal(t, time.Second, a.Interval())
	assert.Equal(t, defaultTimeout, a.ProbeTimeout())
	assert.Equal(t, 3, a.InFlightLimit(), "derived: a 1s timeout every 1s, plus 1s past the deadline: ⌈2s/1s⌉+1")
	assert.Equal(t, 21, base.InFlightLimit(), "derived: ⌈(1s+1s)/100ms⌉+1")
	assert.Equal(t, 101, base.With(Every(20*time.Millisecond)).InFlightLimit(), "derived: ⌈(1s+1s)/20ms⌉+1")
	assert.Equal(t, 1024, base.With(Every(time.Millisecond), Timeout(time.Minute)).InFlightLimit(), "derived, capped")
	assert.Equal(t, 64, base.With(MaxInFlight(64)).InFlightLimit(), "set")
	assert.Equal(t, "api every 1s: success rate >= 90%, latency max <= 1s", a.String())

	checks := []Check{a}
	h := New("h", checks...)
	checks[0] = b
	require.Len(t, h.Checks(), 1)
	assert.Equal(t, time.Second, h.Checks()[0].Interval(), "New copies its checks")
	assert.Equal(t, "h", h.Title())
	assert.Equal(t, "api", h.Checks()[0].Probe().Name())
}
