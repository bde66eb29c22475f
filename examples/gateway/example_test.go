package gateway_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-resilience/resilience/examples/gateway"
)

// A robust gateway in front of the quote service passes quotes through; when
// the upstream fails, it answers with an explicit fallback instead of a 502.
func Example() {
	upstream := httptest.NewServer(gateway.Upstream())
	defer upstream.Close()
	gw, err := gateway.New(gateway.Config{Variant: gateway.Robust, UpstreamURL: upstream.URL})
	if err != nil {
		panic(err)
	}
	defer gw.Close()
	srv := httptest.NewServer(gw.Handler())
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/quotes/ACME")
	if err != nil {
		panic(err)
	}
	var q gateway.Quote
	_ = json.NewDecoder(resp.Body).Decode(&q)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, q.Symbol, len(q.History))

	upstream.Close() // the upstream is gone
	resp, err = http.Get(srv.URL + "/quotes/ACME")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get(gateway.HeaderFallback), resp.Header.Get("Retry-After"))
	// Output:
	// 200 ACME 1024
	// 503 true 1
}

func ExampleConfig_Validate() {
	err := gateway.Config{UpstreamURL: "http://127.0.0.1:8080", TripAfter: -1}.Validate()
	fmt.Println(err)
	// Output:
	// gateway: TripAfter must be >= 0 (0 means 3), got -1
}
