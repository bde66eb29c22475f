package hypothesis

import (
	"context"
	"database/sql"
	"errors"
)

// SQLPing probes db with PingContext. The observed value is nil.
func SQLPing(db *sql.DB) Probe {
	return sqlProbe{db: db, ping: true, name: "sql ping"}
}

// SQLQuery probes db by running query with args and observes the first
// column of the first row, as the driver returns it (for example int64,
// string, []byte or time.Time). A query that returns no row is a failed
// sample (sql.ErrNoRows).
func SQLQuery(db *sql.DB, query string, args ...any) Probe {
	return sqlProbe{db: db, query: query, args: args, name: "sql query " + query}
}

type sqlProbe struct {
	db    *sql.DB
	ping  bool
	name  string
	query string
	args  []any
}

func (p sqlProbe) Name() string { return p.name }

func (p sqlProbe) Validate() error {
	if p.db == nil && p.ping {
		return errors.New("SQLPing db must not be nil")
	}
	if p.db == nil {
		return errors.New("SQLQuery db must not be nil")
	}
	if !p.ping && p.query == "" {
		return errors.New("SQLQuery query must not be empty")
	}
	return nil
}

func (p sqlProbe) Observe(ctx context.Context) (any, error) {
	if p.ping {
		return nil, p.db.PingContext(ctx)
	}
	rows, err := p.db.QueryContext(ctx, p.query, p.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, sql.ErrNoRows
	}
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errors.New("query returned no column")
	}
	dest := make([]any, len(cols))
	var first any
	dest[0] = &first
	for i := 1; i < len(dest); i++ {
		dest[i] = new(any)
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	if b, ok := first.([]byte); ok {
		first = append([]byte(nil), b...)
	}
	return first, rows.Close()
}
