package hypothesis

import (
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
		Observe(SQLPing(db)).Every(20*time.Millisecond).Expect(MinSamples(5)),
		Observe(SQLQuery(db, "select count(*) from pg_stat_activity")).Every(20*time.Millisecond).
			Expect(InRange(1, 1000), Satisfies("an int64", func(v any) bool { _, ok := v.(int64); return ok })),
		Observe(SQLQuery(db, "select pg_sleep(1)")).Every(100*time.Millisecond).Timeout(100*time.Millisecond),
	)
	r, err := Measure(ctx, h, 300*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, Held, r.Checks[0].Verdict, "%s", r)
	assert.Equal(t, Held, r.Checks[1].Verdict, "%s", r)
	slow := r.Checks[2]
	assert.Equal(t, Violated, slow.Verdict, "a query slower than its timeout is cancelled and fails")
	assert.Equal(t, slow.Samples, slow.Errors)
	assert.GreaterOrEqual(t, slow.P50, 100*time.Millisecond)
}
