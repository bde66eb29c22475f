// Package nettest holds the helpers of the tests that send real traffic
// through the project's proxies: a loopback server, a client connection, a
// timed round trip, and a fault applied as chaostest applies it.
package nettest

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
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
