package likes_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/go-resilience/resilience/fixtures"
)

// TestMain removes the Redis container the package's tests share once they
// are done, and silences go-redis's own log.
func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	fixtures.Main(m)
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}
