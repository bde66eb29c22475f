// Package catalog is a small product-catalog HTTP service: it answers
// GET /items/{id} from a Redis cache in front of Postgres (cache-aside).
//
// It comes in two variants that differ by the one thing resilience needs:
//
//   - Robust bounds every Redis call (dial, read and write timeouts of
//     CacheTimeout, 50 ms by default, no client-side retries) and, when the
//     cache fails, answers from Postgres instead. A slow or dead cache costs at
//     most CacheTimeout per request.
//   - Fragile uses the Redis client with no timeouts and treats a cache error
//     as a request error, so the cache's health becomes the service's health.
//
// Postgres is the source of truth: the service creates and seeds its table on
// start. The cache is only an accelerator; its entries expire after TTL.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/go-resilience/resilience/examples/internal/variant"
)

// Variant selects how the service treats its cache.
type Variant = variant.Variant

const (
	// Robust bounds every cache call and falls back to Postgres on a cache error.
	Robust = variant.Robust
	// Fragile waits on the cache without a timeout and fails when the cache fails.
	Fragile = variant.Fragile
)

// Items is the number of items the service seeds: ids 1 to Items exist.
const Items = 100

// Config describes one catalog service. RedisAddr and PostgresDSN are required.
type Config struct {
	Variant   Variant
	RedisAddr string // "host:port" of Redis (usually a proxy in front of it)
	// RedisPassword is the password Redis requires ("" for none).
	RedisPassword string
	PostgresDSN   string // the Postgres connection string

	// CacheTimeout bounds each Redis call of the robust variant; zero means
	// 50 ms. The fragile variant ignores it.
	CacheTimeout time.Duration
	// TTL is how long a cached item lives; zero means one minute.
	TTL time.Duration
	// KeyPrefix namespaces this service's cache keys; empty means a prefix
	// unique to the service, so every service starts with a cold cache.
	KeyPrefix string
}

// Validate returns nil or a one-line error naming the field and the accepted range.
func (c Config) Validate() error {
	switch {
	case !c.Variant.Valid():
		return fmt.Errorf("catalog: Variant must be Robust or Fragile, got %d", int(c.Variant))
	case c.RedisAddr == "":
		return errors.New(`catalog: RedisAddr must be "host:port", got ""`)
	case c.PostgresDSN == "":
		return errors.New("catalog: PostgresDSN must be a Postgres connection string, got \"\"")
	case c.CacheTimeout < 0:
		return fmt.Errorf("catalog: CacheTimeout must be >= 0 (0 means 50ms), got %v", c.CacheTimeout)
	case c.TTL < 0:
		return fmt.Errorf("catalog: TTL must be >= 0 (0 means 1m), got %v", c.TTL)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.CacheTimeout == 0 {
		c.CacheTimeout = 50 * time.Millisecond
	}
	if c.TTL == 0 {
		c.TTL = time.Minute
	}
	if c.KeyPrefix == "" {
		c.KeyPrefix = fmt.Sprintf("catalog:%d", time.Now().UnixNano())
	}
	return c
}

// Item is what GET /items/{id} returns.
type Item struct {
	ID         int    `json:"id"`
	Name       string `json:"name"`
	PriceCents int    `json:"price_cents"`
}

// Cache outcomes, reported in the X-Cache response header.
const (
	CacheHit    = "hit"    // served from Redis
	CacheMiss   = "miss"   // not in Redis: served from Postgres and cached
	CacheBypass = "bypass" // Redis failed: served from Postgres (robust only)
)

// ErrNotFound is returned by Service.Item for an id that does not exist.
var ErrNotFound = errors.New("catalog: item not found")

// Service is a running catalog: its HTTP handler, its Redis client and its
// Postgres pool.
type Service struct {
	cfg      Config
	cache    *redis.Client
	db       *pgxpool.Pool
	bypassed atomic.Int64
}

// New connects to Postgres, creates and seeds the items table, and prepares
// the Redis client of the configured variant. Close releases both.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	db, err := pgxpool.New(ctx, cfg.PostgresDSN)
	if err != nil {
		return nil, fmt.Errorf("catalog: connect postgres: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return &Service{cfg: cfg, cache: redis.NewClient(redisOptions(cfg)), db: db}, nil
}

// redisOptions is where the two variants differ.
func redisOptions(cfg Config) *redis.Options {
	opts := &redis.Options{Addr: cfg.RedisAddr, Password: cfg.RedisPassword, DisableIdentity: true}
	switch cfg.Variant {
	case Robust:
		// Every way a call can wait is bounded by CacheTimeout: connecting,
		// reading, writing, waiting for a pooled connection, and the
		// request's own deadline. No client-side retries: a retry against a
		// slow cache multiplies the wait, and Postgres is the fallback.
		opts.DialTimeout = cfg.CacheTimeout
		opts.ReadTimeout = cfg.CacheTimeout
		opts.WriteTimeout = cfg.CacheTimeout
		opts.PoolTimeout = cfg.CacheTimeout
		opts.ContextTimeoutEnabled = true
		opts.MaxRetries = -1
	case Fragile:
		// The weakness: a cache call may take as long as the cache likes.
		opts.ReadTimeout = -1
		opts.WriteTimeout = -1
	}
	return opts
}

func migrate(ctx context.Context, db *pgxpool.Pool) error {
	// Several services may share one database: the advisory lock serialises
	// their migrations, and the statements are idempotent.
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7201)`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS catalog_items (
			id          integer PRIMARY KEY,
			name        text    NOT NULL,
			price_cents integer NOT NULL)`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO catalog_items (id, name, price_cents)
			SELECT i, 'item ' || i, 100 * i FROM generate_series(1, $1::integer) AS i
			ON CONFLICT (id) DO NOTHING`, Items)
		return err
	})
	if err != nil {
		return fmt.Errorf("catalog: migrate: %w", err)
	}
	return nil
}

// Variant returns the service's variant.
func (s *Service) Variant() Variant { return s.cfg.Variant }

// Bypassed is the number of requests answered from Postgres because the
// cache failed (robust only).
func (s *Service) Bypassed() int64 { return s.bypassed.Load() }

// Close releases the Redis client and the Postgres pool.
func (s *Service) Close() {
	_ = s.cache.Close()
	s.db.Close()
}

// Handler serves GET /items/{id} and GET /healthz.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", s.getItem)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func (s *Service) getItem(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 {
		http.Error(w, "id must be a positive integer", http.StatusBadRequest)
		return
	}
	item, outcome, err := s.Item(r.Context(), id)
	switch {
	case errors.Is(err, ErrNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Cache", outcome)
	_ = json.NewEncoder(w).Encode(item)
}

// Item returns the item with the given id and how the cache took part
// (CacheHit, CacheMiss or CacheBypass).
func (s *Service) Item(ctx context.Context, id int) (Item, string, error) {
	key := s.cfg.KeyPrefix + ":item:" + strconv.Itoa(id)
	cached, err := s.cacheGet(ctx, key)
	switch {
	case err == nil:
		var item Item
		if jerr := json.Unmarshal(cached, &item); jerr == nil {
			return item, CacheHit, nil
		}
		// A corrupt entry is a miss: Postgres overwrites it below.
	case errors.Is(err, redis.Nil):
	case s.cfg.Variant == Robust:
		// The cache is failing: answer from the source of truth and leave
		// the cache alone rather than spend another timeout writing to it.
		s.bypassed.Add(1)
		item, err := s.load(ctx, id)
		return item, CacheBypass, err
	default:
		return Item{}, "", fmt.Errorf("catalog: read cache: %w", err)
	}
	item, err := s.load(ctx, id)
	if err != nil {
		return Item{}, "", err
	}
	if err := s.cacheSet(ctx, key, item); err != nil && s.cfg.Variant == Fragile {
		return Item{}, "", fmt.Errorf("catalog: write cache: %w", err)
	}
	return item, CacheMiss, nil
}

func (s *Service) cacheGet(ctx context.Context, key string) ([]byte, error) {
	if s.cfg.Variant == Robust {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.CacheTimeout)
		defer cancel()
	}
	return s.cache.Get(ctx, key).Bytes()
}

func (s *Service) cacheSet(ctx context.Context, key string, item Item) error {
	if s.cfg.Variant == Robust {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.CacheTimeout)
		defer cancel()
	}
	b, err := json.Marshal(item)
	if err != nil {
		return err
	}
	return s.cache.Set(ctx, key, b, s.cfg.TTL).Err()
}

func (s *Service) load(ctx context.Context, id int) (Item, error) {
	item := Item{ID: id}
	err := s.db.QueryRow(ctx, `SELECT name, price_cents FROM catalog_items WHERE id = $1`, id).
		Scan(&item.Name, &item.PriceCents)
	if errors.Is(err, pgx.ErrNoRows) {
		return Item{}, ErrNotFound
	}
	if err != nil {
		return Item{}, fmt.Errorf("catalog: load item %d: %w", id, err)
	}
	return item, nil
}
