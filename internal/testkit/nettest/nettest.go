// Package nettest holds the helpers of the tests that send real traffic
// through the project's proxies: a loopback server, a client connection, a
// timed round trip, a fault applied as chaostest applies it or with a seed
// of the test's choosing, the hits of its share, and the check of a
// one-line bad-input error.
package nettest

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Serve runs handle for every connection to a fresh 127.0.0.1 listener.
func Serve(t testing.TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// Echo copies back what it reads.
func Echo(c net.Conn) { _, _ = io.Copy(c, c) }

// Apply applies f with Validate first, as chaostest does, and registers its
// revert with t.Cleanup; it returns the revert for tests that revert early.
func Apply(t testing.TB, f chaostest.Fault) chaostest.Revert {
	t.Helper()
	if v, ok := f.(interface{ Validate() error }); ok {
		require.NoError(t, v.Validate())
	}
	revert, err := f.Apply(t.Context())
	require.NoError(t, err, f.Name())
	t.Cleanup(func() { _ = revert(context.Background()) })
	return revert
}

// RoundTrip writes msg on c and reads as many bytes back, returning the time taken.
func RoundTrip(t testing.TB, c net.Conn, msg []byte) time.Duration {
	t.Helper()
	start := time.Now()
	_, err := c.Write(msg)
	require.NoError(t, err)
	buf := make([]byte, len(msg))
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = io.ReadFull(c, buf)
	require.NoError(t, err)
	require.Equal(t, msg, buf)
	return time.Since(start)
}

// Dial connects to addr within 5s and closes the connection when t ends.
func Dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Seeded is a fault that its package's tests apply with a seed of their
// choosing, as Apply does inside an experiment with that seed; the reach is
// the one Apply measures.
type Seeded interface {
	ApplySeed(seed int64) (chaostest.Revert, func() chaostest.Reach, error)
}

// ApplySeed applies f with seed and registers its revert with t.Cleanup; it
// returns the revert, for tests that revert early, and the reach.
func ApplySeed(t testing.TB, f Seeded, seed int64) (chaostest.Revert, func() chaostest.Reach) {
	t.Helper()
	revert, reach, err := f.ApplySeed(seed)
	require.NoError(t, err)
	t.Cleanup(func() { _ = revert(context.Background()) })
	return revert, reach
}

// Hits applies f with seed, sends n requests one after the other with send
// (which says whether request i was hit), reverts f and returns which were
// hit.
func Hits(t testing.TB, f Seeded, seed int64, n int, send func(i int) bool) []bool {
	t.Helper()
	revert, _, err := f.ApplySeed(seed)
	require.NoError(t, err)
	out := make([]bool, n)
	for i := range out {
		out[i] = send(i)
	}
	require.NoError(t, revert(context.Background()))
	return out
}

// Count is the number of hits.
func Count(hits []bool) int {
	n := 0
	for _, h := range hits {
		if h {
			n++
		}
	}
	return n
}

// OneLine checks that err is an error on one line that contains want, as
// the project's bad-input errors are.
func OneLine(t testing.TB, err error, want string) {
	t.Helper()
	require.Error(t, err, want)
	assert.Contains(t, err.Error(), want)
	assert.NotContains(t, err.Error(), "\n")
}

// Refused checks that f's bad settings are refused, before anything is
// applied, with one line containing want: by Validate, and by ApplySeed.
func Refused(t testing.TB, f interface {
	Validate() error
	Seeded
}, want string) {
	t.Helper()
	OneLine(t, f.Validate(), want)
	_, _, err := f.ApplySeed(1)
	assert.Error(t, err, "Apply validates too")
}
