// Command rates is the shipping rate service of the shipping example, run
// as a binary of its own: GET /rates/{zone} answers {"zone":"eu","cents":1250}.
//
// It listens on $RATES_ADDR (default 127.0.0.1:8080), adds -surcharge cents
// to every rate, says "rates: listening on ADDR" once it accepts requests
// (its readiness), answers GET /healthz, and on SIGTERM stops accepting,
// finishes what is in flight and exits.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// base is the rate of each zone, in cents.
var base = map[string]int{"eu": 1250, "us": 1900, "asia": 2400}

func main() {
	surcharge := flag.Int("surcharge", 0, "cents added to every rate")
	flag.Parse()
	addr := os.Getenv("RATES_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	if err := serve(addr, *surcharge); err != nil {
		fmt.Fprintln(os.Stderr, "rates:", err)
		os.Exit(1)
	}
}

func serve(addr string, surcharge int) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /rates/{zone}", func(w http.ResponseWriter, r *http.Request) {
		zone := r.PathValue("zone")
		cents, ok := base[zone]
		if !ok {
			http.Error(w, "unknown zone", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"zone": zone, "cents": cents + surcharge})
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- srv.Shutdown(sctx)
	}()
	fmt.Printf("rates: listening on %s\n", ln.Addr())
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	if err := <-done; err != nil {
		return err
	}
	fmt.Println("rates: stopped")
	return nil
}
