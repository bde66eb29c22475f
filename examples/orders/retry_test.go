package orders

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackoff(t *testing.T) {
	base := 10 * time.Millisecond
	for n, want := range map[int]time.Duration{1: 10 * time.Millisecond, 2: 20 * time.Millisecond,
		5: 160 * time.Millisecond, 6: maxBackoff, 40: maxBackoff} {
		assert.Equal(t, want, backoff(base, n, false), "retry %d without jitter", n)
		for range 100 {
			d := backoff(base, n, true)
			assert.True(t, d >= 0 && d <= want, "retry %d with full jitter: %v not in [0, %v]", n, d, want)
		}
	}
	seen := map[time.Duration]bool{}
	for range 100 {
		seen[backoff(base, 6, true)] = true
	}
	assert.Greater(t, len(seen), 50, "full jitter spreads the pauses")
}

func TestRetryBudget(t *testing.T) {
	now := time.Now()
	b := newRetryBudget()
	b.now = func() time.Time { return now }
	b.last = now
	done, cancel := context.WithCancel(t.Context())
	cancel()

	for range int(retryBudgetBurst) {
		require.NoError(t, b.take(done), "the burst is there at once")
	}
	require.ErrorIs(t, b.take(done), context.Canceled, "no token left: take waits, here for a context already done")

	now = now.Add(time.Second / time.Duration(retryBudgetRate))
	require.NoError(t, b.take(done), "time earns a token")
	require.Error(t, b.take(done))

	b.deposit()
	require.NoError(t, b.take(done), "a success earns a token")

	for range 100 {
		b.deposit()
	}
	assert.Equal(t, int(retryBudgetBurst), b.available(), "tokens saved up are capped")
}

func TestRetryBudgetWakesAWaiterOnDeposit(t *testing.T) {
	now := time.Now()
	b := newRetryBudget()
	b.now = func() time.Time { return now } // time stands still: only a deposit can give a token
	b.last = now
	b.tokens = 0
	got := make(chan error, 1)
	go func() { got <- b.take(t.Context()) }()
	select {
	case err := <-got:
		t.Fatalf("take returned %v with no token", err)
	case <-time.After(300 * time.Millisecond): // past the 200 ms after which it looks again
	}
	b.deposit()
	select {
	case err := <-got:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the deposit did not wake the waiter")
	}
}

func TestPlaceShedsLoadBeyondMaxInFlight(t *testing.T) {
	s := &Service{cfg: Config{Variant: Robust, PostgresDSN: "postgres://x@127.0.0.1:1/x", MaxInFlight: 1}.withDefaults(),
		inFlight: make(chan struct{}, 1)}
	s.inFlight <- struct{}{} // one order in flight already
	_, err := s.Place(t.Context(), "k", Order{Item: "a", Quantity: 1})
	require.ErrorIs(t, err, ErrOverloaded)
	assert.Equal(t, int64(1), s.Shed())
}

// Against a database that refuses every connection, 20 orders in flight for
// 1 s: the robust service's retries are bounded by its budget (the burst of
// 10, plus 5 a second), whatever the number of orders; the storm's grow with
// it (each order retries after 10, 20, 40, 80, 160, 250 ms...: 6 times in
// its first second, 120 in all). No container needed.
func TestRetryBudgetBoundsTheRetriesOfTheWholeService(t *testing.T) {
	const dsn = "postgres://u:p@127.0.0.1:1/db?sslmode=disable"
	for _, tc := range []struct {
		v        Variant
		min, max int64
	}{
		{Robust, 1, int64(retryBudgetBurst + retryBudgetRate*1 + 2)},
		{Storm, 80, 1 << 30},
	} {
		t.Run(tc.v.String(), func(t *testing.T) {
			cfg := Config{Variant: tc.v, PostgresDSN: dsn, RequestTimeout: time.Second}.withDefaults()
			connCfg, err := pgx.ParseConfig(dsn)
			require.NoError(t, err)
			s := &Service{cfg: cfg, connCfg: connCfg}
			if tc.v != Storm {
				poolCfg, err := pgxpool.ParseConfig(dsn)
				require.NoError(t, err)
				poolCfg.MaxConns = int32(cfg.MaxConns)
				s.db, err = pgxpool.NewWithConfig(t.Context(), poolCfg)
				require.NoError(t, err)
				t.Cleanup(s.db.Close)
				s.budget = newRetryBudget()
				s.inFlight = make(chan struct{}, cfg.MaxInFlight)
			}
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Go(func() {
					_, err := s.Place(t.Context(), string(rune('a'+i)), Order{Item: "a", Quantity: 1})
					assert.ErrorContains(t, err, "gave up after")
				})
			}
			wg.Wait()
			assert.GreaterOrEqual(t, s.Retries(), tc.min)
			assert.LessOrEqual(t, s.Retries(), tc.max)
			t.Logf("%s: %d retries of 20 orders in 1 s", tc.v, s.Retries())
		})
	}
}
