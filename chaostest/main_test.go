package chaostest_test

import (
	"os"
	"testing"

	"github.com/go-resilience/resilience/chaostest"
)

// TestMain lets the experiments of this package's tests, all against fake
// systems and short windows, run under -short: they are the unit tests of
// the lifecycle. The subprocess that checks the -short skip keeps it.
func TestMain(m *testing.M) {
	if os.Getenv(envMode) == "" {
		chaostest.RunUnderShort()
	}
	os.Exit(m.Run())
}
