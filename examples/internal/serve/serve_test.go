package serve_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-resilience/resilience/examples/internal/serve"
)

type recT struct {
	errs     []string
	failed   bool
	cleanups []func()
}

func (r *recT) Helper() {}
func (r *recT) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recT) FailNow()         { r.failed = true }
func (r *recT) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func TestHTTPServesThenClosesServerBeforeTheRest(t *testing.T) {
	rt := &recT{}
	var order []string
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	var url string
	srv := serve.HTTP(rt, h, func() {
		_, err := http.Get(url)
		order = append(order, fmt.Sprintf("after: server closed=%v", err != nil))
	})
	url = srv.URL
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Fatalf("body: got %q, want %q", body, "ok")
	}
	if len(rt.cleanups) != 1 {
		t.Fatalf("cleanups registered: got %d, want 1", len(rt.cleanups))
	}
	rt.cleanups[0]()
	if len(order) != 1 || order[0] != "after: server closed=true" {
		t.Fatalf("after: got %v, want one call once the server is closed", order)
	}
}

func TestCheckStopsOnAnErrorOnly(t *testing.T) {
	rt := &recT{}
	serve.Check(rt, "start gateway", nil)
	if rt.failed || len(rt.errs) != 0 {
		t.Fatalf("nil error: failed=%v errs=%v, want neither", rt.failed, rt.errs)
	}
	serve.Check(rt, "start gateway", errors.New("gateway: UpstreamURL must be set"))
	if !rt.failed || len(rt.errs) != 1 || rt.errs[0] != "start gateway: gateway: UpstreamURL must be set" {
		t.Fatalf("error: failed=%v errs=%q", rt.failed, rt.errs)
	}
}

func TestGetReadsTheWholeBodyAndStopsOnARefusedRequest(t *testing.T) {
	srv := serve.HTTP(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, "short and stout")
	}))
	resp, body := serve.Get(t, srv.URL)
	if resp.StatusCode != http.StatusTeapot || string(body) != "short and stout" {
		t.Fatalf("got %d %q, want 418 %q", resp.StatusCode, body, "short and stout")
	}
	url := srv.URL
	srv.Close()
	rt := &recT{}
	func() {
		defer func() { _ = recover() }() // Get goes on after the fake FailNow; a real one stops there
		serve.Get(rt, url)
	}()
	if !rt.failed || len(rt.errs) == 0 || !strings.HasPrefix(rt.errs[0], "GET "+url+": ") {
		t.Fatalf("refused request: failed=%v errs=%q, want a failure naming the GET", rt.failed, rt.errs)
	}
}

type teapot struct{}

func (teapot) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
}

func TestStartServesTheServiceAndClosesItAfterTheServer(t *testing.T) {
	rt := &recT{}
	closed := 0
	url := serve.Start(rt, "start teapot", teapot{}, nil, func() { closed++ })
	resp, body := serve.Get(t, url)
	if resp.StatusCode != http.StatusTeapot || len(body) != 0 {
		t.Fatalf("got %d %q, want 418 and no body", resp.StatusCode, body)
	}
	if rt.failed || len(rt.cleanups) != 1 {
		t.Fatalf("failed=%v cleanups=%d, want a running service and one cleanup", rt.failed, len(rt.cleanups))
	}
	rt.cleanups[0]()
	if closed != 1 {
		t.Fatalf("service closed %d times by the cleanup, want 1", closed)
	}
	if _, err := http.Get(url); err == nil {
		t.Fatal("the server still answers after the cleanup")
	}
}

func TestStartStopsOnTheConstructorsError(t *testing.T) {
	rt := &recT{}
	func() {
		defer func() { _ = recover() }() // Start goes on after the fake FailNow; a real one stops there
		serve.Start(rt, "start teapot", teapot{}, errors.New("teapot: Spout must be set"), func() {})
	}()
	if !rt.failed || len(rt.errs) != 1 || rt.errs[0] != "start teapot: teapot: Spout must be set" {
		t.Fatalf("failed=%v errs=%q, want one failure naming what failed to start", rt.failed, rt.errs)
	}
}
