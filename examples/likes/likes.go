// Package likes is a small HTTP service that counts likes in Redis:
// POST /likes/{id} adds one (INCR) and answers the new count, GET
// /likes/{id} answers the count.
//
// Its Redis is a primary with replicas behind a name (Sentinel, a managed
// service's endpoint). At a failover the old primary becomes a replica and
// answers every write with READONLY, until the client's connections are
// made again to the new primary. It comes in two variants:
//
//   - Robust retries a write that failed: go-redis closes a connection that
//     answered READONLY (the next attempt dials again, and reaches the new
//     primary) and retries it, here up to Retries times, each after a
//     backoff between MinBackoff and MaxBackoff. Retries*MinBackoff (2 s by
//     default) is how long a failover it rides out at least.
//   - Fragile makes one attempt: READONLY is an error for its client, for as
//     long as the failover lasts.
//
// An INCR answered READONLY was not executed, so retrying it counts a like
// once.
package likes

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-resilience/resilience/examples/internal/serve"
	"github.com/go-resilience/resilience/examples/internal/variant"
)

// Variant selects how the service treats a failed write.
type Variant = variant.Variant

const (
	// Robust retries a failed write with backoff, on a new connection.
	Robust = variant.Robust
	// Fragile makes one attempt.
	Fragile = variant.Fragile
)

// Config describes one likes service. RedisAddr is required.
type Config struct {
	Variant   Variant
	RedisAddr string // "host:port" of Redis (usually a proxy in front of it)
	// RedisPassword is the password Redis requires ("" for none).
	RedisPassword string
	// Retries is how many times Robust retries a write; zero means 20.
	// Fragile makes one attempt whatever it says.
	Retries int
	// MinBackoff and MaxBackoff bound the pause before each retry; zero
	// means 100 ms and 250 ms.
	MinBackoff, MaxBackoff time.Duration
	// KeyPrefix namespaces this service's keys; empty means a prefix unique
	// to the service.
	KeyPrefix string
}

// Validate returns nil or a one-line error naming the field and the
// accepted range.
func (c Config) Validate() error {
	switch {
	case !c.Variant.Valid():
		return fmt.Errorf("likes: Variant must be Robust or Fragile, got %d", int(c.Variant))
	case c.RedisAddr == "":
		return errors.New(`likes: RedisAddr must be "host:port", got ""`)
	case c.Retries < 0:
		return fmt.Errorf("likes: Retries must be >= 0 (0 means 20), got %d", c.Retries)
	case c.MinBackoff < 0 || c.MaxBackoff < 0:
		return fmt.Errorf("likes: MinBackoff and MaxBackoff must be >= 0 (0 means 100ms and 250ms), got %v and %v", c.MinBackoff, c.MaxBackoff)
	case c.MaxBackoff != 0 && c.MinBackoff > c.MaxBackoff:
		return fmt.Errorf("likes: MinBackoff %v must be <= MaxBackoff %v", c.MinBackoff, c.MaxBackoff)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Retries == 0 {
		c.Retries = 20
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 250 * time.Millisecond
	}
	if c.KeyPrefix == "" {
		c.KeyPrefix = fmt.Sprintf("likes:%d", time.Now().UnixNano())
	}
	return c
}

// Service is a likes service: its HTTP handler and its Redis client.
type Service struct {
	cfg   Config
	redis *redis.Client
}

// New prepares the Redis client of the configured variant. Close releases
// it.
func New(cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	opts := &redis.Options{Addr: cfg.RedisAddr, Password: cfg.RedisPassword, MaxRetries: -1, DialTimeout: time.Second,
		ReadTimeout: time.Second, WriteTimeout: time.Second}
	if cfg.Variant == Robust {
		opts.MaxRetries, opts.MinRetryBackoff, opts.MaxRetryBackoff = cfg.Retries, cfg.MinBackoff, cfg.MaxBackoff
	}
	return &Service{cfg: cfg, redis: redis.NewClient(opts)}, nil
}

// Close closes the Redis client.
func (s *Service) Close() error { return s.redis.Close() }

// Key is the Redis key of item id's likes.
func (s *Service) Key(id int) string { return s.cfg.KeyPrefix + ":" + strconv.Itoa(id) }

// Handler serves POST and GET /likes/{id}: 200 with the count, 400 for a
// bad id, 503 when Redis failed.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /likes/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.answer(w, r, func(ctx context.Context, key string) (int64, error) { return s.redis.Incr(ctx, key).Result() })
	})
	mux.HandleFunc("GET /likes/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.answer(w, r, func(ctx context.Context, key string) (int64, error) {
			n, err := s.redis.Get(ctx, key).Int64()
			if errors.Is(err, redis.Nil) {
				return 0, nil
			}
			return n, err
		})
	})
	return mux
}

func (s *Service) answer(w http.ResponseWriter, r *http.Request, op func(context.Context, string) (int64, error)) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 0 {
		http.Error(w, "likes: id must be a non-negative integer", http.StatusBadRequest)
		return
	}
	n, err := op(r.Context(), s.Key(id))
	if err != nil {
		http.Error(w, "likes: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, n)
}

// T is what Start needs of a test (*testing.T satisfies it).
type T = serve.T

// Running is a likes service served over HTTP on a loopback address.
type Running struct {
	*Service
	URL string // base URL, e.g. "http://127.0.0.1:41234"
}

// Start runs a likes service in the test process for the duration of t:
// the HTTP server and the Redis client are closed by t.Cleanup.
func Start(t T, cfg Config) *Running {
	t.Helper()
	svc, err := New(cfg)
	return &Running{Service: svc, URL: serve.Start(t, "start likes", svc, err, func() { _ = svc.Close() })}
}
