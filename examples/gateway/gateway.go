// Package gateway is a small API gateway: GET /quotes/{symbol} asks an
// upstream quote service over HTTP and passes its answer on.
//
// It comes in two variants that differ by the one thing resilience needs:
//
//   - Robust calls the upstream with a client timeout (Timeout, 100 ms by
//     default) behind a circuit breaker (github.com/sony/gobreaker/v2). When
//     the upstream is slow or gone, the gateway answers at once with an
//     explicit fallback: 503, a Retry-After header and a JSON body
//     {"symbol":...,"fallback":true}. After a few consecutive failures the
//     breaker opens and the gateway stops calling the upstream for
//     OpenFor; a trial call then closes it again when the upstream is back.
//   - Fragile calls the upstream with a bare http.Client: no timeout, no
//     breaker. A slow upstream makes every request as slow, and requests
//     pile up; a dead one turns into 502 Bad Gateway.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/go-resilience/resilience/examples/internal/variant"
)

// Variant selects how the gateway calls its upstream.
type Variant = variant.Variant

const (
	// Robust: client timeout, circuit breaker, fallback answer.
	Robust = variant.Robust
	// Fragile: a bare client, no timeout, no breaker, no fallback.
	Fragile = variant.Fragile
)

// HeaderFallback is set to "true" on fallback answers.
const HeaderFallback = "X-Fallback"

// Config describes one gateway. UpstreamURL is required.
type Config struct {
	Variant     Variant
	UpstreamURL string // base URL of the quote service (usually through a proxy)

	// Timeout bounds one upstream call of the robust variant (connecting,
	// sending and reading the whole body); zero means 100 ms.
	Timeout time.Duration
	// TripAfter consecutive failures open the breaker; zero means 3.
	TripAfter int
	// OpenFor is how long an open breaker rejects calls before it lets a
	// trial call through; zero means 200 ms.
	OpenFor time.Duration
}

// Validate returns nil or a one-line error naming the field and the accepted range.
func (c Config) Validate() error {
	switch {
	case !c.Variant.Valid():
		return fmt.Errorf("gateway: Variant must be Robust or Fragile, got %d", int(c.Variant))
	case c.UpstreamURL == "":
		return errors.New(`gateway: UpstreamURL must be a base URL such as "http://127.0.0.1:8080", got ""`)
	case c.Timeout < 0:
		return fmt.Errorf("gateway: Timeout must be >= 0 (0 means 100ms), got %v", c.Timeout)
	case c.TripAfter < 0:
		return fmt.Errorf("gateway: TripAfter must be >= 0 (0 means 3), got %d", c.TripAfter)
	case c.OpenFor < 0:
		return fmt.Errorf("gateway: OpenFor must be >= 0 (0 means 200ms), got %v", c.OpenFor)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = 100 * time.Millisecond
	}
	if c.TripAfter == 0 {
		c.TripAfter = 3
	}
	if c.OpenFor == 0 {
		c.OpenFor = 200 * time.Millisecond
	}
	return c
}

// Fallback is the body of a fallback answer.
type Fallback struct {
	Symbol   string `json:"symbol"`
	Fallback bool   `json:"fallback"`
	Reason   string `json:"reason"`
}

// Service is a gateway in front of one upstream.
type Service struct {
	cfg       Config
	client    *http.Client
	breaker   *gobreaker.CircuitBreaker[[]byte]
	inFlight  atomic.Int64
	fallbacks atomic.Int64
}

// New returns a gateway of the configured variant.
func New(cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	s := &Service{cfg: cfg}
	switch cfg.Variant {
	case Robust:
		s.client = &http.Client{Timeout: cfg.Timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
		trip := uint32(cfg.TripAfter)
		s.breaker = gobreaker.NewCircuitBreaker[[]byte](gobreaker.Settings{
			Name:        "upstream",
			Timeout:     cfg.OpenFor,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= trip },
			// A client that went away says nothing about the upstream.
			IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		})
	case Fragile:
		// The weakness: no timeout anywhere, no breaker.
		s.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	}
	return s, nil
}

// Variant returns the gateway's variant.
func (s *Service) Variant() Variant { return s.cfg.Variant }

// InFlight is the number of requests the gateway is serving now: the queue
// that piles up behind a slow upstream.
func (s *Service) InFlight() int64 { return s.inFlight.Load() }

// Fallbacks is the number of fallback answers the gateway gave.
func (s *Service) Fallbacks() int64 { return s.fallbacks.Load() }

// BreakerState is the circuit breaker's state ("closed", "open",
// "half-open"), or "none" for the fragile variant.
func (s *Service) BreakerState() string {
	if s.breaker == nil {
		return "none"
	}
	return s.breaker.State().String()
}

// Close releases idle upstream connections.
func (s *Service) Close() { s.client.CloseIdleConnections() }

// Handler serves GET /quotes/{symbol}.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /quotes/{symbol}", s.getQuote)
	return mux
}

func (s *Service) getQuote(w http.ResponseWriter, r *http.Request) {
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	symbol := r.PathValue("symbol")
	call := func() ([]byte, error) { return s.fetch(r.Context(), symbol) }
	var body []byte
	var err error
	if s.breaker != nil {
		body, err = s.breaker.Execute(call)
	} else {
		body, err = call()
	}
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	case s.breaker != nil:
		s.fallbacks.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set(HeaderFallback, "true")
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(Fallback{Symbol: symbol, Fallback: true, Reason: err.Error()})
	default:
		http.Error(w, "upstream: "+err.Error(), http.StatusBadGateway)
	}
}

// fetch makes one upstream call and returns the whole body of a 200 answer.
func (s *Service) fetch(ctx context.Context, symbol string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.UpstreamURL+"/quotes/"+symbol, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read upstream answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("upstream answered %d", resp.StatusCode)
	}
	return body, nil
}
