package likes_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/go-resilience/resilience/fixtures"
)

// TestMain removes the Redis container the package's tests share once they
// are done, then fails the package if a goroutine outlives its tests (the
// services, the proxies, the fixtures' own guards), and silences go-redis's
// own log.
func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	goleak.VerifyTestMain(fixtures.Shared(m))
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}
