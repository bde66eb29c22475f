package catalog_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/go-resilience/resilience/fixtures"
)

// TestMain removes the Redis and Postgres containers the package's tests
// share once they are done.
//
// It also silences go-redis's own log: while an experiment keeps Redis
// down, the client logs every refused dial, which would drown the
// experiment's narrative. The service's behaviour is unchanged.
func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	fixtures.Main(m)
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}
