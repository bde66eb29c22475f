// Package serve runs an example's service in the test process for the
// duration of a test: the plumbing every example's Start shares.
package serve

import (
	"net/http"
	"net/http/httptest"
)

// T is what Start needs of a test (*testing.T satisfies it).
type T interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
	Cleanup(func())
}

// Check stops the test when err is not nil, saying what failed: the
// service's constructor's error, for instance.
func Check(t T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
		t.FailNow()
	}
}

// HTTP serves h on a loopback address for the duration of t. t.Cleanup
// closes the server, then calls each of after in order (the service's own
// Close, for instance), so nothing the server still uses is closed before
// it.
func HTTP(t T, h http.Handler, after ...func()) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		for _, f := range after {
			f()
		}
	})
	return srv
}

// Start serves svc on a loopback address for the duration of t and returns
// its base URL ("http://127.0.0.1:41234"). svc and err are what the
// service's constructor returned: an error stops the test, saying what
// failed ("start gateway"). t.Cleanup closes the server, then calls
// closeSvc, the service's own Close.
func Start(t T, what string, svc interface{ Handler() http.Handler }, err error, closeSvc func()) string {
	t.Helper()
	Check(t, what, err)
	return HTTP(t, svc.Handler(), closeSvc).URL
}
