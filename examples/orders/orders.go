// Package orders is a small order-taking HTTP service that writes orders to
// Postgres. A client places an order with POST /orders, a JSON body and an
// Idempotency-Key header it generates once per order and repeats on retry.
//
// It comes in four variants, each missing nothing or exactly one thing:
//
//   - Robust retries a failed write, and retries so that it cannot make a
//     struggling database worse: backoff with full jitter, a retry budget
//     shared by the whole service (a token bucket: retries cannot multiply
//     the load of a failing database), a bounded pool whose connections are
//     set up with a timeout of their own (ConnectTimeout), never abandoned
//     because one attempt gave up, and a bound on the orders in flight
//     (MaxInFlight, beyond which it sheds load). Each attempt's statement is
//     bounded by AttemptTimeout, all of an order's attempts by
//     RequestTimeout. The write is idempotent: a unique constraint on the
//     idempotency key and INSERT ... ON CONFLICT DO NOTHING turn a retried
//     insert whose first try committed (but whose answer was lost) into a
//     no-op that returns the order already stored.
//   - NoRetry is Robust making a single attempt: any blip of the database
//     connection is an error for the client.
//   - NoIdempotency is Robust with a plain INSERT: when a commit succeeded
//     and only its answer was lost, the retry stores the order a second time.
//   - Storm retries as the robust service used to: each attempt sets up a
//     connection of its own and must do it within AttemptTimeout, backoff
//     without jitter, no retry budget, no bound on orders in flight. It takes
//     orders as well as Robust while the database is healthy; after a fault,
//     its retries ask Postgres for more new connections than it can set up,
//     every attempt times out while its connection is still being set up, and
//     the retries that follow keep the load up: a retry storm that outlives
//     the fault that started it (a metastable failure).
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
	// Robust retries with jitter, a retry budget and a bounded pool, and
	// writes idempotently.
	Robust Variant = iota
	// NoRetry writes idempotently but only once.
	NoRetry
	// NoIdempotency retries like Robust but writes with a plain INSERT.
	NoIdempotency
	// Storm writes idempotently and retries, but sets up a connection per
	// attempt within the attempt's timeout, without jitter, budget or
	// bound: the retry storm.
	Storm
)

// String returns "robust", "no-retry", "no-idempotency" or "retry-storm".
func (v Variant) String() string {
	switch v {
	case Robust:
		return "robust"
	case NoRetry:
		return "no-retry"
	case NoIdempotency:
		return "no-idempotency"
	case Storm:
		return "retry-storm"
	default:
		return fmt.Sprintf("Variant(%d)", int(v))
	}
}

// HeaderIdempotencyKey is the request header carrying the client's key.
const HeaderIdempotencyKey = "Idempotency-Key"

// ErrOverloaded is the error of an order refused because MaxInFlight orders
// were being placed already (load shedding): the client is told at once,
// with a 503 and Retry-After, instead of joining a queue.
var ErrOverloaded = errors.New("orders: overloaded: too many orders in flight")

// Config describes one orders service. PostgresDSN is required; a zero
// field takes its default, given below with the reason for it.
type Config struct {
	Variant     Variant
	PostgresDSN string // usually through a proxy in front of Postgres

	// AttemptTimeout bounds one attempt's statement; zero means 200 ms. A
	// healthy insert takes a few milliseconds, tens on a busy 2-core host
	// under -race: 200 ms is several times that, and short enough that an
	// answer lost on the way costs an order little. It does not bound
	// setting up a pooled connection (ConnectTimeout does), except for
	// Storm, whose attempts connect within it: that is its flaw.
	AttemptTimeout time.Duration
	// RequestTimeout bounds all attempts of one order, the waits between
	// them included; zero means 4 s: longer than the outages the
	// experiments inject (1 s; 2 s or so for a Postgres restart) plus one
	// backoff (250 ms) and one attempt, shorter than the 5 s a client
	// waits. NoRetry makes a single attempt.
	RequestTimeout time.Duration
	// Backoff is the first pause between attempts; it doubles after each
	// further failure, up to 250 ms, and (but for Storm) the pause is drawn
	// uniformly from zero to that. Zero means 10 ms.
	Backoff time.Duration
	// ConnectTimeout bounds setting up one pooled connection (dial and
	// authentication); zero means 1.5 s. The pool sets a connection up for
	// whichever attempt asked for it, and goes on when that attempt gives
	// up, pooling the connection for the next: a slow database is asked
	// for a connection once, not once per 200 ms attempt. Set-up takes tens
	// of milliseconds on the 2-core reference machine, quiet or beside
	// stress-ng --cpu 2: 1.5 s is thirty times that. It is also what a
	// connection set up into a black hole (answers lost,
	// TestOrdersWhenAnswersAreLost) can cost: its pool slot is held until
	// then, which keeps that experiment's slowest order under 0.2 + 1.5 s
	// and a new set-up, well under its 3 s bound; hence not longer. Storm
	// has no pool, and the DSN's connect_timeout bounds only the connection
	// New sets up (the harness's, within New's context).
	ConnectTimeout time.Duration
	// MaxConns bounds the pool, and so the statements in flight and the
	// connections being set up at once; zero means 4. At 20 orders a
	// second of a few milliseconds each, under one statement is in flight
	// on average: 4 drain the backlog of a 1 s fault (about 20 orders) in
	// tens of milliseconds, and a recovering database is asked for at most
	// 4 connections at once, far under its max_connections (100).
	MaxConns int
	// MaxInFlight bounds the orders being placed at once; an order beyond
	// it is refused at once with ErrOverloaded (503). Zero means 128. An
	// order lasts at most RequestTimeout, so a client placing 20 orders a
	// second never has more than 80 in flight: the bound is for a flood of
	// orders the database could not take before their deadline anyway.
	// Storm has no bound.
	MaxInFlight int
}

// Validate returns nil or a one-line error naming the field and the accepted range.
func (c Config) Validate() error {
	switch {
	case c.Variant < Robust || c.Variant > Storm:
		return fmt.Errorf("orders: Variant must be Robust, NoRetry, NoIdempotency or Storm, got %d", int(c.Variant))
	case c.PostgresDSN == "":
		return errors.New(`orders: PostgresDSN must be a Postgres connection string, got ""`)
	case c.AttemptTimeout < 0:
		return fmt.Errorf("orders: AttemptTimeout must be >= 0 (0 means 200ms), got %v", c.AttemptTimeout)
	case c.RequestTimeout < 0:
		return fmt.Errorf("orders: RequestTimeout must be >= 0 (0 means 4s), got %v", c.RequestTimeout)
	case c.Backoff < 0:
		return fmt.Errorf("orders: Backoff must be >= 0 (0 means 10ms), got %v", c.Backoff)
	case c.ConnectTimeout < 0:
		return fmt.Errorf("orders: ConnectTimeout must be >= 0 (0 means 1.5s), got %v", c.ConnectTimeout)
	case c.MaxConns < 0 || c.MaxConns > 1000:
		return fmt.Errorf("orders: MaxConns must be in [0, 1000] (0 means 4), got %d", c.MaxConns)
	case c.MaxInFlight < 0:
		return fmt.Errorf("orders: MaxInFlight must be >= 0 (0 means 128), got %d", c.MaxInFlight)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.AttemptTimeout == 0 {
		c.AttemptTimeout = 200 * time.Millisecond
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 4 * time.Second
	}
	if c.Backoff == 0 {
		c.Backoff = 10 * time.Millisecond
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 1500 * time.Millisecond
	}
	if c.MaxConns == 0 {
		c.MaxConns = 4
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 128
	}
	return c
}

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

// Service is a running orders service: its handler and its Postgres pool
// (or, for Storm, the configuration of the connection each attempt sets up).
type Service struct {
	cfg      Config
	table    string
	db       *pgxpool.Pool   // nil for Storm
	connCfg  *pgx.ConnConfig // Storm's per-attempt connections
	budget   *retryBudget    // nil for Storm
	inFlight chan struct{}   // nil for Storm
	retries  atomic.Int64
	connects atomic.Int64
	shed     atomic.Int64
}

var tables atomic.Int64

// New creates the service's own orders table and its pool. The table is
// created over a connection of its own, set up within ctx and the DSN's
// connect_timeout only: the harness sets the service up on a host that may
// be busy, and must not depend on a connection being set up fast. The pool
// sets up its first connection in the background.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	connCfg, err := pgx.ParseConfig(cfg.PostgresDSN)
	if err != nil {
		return nil, fmt.Errorf("orders: parse PostgresDSN: %w", err)
	}
	s := &Service{cfg: cfg, connCfg: connCfg,
		table: fmt.Sprintf("orders_%d_%d", time.Now().UnixNano(), tables.Add(1))}
	if err := s.createTable(ctx); err != nil {
		return nil, err
	}
	if cfg.Variant == Storm {
		return s, nil
	}
	poolCfg, err := pgxpool.ParseConfig(cfg.PostgresDSN)
	if err != nil {
		return nil, fmt.Errorf("orders: parse PostgresDSN: %w", err)
	}
	poolCfg.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	poolCfg.MaxConns = int32(cfg.MaxConns)
	poolCfg.MinConns = 1 // a warm connection, set up before the first order needs it
	// pgxpool pings a connection idle for over a second before handing it
	// out: a statement like any other, bounded like one.
	poolCfg.PingTimeout = cfg.AttemptTimeout
	poolCfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error {
		s.connects.Add(1)
		return nil
	}
	db, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("orders: pool: %w", err)
	}
	s.db = db
	s.budget = newRetryBudget()
	s.inFlight = make(chan struct{}, cfg.MaxInFlight)
	return s, nil
}

// createTable creates the service's table over a connection of its own.
func (s *Service) createTable(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, s.connCfg)
	if err != nil {
		return fmt.Errorf("orders: connect postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// Only the idempotent variants have the constraint their write relies on.
	unique := "UNIQUE"
	if s.cfg.Variant == NoIdempotency {
		unique = ""
	}
	_, err = conn.Exec(ctx, fmt.Sprintf(`CREATE TABLE %s (
		id              bigserial   PRIMARY KEY,
		idempotency_key text        NOT NULL %s,
		item            text        NOT NULL,
		quantity        integer     NOT NULL,
		created_at      timestamptz NOT NULL DEFAULT now())`, s.table, unique))
	if err != nil {
		return fmt.Errorf("orders: create table: %w", err)
	}
	return nil
}

// Table is the name of the service's orders table.
func (s *Service) Table() string { return s.table }

// Variant returns the service's variant.
func (s *Service) Variant() Variant { return s.cfg.Variant }

// Retries is the number of write attempts made after a failed one.
func (s *Service) Retries() int64 { return s.retries.Load() }

// ConnectAttempts is the number of connections the service set out to open
// to Postgres since it started (succeeded or not): the pool's set-ups, or
// one per attempt for Storm. The load that decides whether a struggling
// Postgres recovers.
func (s *Service) ConnectAttempts() int64 { return s.connects.Load() }

// Shed is the number of orders refused with ErrOverloaded.
func (s *Service) Shed() int64 { return s.shed.Load() }

// Close releases the Postgres pool.
func (s *Service) Close() {
	if s.db != nil {
		s.db.Close()
	}
}

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
	if s.inFlight != nil {
		select {
		case s.inFlight <- struct{}{}:
			defer func() { <-s.inFlight }()
		default:
			s.shed.Add(1)
			return Receipt{}, ErrOverloaded
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		id, err := s.attempt(ctx, key, o)
		if err == nil {
			if s.budget != nil {
				s.budget.deposit()
			}
			return Receipt{ID: id, IdempotencyKey: key, Attempts: attempt}, nil
		}
		if s.cfg.Variant == NoRetry || !Retryable(err) {
			return Receipt{}, fmt.Errorf("orders: store order (attempt %d): %w", attempt, err)
		}
		if werr := sleep(ctx, backoff(s.cfg.Backoff, attempt, s.cfg.Variant != Storm)); werr != nil {
			return Receipt{}, fmt.Errorf("orders: store order: gave up after %d attempts: %w", attempt, err)
		}
		if s.budget != nil {
			if werr := s.budget.take(ctx); werr != nil {
				return Receipt{}, fmt.Errorf("orders: store order: gave up after %d attempts, waiting for the retry budget: %w", attempt, err)
			}
		}
		s.retries.Add(1)
	}
}

// attempt makes one attempt at storing the order.
func (s *Service) attempt(ctx context.Context, key string, o Order) (int64, error) {
	if s.cfg.Variant == Storm {
		return s.attemptOnNewConnection(ctx, key, o)
	}
	// Waiting for a connection is bounded by the order's deadline, not the
	// attempt's: the pool sets connections up within ConnectTimeout, and a
	// connection that this order stops waiting for is pooled for the next.
	conn, err := s.db.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	ctx, cancel := context.WithTimeout(ctx, s.cfg.AttemptTimeout)
	defer cancel()
	return s.write(ctx, conn, key, o)
}

// attemptOnNewConnection is Storm's attempt: a connection of its own, set
// up and used within AttemptTimeout, closed after.
func (s *Service) attemptOnNewConnection(ctx context.Context, key string, o Order) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.AttemptTimeout)
	defer cancel()
	s.connects.Add(1)
	conn, err := pgx.ConnectConfig(ctx, s.connCfg)
	if err != nil {
		return 0, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	return s.write(ctx, conn, key, o)
}

// queryRower is what a write needs of a connection: *pgx.Conn and
// *pgxpool.Conn have it.
type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// write runs the variant's insert over conn.
func (s *Service) write(ctx context.Context, conn queryRower, key string, o Order) (int64, error) {
	var id int64
	if s.cfg.Variant == NoIdempotency {
		err := conn.QueryRow(ctx, fmt.Sprintf(
			`INSERT INTO %s (idempotency_key, item, quantity) VALUES ($1, $2, $3) RETURNING id`, s.table),
			key, o.Item, o.Quantity).Scan(&id)
		return id, err
	}
	// The insert and the look-up of an order stored by an earlier attempt
	// are one statement: whichever attempt committed, the answer is its id.
	err := conn.QueryRow(ctx, fmt.Sprintf(`WITH ins AS (
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
