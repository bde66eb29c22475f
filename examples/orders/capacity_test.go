package orders_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"

	"github.com/go-resilience/resilience/fixtures"
)

// The capacity of a small Postgres instance, and why it is measured, not
// set as a share of a CPU.
//
// The connection-storm experiment is about capacity: a service that sets
// up a connection per attempt tips a Postgres over once its set-ups
// outrun what Postgres can fork and authenticate. Its claims hold for a
// range of capacities: at least twice the storm twin's healthy demand (20
// set-ups a second, one per order), so that it is steady before the fault,
// and well under the set-ups the storm brings after it (about 200 a
// second), so that it does not recover. A CPU quota does not give one
// capacity everywhere: half a CPU set up 60 to 100 connections a second on
// the 2-core reference machine, and on a loaded CI runner of the same size
// too few for the storm twin's healthy 20 a second (it was not steady
// before the fault). So the experiment sizes Postgres by what it measures:
// it sets up connections in a loop for a second, and scales the CPU quota
// so that Postgres sets up smallInstanceSetUps a second: three times the
// healthy demand, a third of the storm's.
const (
	smallInstanceSetUps = 60.0
	// minSetUps is the least capacity the experiment can be judged on:
	// twice the storm twin's healthy demand. A machine that cannot reach it
	// even with the whole quota fails the test with that said; below the
	// whole quota, a low last figure is the measurement's own noise (it
	// varies by a fifth from one second to the next).
	minSetUps = 40.0
	// calibrationClients connect and close in a loop: enough to keep a
	// Postgres busy (the reference figure did not change from 4 to 8).
	calibrationClients = 4
	calibrationFor     = time.Second
	// The quota stays within a tenth of a CPU and the whole 2-core machine:
	// beyond that, the machine is not one this experiment can be judged on
	// and the calibration says so.
	minQuotaCPUs, maxQuotaCPUs = 0.1, 2.0
	// quotaPeriod is the period of the CPU quota: 10 ms rather than the
	// engine's 100 ms, so that a Postgres at its quota waits at most a few
	// milliseconds for its next share, not 50 ms or more: the capacity is
	// the same, the latency of one set-up steadier.
	quotaPeriod = 10 * time.Millisecond
)

// sizeAsSmallInstance scales pg's CPU quota so that it sets up about
// smallInstanceSetUps connections a second, and logs the measurements.
func sizeAsSmallInstance(t *testing.T, pg *fixtures.Postgres) {
	t.Helper()
	cli, err := testcontainers.NewDockerClientWithOpts(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	id := pg.Container().ID()

	// Corrected twice: a load that came or went during one measurement is
	// corrected by the next.
	const corrections = 2
	cpus := 0.5
	var steps []string
	var measured float64
	for i := 0; ; i++ {
		setQuota(t, cli, id, cpus)
		measured = connectCapacity(t, pg.DSN())
		steps = append(steps, fmt.Sprintf("%.0f a second on %.2f CPU", measured, cpus))
		if i == corrections {
			break
		}
		if measured == 0 { // nothing set up in a second, yet nothing refused: all the quota
			cpus = maxQuotaCPUs
			continue
		}
		cpus = min(max(cpus*smallInstanceSetUps/measured, minQuotaCPUs), maxQuotaCPUs)
	}
	t.Logf("Postgres sized as a small instance (aiming at %.0f connections set up a second): %s",
		smallInstanceSetUps, strings.Join(steps, ", "))
	if measured < minSetUps && cpus >= maxQuotaCPUs {
		t.Fatalf("this machine cannot give Postgres the capacity of a small instance: it set up %.0f connections a second on %.2f CPU, "+
			"fewer than the %.0f the storm experiment needs to be judged (twice the storm twin's healthy demand); run it on a quieter machine",
			measured, cpus, minSetUps)
	}
}

// setQuota limits the container to cpus CPUs, quotaPeriod at a time.
func setQuota(t *testing.T, cli *testcontainers.DockerClient, id string, cpus float64) {
	t.Helper()
	period := quotaPeriod.Microseconds()
	_, err := cli.ContainerUpdate(t.Context(), id, client.ContainerUpdateOptions{Resources: &container.Resources{
		CPUPeriod: period,
		CPUQuota:  int64(cpus * float64(period)),
	}})
	require.NoError(t, err)
}

// connectCapacity is the rate at which calibrationClients, each connecting
// to dsn and closing in a loop, set up connections over calibrationFor. A
// second without a single connection, but with set-ups refused, fails the
// test with the last error: that is a wrong address or a Postgres that is
// down, not a small one.
func connectCapacity(t *testing.T, dsn string) float64 {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), calibrationFor)
	defer cancel()
	var done atomic.Int64
	var lastErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range calibrationClients {
		wg.Go(func() {
			for ctx.Err() == nil {
				conn, err := pgx.ConnectConfig(ctx, cfg)
				if err != nil {
					if ctx.Err() == nil {
						lastErr.Store(err)
					}
					continue
				}
				done.Add(1)
				_ = conn.Close(context.Background())
			}
		})
	}
	wg.Wait()
	if err, _ := lastErr.Load().(error); done.Load() == 0 && err != nil {
		require.Failf(t, "Postgres set up no connection", "in %v: %v", calibrationFor, err)
	}
	return float64(done.Load()) / time.Since(start).Seconds()
}
