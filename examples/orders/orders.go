// Package orders is a small order-taking HTTP service that writes orders to
// Postgres. A client places an order with POST /orders, a JSON body and an
// Idempotency-Key header it generates once per order and repeats on retry.
//
// It comes in three variants, each missing nothing or exactly one thing:
//
//   - Robust retries a failed write with exponential backoff (each attempt
//     bounded by AttemptTimeout, all of them by Budget), and makes the write
//     idempotent: a unique constraint on the idempotency key and
//     INSERT ... ON CONFLICT DO NOTHING turn a retried insert whose first try
//     committed (but whose answer was lost) into a no-op that returns the
//     order already stored.
//   - NoRetry is idempotent but tries once: any blip of the database
//     connection is an error for the client.
//   - NoIdempotency retries like Robust, but with a plain INSERT: when a
//     commit succeeded and only its answer was lost, the retry stores the
//     order a second time.
//
// Every service owns a table of its own (orders_<n>), so services sharing one
// database never see each other's orders.
package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Variant selects how the service writes an order.
type Variant int

const (
	// Robust retries with backoff and writes idempotently.
	Robust Variant = iota
	// NoRetry writes idempotently but only once.
	NoRetry
	// NoIdempotency retries with backoff but writes with a plain INSERT.
	NoIdempotency
)

// String returns "robust", "no-retry" or "no-idempotency".
func (v Variant) String() string {
	switch v {
	case Robust:
		return "robust"
	case NoRetry:
		return "no-retry"
	case NoIdempotency:
		return "no-idempotency"
	default:
		return fmt.Sprintf("Variant(%d)", int(v))
	}
}

// HeaderIdempotencyKey is the request header carrying the client's key.
const HeaderIdempotencyKey = "Idempotency-Key"

// Config describes one orders service. PostgresDSN is required.
type Config struct {
	Variant     Variant
	PostgresDSN string // usually through a proxy in front of Postgres

	// AttemptTimeout bounds one write attempt (connecting included); zero
	// means 200 ms.
	AttemptTimeout time.Duration
	// Budget bounds all attempts of one request; zero means 4 s. The
	// NoRetry variant makes a single attempt.
	Budget time.Duration
	// Backoff is the pause after the first failed attempt; it doubles after
	// each further failure, up to 250 ms. Zero means 10 ms.
	Backoff time.Duration
}

// Validate returns nil or a one-line error naming the field and the accepted range.
func (c Config) Validate() error {
	switch {
	case c.Variant < Robust || c.Variant > NoIdempotency:
		return fmt.Errorf("orders: Variant must be Robust, NoRetry or NoIdempotency, got %d", int(c.Variant))
	case c.PostgresDSN == "":
		return errors.New(`orders: PostgresDSN must be a Postgres connection string, got ""`)
	case c.AttemptTimeout < 0:
		return fmt.Errorf("orders: AttemptTimeout must be >= 0 (0 means 200ms), got %v", c.AttemptTimeout)
	case c.Budget < 0:
		return fmt.Errorf("orders: Budget must be >= 0 (0 means 4s), got %v", c.Budget)
	case c.Backoff < 0:
		return fmt.Errorf("orders: Backoff must be >= 0 (0 means 10ms), got %v", c.Backoff)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.AttemptTimeout == 0 {
		c.AttemptTimeout = 200 * time.Millisecond
	}
	if c.Budget == 0 {
		c.Budget = 4 * time.Second
	}
	if c.Backoff == 0 {
		c.Backoff = 10 * time.Millisecond
	}
	return c
}

const maxBackoff = 250 * time.Millisecond

// Order is the body of POST /orders.
type Order struct {
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

// Receipt is the answer to an accepted order.
type Receipt struct {
	ID             int64  `json:"id"`
	IdempotencyKey string `json:"idempotency_key"`
	Attempts       int    `json:"attempts"`
}

// Service is a running orders service: its handler and its Postgres pool.
type Service struct {
	cfg     Config
	db      *pgxpool.Pool
	table   string
	retries atomic.Int64
}

var tables atomic.Int64

// New connects to Postgres and creates the service's own orders table.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	poolCfg, err := pgxpool.ParseConfig(cfg.PostgresDSN)
	if err != nil {
		return nil, fmt.Errorf("orders: parse PostgresDSN: %w", err)
	}
	db, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("orders: connect postgres: %w", err)
	}
	s := &Service{cfg: cfg, db: db,
		table: fmt.Sprintf("orders_%d_%d", time.Now().UnixNano(), tables.Add(1))}
	// Only the idempotent variants have the constraint their write relies on.
	unique := "UNIQUE"
	if cfg.Variant == NoIdempotency {
		unique = ""
	}
	_, err = db.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s (
		id              bigserial   PRIMARY KEY,
		idempotency_key text        NOT NULL %s,
		item            text        NOT NULL,
		quantity        integer     NOT NULL,
		created_at      timestamptz NOT NULL DEFAULT now())`, s.table, unique))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("orders: create table: %w", err)
	}
	return s, nil
}

// Table is the name of the service's orders table.
func (s *Service) Table() string { return s.table }

// Variant returns the service's variant.
func (s *Service) Variant() Variant { return s.cfg.Variant }

// Retries is the number of write attempts made after a failed one.
func (s *Service) Retries() int64 { return s.retries.Load() }

// Close releases the Postgres pool.
func (s *Service) Close() { s.db.Close() }

// Handler serves POST /orders.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", s.postOrder)
	return mux
}

func (s *Service) postOrder(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(HeaderIdempotencyKey)
	if key == "" || len(key) > 200 {
		http.Error(w, "the Idempotency-Key header must hold 1 to 200 characters", http.StatusBadRequest)
		return
	}
	var o Order
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&o); err != nil {
		http.Error(w, "body must be a JSON order: "+err.Error(), http.StatusBadRequest)
		return
	}
	if strings.TrimSpace(o.Item) == "" || o.Quantity < 1 || o.Quantity > 1000 {
		http.Error(w, "item must be non-empty and quantity in [1, 1000]", http.StatusBadRequest)
		return
	}
	receipt, err := s.Place(r.Context(), key, o)
	if err != nil {
		w.Header().Set("Retry-After", "1")
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(receipt)
}

// Place stores the order under the idempotency key, retrying as the variant
// does, and returns the stored order's receipt.
func (s *Service) Place(ctx context.Context, key string, o Order) (Receipt, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Budget)
	defer cancel()
	pause := s.cfg.Backoff
	for attempt := 1; ; attempt++ {
		id, err := s.write(ctx, key, o)
		if err == nil {
			return Receipt{ID: id, IdempotencyKey: key, Attempts: attempt}, nil
		}
		if s.cfg.Variant == NoRetry || !Retryable(err) {
			return Receipt{}, fmt.Errorf("orders: store order (attempt %d): %w", attempt, err)
		}
		select {
		case <-ctx.Done():
			return Receipt{}, fmt.Errorf("orders: store order: gave up after %d attempts: %w", attempt, err)
		case <-time.After(pause):
		}
		pause = min(2*pause, maxBackoff)
		s.retries.Add(1)
	}
}

// write makes one attempt, bounded by AttemptTimeout.
func (s *Service) write(ctx context.Context, key string, o Order) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.AttemptTimeout)
	defer cancel()
	var id int64
	var err error
	if s.cfg.Variant == NoIdempotency {
		err = s.db.QueryRow(ctx, fmt.Sprintf(
			`INSERT INTO %s (idempotency_key, item, quantity) VALUES ($1, $2, $3) RETURNING id`, s.table),
			key, o.Item, o.Quantity).Scan(&id)
		return id, err
	}
	// The insert and the look-up of an order stored by an earlier attempt
	// are one statement: whichever attempt committed, the answer is its id.
	err = s.db.QueryRow(ctx, fmt.Sprintf(`WITH ins AS (
			INSERT INTO %[1]s (idempotency_key, item, quantity) VALUES ($1, $2, $3)
			ON CONFLICT (idempotency_key) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM %[1]s WHERE idempotency_key = $1 LIMIT 1`, s.table),
		key, o.Item, o.Quantity).Scan(&id)
	return id, err
}

// Retryable reports whether a failed attempt may succeed when tried again:
// network errors, timeouts and the server's transient conditions (shutting
// down, starting up, serialization failures, resource exhaustion) are; a
// constraint violation or a bad statement is not.
func Retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "08", "40", "53", "57":
			return true
		}
		return false
	}
	return !errors.Is(err, pgx.ErrNoRows)
}
