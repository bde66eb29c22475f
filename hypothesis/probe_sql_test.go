package hypothesis

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/go-resilience/resilience/internal/dockertest"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/postgres"
)

func TestSQLProbes(t *testing.T) {
	t.Parallel()
	dockertest.Require(t)
	ctx := t.Context()
	ctr, err := postgres.Run(ctx, "postgres:15", postgres.WithDatabase("probe"), postgres.WithUsername("probe"),
		postgres.WithPassword("probe"), postgres.BasicWaitStrategies())
	testcontainers.CleanupContainer(t, ctr)
	require.NoError(t, err)
	dsn, err := ctr.ConnectionString(ctx, "sslmode=disable")
	require.NoError(t, err)
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	warmUp(t, db)

	v, err := SQLPing(db).Observe(ctx)
	assert.NoError(t, err)
	assert.Nil(t, v)

	v, err = SQLQuery(db, "select 42").Observe(ctx)
	assert.NoError(t, err)
	assert.Equal(t, int64(42), v)

	v, err = SQLQuery(db, "select $1::text, 2", "hi").Observe(ctx)
	assert.NoError(t, err)
	assert.Equal(t, "hi", v, "the first column of the first row")

	_, err = SQLQuery(db, "select 1 where false").Observe(ctx)
	assert.ErrorIs(t, err, sql.ErrNoRows)

	_, err = SQLQuery(db, "selekt 1").Observe(ctx)
	assert.ErrorContains(t, err, "syntax error")

	h := New("the database answers",
		Observe(SQLPing(db), Every(20*time.Millisecond), Expect(MinSamples(5))),
		Observe(SQLQuery(db, "select count(*) from pg_stat_activity"), Every(20*time.Millisecond), Expect(InRange(1, 1000), Satisfies("an int64", func(v any) bool { _, ok := v.(int64); return ok }))),
		Observe(SQLQuery(db, "select pg_sleep(1)"), Every(100*time.Millisecond), Timeout(100*time.Millisecond)),
	)
	r, err := Measure(ctx, h, 300*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, Held, r.Checks[0].Verdict, "%s", r)
	assert.Equal(t, Held, r.Checks[1].Verdict, "%s", r)
	slow := r.Checks[2]
	assert.Equal(t, Violated, slow.Verdict, "a query slower than its timeout is cancelled and fails")
	assert.Equal(t, slow.Samples, slow.Errors)
	assert.GreaterOrEqual(t, slow.P50, 100*time.Millisecond)
	assert.Less(t, slow.P50, 900*time.Millisecond, "cancelled at its timeout, not failed after pg_sleep(1) ended")
	// The query itself was cut short, on a connection that was already
	// there: not a connection set-up that timed out.
	assert.Contains(t, slow.FirstError, "deadline exceeded", "%s", r)
	assert.NotContains(t, slow.FirstError, "failed to connect", "%s", r)
}

// warmConns is how many connections the measured checks can use without
// setting one up: the two fast checks use about one each (a few ms every
// 20 ms, a few at once on a busy host), and each of the slow check's three
// samples (one every 100 ms in 300 ms) leaves its connection broken, since
// a query cancelled by its context closes pgx's connection.
const warmConns = 8

// warmUp opens warmConns connections before anything is measured, each
// within a minute, and keeps them idle in db. Setting a Postgres connection
// up (fork, SCRAM authentication) has been seen to take over a second on a
// busy 2-core host: the checks' timeouts (the fast ones' 1 s, the slow
// one's 100 ms) must bound their queries, not a connection set-up.
func warmUp(t *testing.T, db *sql.DB) {
	t.Helper()
	db.SetMaxOpenConns(warmConns + 2)
	db.SetMaxIdleConns(warmConns + 2)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	conns := make([]*sql.Conn, warmConns)
	for i := range conns {
		c, err := db.Conn(ctx)
		require.NoError(t, err)
		require.NoError(t, c.PingContext(ctx))
		conns[i] = c
	}
	for _, c := range conns {
		require.NoError(t, c.Close()) // back to db's idle connections
	}
	require.Equal(t, warmConns, db.Stats().Idle)
}
