package hypothesis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newServer serves /ok (JSON), /slow (200ms injected delay), /unavailable
// (503) and /echo (method, header and body back).
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"up","items":[{"n":1},{"n":2}]}`)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(200 * time.Millisecond): // injected delay
		case <-r.Context().Done():
		}
		io.WriteString(w, "late")
	})
	mux.HandleFunc("/unavailable", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Method", r.Method)
		w.Header().Set("X-Got-Type", r.Header.Get("Content-Type"))
		w.Header().Set("X-Got-Token", r.Header.Get("X-Token"))
		w.Write(b)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestHTTPProbeObserves(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	p := HTTP(http.MethodPost, srv.URL+"/echo", WithHeader("X-Token", "t0k"), WithBody("text/plain", []byte("ping")))
	assert.Equal(t, "POST "+srv.URL+"/echo", p.Name())
	v, err := p.Observe(t.Context())
	require.NoError(t, err)
	resp := v.(HTTPResponse)
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, "ping", string(resp.Body))
	assert.Equal(t, "POST", resp.Header.Get("X-Method"))
	assert.Equal(t, "text/plain", resp.Header.Get("X-Got-Type"))
	assert.Equal(t, "t0k", resp.Header.Get("X-Got-Token"))
	v, err = p.Observe(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "ping", string(v.(HTTPResponse).Body), "the body is sent again on every request")

	assert.Equal(t, "health", HTTPGet(srv.URL, ProbeName("health")).Name())
}

func TestHTTPProbeStatus(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	v, err := HTTPGet(srv.URL + "/unavailable").Observe(t.Context())
	assert.EqualError(t, err, "status 503 not accepted (want 200-399)")
	assert.Equal(t, 503, v.(HTTPResponse).Status, "the response is kept with the error")
	assert.Equal(t, "maintenance\n", string(v.(HTTPResponse).Body))

	_, err = HTTPGet(srv.URL+"/unavailable", AcceptStatus(503)).Observe(t.Context())
	assert.NoError(t, err)
	_, err = HTTPGet(srv.URL+"/ok", AcceptStatus(503, 504)).Observe(t.Context())
	assert.EqualError(t, err, "status 200 not accepted (want 503, 504)")

	_, err = HTTPGet("http://127.0.0.1:1/").Observe(t.Context())
	assert.ErrorContains(t, err, "connection refused")
}

func TestHTTPProbeMeasured(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	h := New("the API is healthy",
		Observe(HTTPGet(srv.URL+"/ok"), Every(20*time.Millisecond), Expect(Equals(200), InRange(200, 299), Matches(`"status":"up"`), JSONPath("$.status", Equals("up")),
			JSONPath("$.items[*].n", InRange(1, 2)), SuccessRate(1), LatencyP(99, time.Second), MinSamples(5))),
		Observe(HTTPGet(srv.URL+"/unavailable"), Every(20*time.Millisecond), Expect(MaxErrors(0))),
		Observe(HTTPGet(srv.URL+"/slow"), Every(20*time.Millisecond), Timeout(100*time.Millisecond), Expect(SuccessRate(0))),
		// 200ms slow against a 20ms bound: ten times over, more than a saturated
		// host's slowdown stretches a latency bound (see Load.Slowdown).
		Observe(HTTPGet(srv.URL+"/slow"), Every(50*time.Millisecond), Expect(LatencyP(50, 20*time.Millisecond))),
	)
	// What the probes measure is the point here, not how a loaded host
	// excuses a window: the sampler reads an idle host (the judgement of a
	// saturated one has tests of its own). The window is 20 ticks of the
	// slow check, so that one tick a busy test process starts late (a
	// tenth of them makes the harness saturated) cannot make it
	// inconclusive.
	r, err := Measure(idle(t.Context()), h, time.Second)
	require.NoError(t, err)
	assert.Equal(t, Violated, r.Verdict)

	ok := r.Checks[0]
	assert.Equal(t, Held, ok.Verdict, "%s", r)
	assert.Equal(t, 50, ok.Samples)

	down := r.Checks[1]
	assert.Equal(t, Violated, down.Verdict)
	assert.Equal(t, "status 503 not accepted (want 200-399)", down.FirstError)
	assert.Equal(t, down.Samples, down.Errors)

	timeout := r.Checks[2]
	assert.Equal(t, Held, timeout.Verdict, "SuccessRate(0) tolerates the timeouts")
	assert.Equal(t, timeout.Samples, timeout.Errors)
	assert.Contains(t, timeout.FirstError, "context deadline exceeded")
	assert.GreaterOrEqual(t, timeout.P50, 100*time.Millisecond, "a timed-out sample lasts its timeout")

	slow := r.Checks[3]
	assert.Equal(t, Violated, slow.Verdict, "%s", r)
	assert.GreaterOrEqual(t, slow.P50, 150*time.Millisecond, "the 200ms injected delay shows")
	assert.True(t, strings.HasSuffix(tolerance(t, slow, "latency p50 <= 20ms").Expected, "20ms"))
}

func TestHTTPValueToleranceMiss(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	h := New("status is degraded", Observe(HTTPGet(srv.URL+"/ok"), Every(20*time.Millisecond), Expect(JSONPath("$.status", Equals("degraded")))))
	s, err := h.Start(context.Background())
	require.NoError(t, err)
	r, err := Measure(t.Context(), h, 100*time.Millisecond)
	require.NoError(t, err)
	samples := s.Stop()
	require.NotEmpty(t, samples)
	assert.EqualError(t, samples[0].Err, `json path $.status equals "degraded": $.status got "up"`, "the sampler fails the sample itself")
	assert.Equal(t, Violated, r.Verdict)
	assert.Equal(t, `json path $.status equals "degraded": $.status got "up"`, r.Checks[0].FirstError)
}

// HTTPRequest builds each request anew: every one carries a key of its own,
// the options' headers are added, and the value is judged as HTTP's.
func TestHTTPRequestBuildsEachRequest(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	keys := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys[r.Header.Get("Idempotency-Key")]++
		mu.Unlock()
		w.Header().Set("X-Got-Type", r.Header.Get("Content-Type"))
		io.Copy(w, r.Body)
	}))
	t.Cleanup(srv.Close)
	build := func(ctx context.Context, seq int) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(fmt.Sprintf(`{"order":%d}`, seq)))
		if err == nil {
			req.Header.Set("Idempotency-Key", fmt.Sprintf("key-%d", seq))
		}
		return req, err
	}
	p := HTTPRequest("POST /orders", build, WithHeader("Content-Type", "application/json"))
	assert.Equal(t, "POST /orders", p.Name())
	h := New("orders are accepted", Observe(p, Every(10*time.Millisecond), Expect(Equals(200), JSONPath("$.order", InRange(0, 1000)),
		Satisfies("sent as JSON", func(r HTTPResponse) bool { return r.Header.Get("X-Got-Type") == "application/json" }))))
	r, err := Measure(t.Context(), h, 100*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, Held, r.Verdict, "%s", r)
	mu.Lock()
	defer mu.Unlock()
	assert.GreaterOrEqual(t, len(keys), r.Checks[0].Samples, "one key a request: %v", keys)
	for k, n := range keys {
		assert.Equal(t, 1, n, "key %s sent %d times", k, n)
	}
	assert.Contains(t, keys, "key-0", "seq counts from 0")

	assert.Equal(t, "orders", HTTPRequest("POST /orders", build, ProbeName("orders")).Name(), "ProbeName replaces name")
}

// A build error is the probe's own failure, and says so.
func TestHTTPRequestBuildFails(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	p := HTTPRequest("POST /orders", func(ctx context.Context, seq int) (*http.Request, error) {
		switch seq {
		case 0:
			return nil, errors.New("no order id left")
		case 1:
			return nil, nil
		}
		return http.NewRequest(http.MethodGet, srv.URL+"/slow", nil) // no context: given the probe's
	})
	_, err := p.Observe(t.Context())
	assert.EqualError(t, err, "build request 0: no order id left")
	_, err = p.Observe(t.Context())
	assert.EqualError(t, err, "build request 1: returned a nil request and no error")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = p.Observe(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the check's timeout bounds a request built without a context")
	assert.Less(t, time.Since(start), 150*time.Millisecond)

	v, err := HTTPRequest("down", func(ctx context.Context, _ int) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/unavailable", nil)
	}).Observe(t.Context())
	assert.EqualError(t, err, "status 503 not accepted (want 200-399)", "acceptance as for HTTP")
	assert.Equal(t, 503, v.(HTTPResponse).Status)
}

// Options print as written, so that messages and the journal can show them.
func TestHTTPOptionsPrintAsWritten(t *testing.T) {
	for _, c := range []struct {
		opt  HTTPOption
		want string
	}{
		{WithHeader("Accept", "text/html"), `WithHeader("Accept", "text/html")`},
		{WithBody("application/json", []byte(`{"a":1}`)), `WithBody("application/json", 7 bytes)`},
		{WithClient(http.DefaultClient), `WithClient(...)`},
		{AcceptStatus(200, 404), `AcceptStatus(200 404)`},
		{ProbeName("home page"), `ProbeName("home page")`},
	} {
		if got := c.opt.String(); got != c.want {
			t.Errorf("String() = %s, want %s", got, c.want)
		}
	}
}
