package hypothesis

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTCPConnect(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan struct{}, 100)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
			accepted <- struct{}{}
		}
	}()
	p := TCPConnect(ln.Addr().String())
	assert.Equal(t, "tcp connect "+ln.Addr().String(), p.Name())
	v, err := p.Observe(t.Context())
	assert.NoError(t, err)
	assert.Nil(t, v)
	<-accepted

	// A closed listener refuses connections.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := closed.Addr().String()
	closed.Close()

	h := New("the cache accepts connections",
		Observe(TCPConnect(ln.Addr().String()), Every(20*time.Millisecond), Expect(MinSamples(5))),
		Observe(TCPConnect(addr), Every(20*time.Millisecond)))
	r, err := Measure(t.Context(), h, 200*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, Held, r.Checks[0].Verdict, "%s", r)
	assert.Equal(t, 10, r.Checks[0].Samples)
	assert.Equal(t, Violated, r.Checks[1].Verdict)
	assert.Contains(t, r.Checks[1].FirstError, "connection refused")
	assert.Equal(t, Violated, r.Verdict)
}
