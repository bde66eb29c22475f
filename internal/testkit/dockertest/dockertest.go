// Package dockertest decides whether tests that need a Docker engine run, skip
// or fail: they skip with a one-line reason where no engine answers, and fail
// instead when CHAOSTEST_REQUIRE_DOCKER=1, so a CI that silently skips every
// container test is impossible.
package dockertest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// EnvRequire is the environment variable that turns a missing Docker engine
// from a skip into a failure.
const EnvRequire = "CHAOSTEST_REQUIRE_DOCKER"

// T is what Require needs of a test.
type T interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

var (
	once   sync.Once
	reason error
)

// Available reports nil when a Docker engine answers, or the reason it does
// not. The engine is asked once per process.
func Available() error {
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		cli, err := testcontainers.NewDockerClientWithOpts(ctx)
		if err != nil {
			reason = fmt.Errorf("no Docker client: %w", err)
			return
		}
		defer cli.Close()
		if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
			reason = fmt.Errorf("the Docker engine does not answer: %w", err)
		}
	})
	return reason
}

// Required reports whether CHAOSTEST_REQUIRE_DOCKER asks for Docker.
func Required() bool {
	v := os.Getenv(EnvRequire)
	return v == "1" || v == "true"
}

// Require skips t when no Docker engine answers, or fails it when
// CHAOSTEST_REQUIRE_DOCKER=1. Under -short it skips t: containers take
// seconds to start, which -short asks to avoid.
func Require(t T) {
	t.Helper()
	if flag.Parsed() && testing.Short() {
		t.Skipf("needs Docker containers, skipped under -short")
		return
	}
	err := Available()
	if err == nil {
		return
	}
	if Required() {
		t.Fatalf("%s=1 but Docker is not available: %v", EnvRequire, err)
	}
	t.Skipf("needs Docker (%v); set %s=1 to fail instead of skipping", err, EnvRequire)
}
