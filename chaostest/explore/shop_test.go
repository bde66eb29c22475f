package explore_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest/explore"
	"github.com/go-resilience/resilience/fixtures/httpfault"
	"github.com/go-resilience/resilience/fixtures/netfault"
	"github.com/go-resilience/resilience/hypothesis"
)

// The system these tests explore: a shop page made of the answers of
// several dependencies, each an HTTP upstream in the test process.
//
// A robust part is called with a 250 ms timeout and left out of the page
// when it fails (the page degrades); a fragile part is called without a
// timeout and its failure fails the page (502). When every robust part has
// failed the page has nothing to show and answers 503: a system that
// survives the loss of any one dependency but not of two at once.

// partTimeout bounds each call of a robust part. While one robust part is
// faulted the page rests on the other alone, so a healthy call that
// overruns the timeout fails a page (503): the timeout needs a wide margin
// over a healthy call, not only over a fast one. A healthy call crosses
// two proxies and three servers in this process: a few milliseconds. With
// -race, on a 2-core machine running other test binaries beside this one
// (go test ./...), each of its half-dozen goroutine hand-offs can wait for
// a scheduler slice: over 2,000 healthy calls measured so, p50 4 ms, p99
// 29 ms, the slowest 1 in 1,000 past 100 ms and none past 125 ms. 250 ms
// is twice the slowest and still far under the faults' seconds.
const partTimeout = 250 * time.Millisecond

// part is one dependency of the shop as the shop sees it.
type part struct {
	name   string
	url    string // the proxy in front of the dependency
	robust bool
}

// startUpstream is one dependency: it answers a 4 KB JSON document, big
// enough that a squeezed bandwidth (1 KB/s) costs it seconds.
func startUpstream(t *testing.T, name string) string {
	t.Helper()
	doc, _ := json.Marshal(map[string]string{"part": name, "filler": strings.Repeat("x", 4<<10)})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// startShop serves the shop page at GET / and returns its URL.
func startShop(t *testing.T, parts []part) string {
	t.Helper()
	// A transport of its own, as a service has: the cells' shops do not
	// share (or close) each other's connections, and enough of them stay
	// idle for the parts called at once not to redial on every page.
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	robust := &http.Client{Timeout: partTimeout, Transport: tr}
	fragile := &http.Client{Transport: tr} // no timeout: the weakness
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var wg sync.WaitGroup
		ok := make([]bool, len(parts))
		for i, p := range parts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := fragile
				if p.robust {
					c = robust
				}
				ok[i] = call(r.Context(), c, p.url)
			}()
		}
		wg.Wait()
		robustLeft, robustParts := 0, 0
		for i, p := range parts {
			switch {
			case !p.robust && !ok[i]:
				http.Error(w, p.name+" failed", http.StatusBadGateway)
				return
			case p.robust:
				robustParts++
				if ok[i] {
					robustLeft++
				}
			}
		}
		if robustParts > 0 && robustLeft == 0 {
			http.Error(w, "nothing to show", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "page\n")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// call reports whether one call of a part got a whole 200 answer.
func call(ctx context.Context, c *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err == nil && resp.StatusCode == http.StatusOK
}

// The steady state: "the shop page answers, fast".
//
//   - at least 95% of pages succeed: a degraded page is a success, a 502 or
//     503 is not. A robust shop with one dependency failing answers every
//     page; a fragile part failing fails every page.
//   - p99 at most 750 ms: a healthy page takes a few milliseconds; the
//     worst case of a robust part is its 250 ms timeout (parts are called
//     at once, so the timeouts do not add up), three times under the bound.
//     The faults make a fragile part 2 s late or silent or push its 4 KB
//     answer through 1 KB/s (4 s): its pages time out at the probe's 1 s,
//     so they fail by errors whatever the bound.
var (
	pagesSucceed = hypothesis.SuccessRate(0.95)
	pagesFast    = hypothesis.LatencyP(99, 750*time.Millisecond)
)

func shopSteadyState(t *testing.T, url string) *hypothesis.Hypothesis {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	t.Cleanup(client.CloseIdleConnections)
	return hypothesis.New("the shop page answers, fast",
		hypothesis.Observe(hypothesis.HTTPGet(url+"/", hypothesis.ProbeName("GET /"), hypothesis.WithClient(client)),
			hypothesis.Every(25*time.Millisecond), hypothesis.Timeout(time.Second),
			hypothesis.Expect(pagesSucceed, pagesFast)))
}

// shopSystem builds, for one cell, the shop and a TCP and an HTTP proxy in
// front of each upstream (shared by every cell), so that every fault of the
// catalogue applies to every dependency.
func shopSystem(upstreams map[string]string, robust map[string]bool, order ...string) func(t *testing.T) explore.System {
	return func(t *testing.T) explore.System {
		var parts []part
		var deps []explore.Dependency
		for _, name := range order {
			tcp := netfault.New(t, upstreams[name], netfault.Name(name))
			web := httpfault.New(t, tcp.Addr(), httpfault.Name(name))
			deps = append(deps, explore.Dependency{Name: name, TCP: tcp, HTTP: web})
			parts = append(parts, part{name: name, url: web.URL() + "/", robust: robust[name]})
		}
		return explore.System{Steady: shopSteadyState(t, startShop(t, parts)), Dependencies: deps}
	}
}
