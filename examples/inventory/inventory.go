// Package inventory is a small stock service: GET /stock/{sku} asks an
// upstream inventory service over gRPC (StockMethod) and answers its count
// as JSON.
//
// It comes in two variants that differ by how they retry a call the
// upstream answers UNAVAILABLE (a server shedding load, an instance
// restarting):
//
//   - Robust retries at most Attempts-1 times, after an exponential backoff
//     with full jitter (Backoff, doubling), and only while its retry budget
//     allows: like gRPC's retry throttling, each failed attempt spends a
//     token and each success earns a tenth of one, and retries stop while
//     fewer than half of the 10 tokens are left. When it gives up it answers
//     with an explicit fallback: 503, Retry-After and X-Fallback.
//   - Fragile retries UNAVAILABLE at once, without backoff or budget, until
//     a call succeeds or its Deadline passes. Its clients see few errors;
//     its upstream sees every request several times over: a retry storm.
package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/go-resilience/resilience/examples/internal/variant"
)

// Variant selects how the service retries its upstream.
type Variant = variant.Variant

const (
	// Robust: backoff with jitter, a few attempts, a retry budget, a fallback.
	Robust = variant.Robust
	// Fragile: retries UNAVAILABLE at once until the deadline.
	Fragile = variant.Fragile
)

// HeaderFallback is set to "true" on fallback answers.
const HeaderFallback = "X-Fallback"

// Config describes one stock service. UpstreamAddr is required.
type Config struct {
	Variant      Variant
	UpstreamAddr string // "host:port" of the inventory service (usually a proxy)

	// Deadline bounds one request's upstream calls, retries included;
	// zero means 1 s.
	Deadline time.Duration
	// Attempts bounds the robust variant's attempts per request; zero
	// means 3.
	Attempts int
	// Backoff is the robust variant's first backoff, doubled after each
	// retry, with full jitter; zero means 25 ms.
	Backoff time.Duration
}

// Validate returns nil or a one-line error naming the field and the accepted range.
func (c Config) Validate() error {
	switch {
	case !c.Variant.Valid():
		return fmt.Errorf("inventory: Variant must be Robust or Fragile, got %d", int(c.Variant))
	case c.UpstreamAddr == "":
		return errors.New(`inventory: UpstreamAddr must be "host:port", got ""`)
	case c.Deadline < 0:
		return fmt.Errorf("inventory: Deadline must be >= 0 (0 means 1s), got %v", c.Deadline)
	case c.Attempts < 0:
		return fmt.Errorf("inventory: Attempts must be >= 0 (0 means 3), got %d", c.Attempts)
	case c.Backoff < 0:
		return fmt.Errorf("inventory: Backoff must be >= 0 (0 means 25ms), got %v", c.Backoff)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Deadline == 0 {
		c.Deadline = time.Second
	}
	if c.Attempts == 0 {
		c.Attempts = 3
	}
	if c.Backoff == 0 {
		c.Backoff = 25 * time.Millisecond
	}
	return c
}

// Service is a stock service in front of one inventory upstream.
type Service struct {
	cfg       Config
	conn      *grpc.ClientConn
	budget    *budget // nil for the fragile variant
	attempts  atomic.Int64
	fallbacks atomic.Int64
}

// New returns a stock service of the configured variant; its connection
// to the upstream is made lazily, at the first call.
func New(cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	conn, err := grpc.NewClient(cfg.UpstreamAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("inventory: upstream %q: %w", cfg.UpstreamAddr, err)
	}
	s := &Service{cfg: cfg, conn: conn}
	if cfg.Variant == Robust {
		s.budget = &budget{tokens: budgetTokens}
	}
	return s, nil
}

// Variant returns the service's variant.
func (s *Service) Variant() Variant { return s.cfg.Variant }

// Attempts is the number of upstream calls the service made.
func (s *Service) Attempts() int64 { return s.attempts.Load() }

// Fallbacks is the number of fallback answers the service gave.
func (s *Service) Fallbacks() int64 { return s.fallbacks.Load() }

// Close closes the connection to the upstream.
func (s *Service) Close() error { return s.conn.Close() }

// Handler serves GET /stock/{sku}.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stock/{sku}", s.getStock)
	return mux
}

// Answer is the body of an answer: the count, or a fallback.
type Answer struct {
	SKU      string `json:"sku"`
	Stock    int64  `json:"stock"`
	Fallback bool   `json:"fallback,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func (s *Service) getStock(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Deadline)
	defer cancel()
	var n int64
	var err error
	if s.cfg.Variant == Robust {
		n, err = s.robust(ctx, sku)
	} else {
		n, err = s.fragile(ctx, sku)
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case err == nil:
		_ = json.NewEncoder(w).Encode(Answer{SKU: sku, Stock: n})
	case s.cfg.Variant == Robust:
		s.fallbacks.Add(1)
		w.Header().Set(HeaderFallback, "true")
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(Answer{SKU: sku, Fallback: true, Reason: err.Error()})
	default:
		http.Error(w, "upstream: "+err.Error(), http.StatusBadGateway)
	}
}

// call makes one upstream call.
func (s *Service) call(ctx context.Context, sku string) (int64, error) {
	s.attempts.Add(1)
	out := new(wrapperspb.Int64Value)
	if err := s.conn.Invoke(ctx, StockMethod, wrapperspb.String(sku), out); err != nil {
		return 0, err
	}
	return out.Value, nil
}

// fragile is the weakness: UNAVAILABLE is retried at once, as often as the
// deadline allows.
func (s *Service) fragile(ctx context.Context, sku string) (int64, error) {
	for {
		n, err := s.call(ctx, sku)
		if status.Code(err) != codes.Unavailable || ctx.Err() != nil {
			return n, err
		}
	}
}

// robust retries UNAVAILABLE after a jittered, doubling backoff, at most
// Attempts times in all, and only while the budget allows.
func (s *Service) robust(ctx context.Context, sku string) (int64, error) {
	backoff := s.cfg.Backoff
	for attempt := 1; ; attempt++ {
		n, err := s.call(ctx, sku)
		s.budget.record(err == nil)
		if status.Code(err) != codes.Unavailable || attempt == s.cfg.Attempts || !s.budget.allowsRetry() {
			return n, err
		}
		t := time.NewTimer(rand.N(backoff) + 1) // full jitter: (0, backoff]
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		case <-t.C:
		}
		backoff *= 2
	}
}

// budgetTokens is the size of the retry budget, as gRPC's retry throttling
// has it (maxTokens 10, tokenRatio 0.1).
const budgetTokens = 10

// budget is a retry budget: failures spend a token, successes earn a tenth
// of one; retries are allowed while more than half the tokens are left.
// Once the upstream fails most calls, retries stop and the load it sees is
// the load the service's clients offer, no more.
type budget struct {
	mu     sync.Mutex
	tokens float64
}

func (b *budget) record(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ok {
		b.tokens = min(budgetTokens, b.tokens+0.1)
	} else {
		b.tokens = max(0, b.tokens-1)
	}
}

func (b *budget) allowsRetry() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens > budgetTokens/2
}
