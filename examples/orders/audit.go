package orders

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
)

// Ledger is the clients' side of the consistency check: every order the
// service acknowledged (201 with a receipt). Safe for concurrent use.
type Ledger struct {
	mu   sync.Mutex
	acks map[string]int64 // idempotency key -> acknowledged order id
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{acks: map[string]int64{}} }

// Record notes that the service acknowledged the order.
func (l *Ledger) Record(r Receipt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acks[r.IdempotencyKey] = r.ID
}

// Len is the number of acknowledged orders.
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acks)
}

func (l *Ledger) snapshot() map[string]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := make(map[string]int64, len(l.acks))
	for k, v := range l.acks {
		m[k] = v
	}
	return m
}

// Consistency is the outcome of an audit: acknowledged orders missing from
// the table, and acknowledged orders stored more than once.
type Consistency struct {
	Acknowledged int
	Missing      []string // idempotency keys acknowledged but not stored
	Duplicated   []string // idempotency keys stored more than once
}

// Anomalies is the number of acknowledged orders not stored exactly once.
func (c Consistency) Anomalies() int { return len(c.Missing) + len(c.Duplicated) }

// String is one line: "120 acknowledged, 0 missing, 2 duplicated (k1, k2)".
func (c Consistency) String() string {
	s := fmt.Sprintf("%d acknowledged, %d missing, %d duplicated", c.Acknowledged, len(c.Missing), len(c.Duplicated))
	if bad := append(append([]string{}, c.Missing...), c.Duplicated...); len(bad) > 0 {
		if len(bad) > 3 {
			bad = append(bad[:3], "...")
		}
		s += " (" + strings.Join(bad, ", ") + ")"
	}
	return s
}

// Querier is what Audit needs of a database handle: *pgxpool.Pool and
// *pgx.Conn have it.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Audit checks that every order in the ledger is stored in table exactly
// once, with one query over db. Give it a handle of its own, straight to
// Postgres (not the service's proxy), so that the audit sees the database
// while the service's path to it is faulted; and a pool made once, not a
// connection per audit: an audit every 100 ms that connects each time
// would itself be ten new Postgres connections a second.
func Audit(ctx context.Context, db Querier, table string, l *Ledger) (Consistency, error) {
	acks := l.snapshot()
	c := Consistency{Acknowledged: len(acks)}
	if len(acks) == 0 {
		return c, nil
	}
	keys := make([]string, 0, len(acks))
	for k := range acks {
		keys = append(keys, k)
	}
	rows, err := db.Query(ctx, fmt.Sprintf(
		`SELECT idempotency_key, count(*) FROM %s WHERE idempotency_key = ANY($1) GROUP BY idempotency_key`,
		pgx.Identifier{table}.Sanitize()), keys)
	if err != nil {
		return c, fmt.Errorf("orders: audit: query: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return c, fmt.Errorf("orders: audit: scan: %w", err)
		}
		counts[k] = n
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("orders: audit: %w", err)
	}
	for _, k := range keys {
		switch n := counts[k]; {
		case n == 0:
			c.Missing = append(c.Missing, k)
		case n > 1:
			c.Duplicated = append(c.Duplicated, k)
		}
	}
	sort.Strings(c.Missing)
	sort.Strings(c.Duplicated)
	return c, nil
}
