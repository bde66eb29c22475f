package inventory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/go-resilience/resilience/examples/inventory"
	"github.com/go-resilience/resilience/fixtures/grpcfault"
)

// A robust stock service in front of the gRPC inventory answers its count;
// while the upstream answers UNAVAILABLE it answers an explicit fallback
// after a few attempts, instead of storming the upstream.
func Example() {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	upstream := grpc.NewServer()
	inventory.RegisterUpstream(upstream)
	go func() { _ = upstream.Serve(ln) }()
	defer upstream.Stop()
	proxy, err := grpcfault.Open(ln.Addr(), grpcfault.Name("inventory"))
	if err != nil {
		panic(err)
	}
	defer proxy.Close()

	svc, err := inventory.New(inventory.Config{Variant: inventory.Robust, UpstreamAddr: proxy.Addr()})
	if err != nil {
		panic(err)
	}
	defer svc.Close()
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	get := func() {
		resp, err := http.Get(srv.URL + "/stock/SKU-42")
		if err != nil {
			panic(err)
		}
		var a inventory.Answer
		_ = json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		fmt.Printf("%d stock=%d fallback=%v\n", resp.StatusCode, a.Stock, a.Fallback)
	}
	get()
	revert, _ := proxy.Status(inventory.StockMethod, codes.Unavailable).Apply(context.Background())
	defer revert(context.Background())
	get()
	fmt.Println("calls to the upstream:", proxy.Calls())
	// Output:
	// 200 stock=979 fallback=false
	// 503 stock=0 fallback=true
	// calls to the upstream: 4
}
