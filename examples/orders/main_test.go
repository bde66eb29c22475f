package orders_test

import (
	"testing"

	"github.com/go-resilience/resilience/fixtures"
)

// TestMain removes the Postgres container the package's tests
// share once they are done.
func TestMain(m *testing.M) { fixtures.Main(m) }
