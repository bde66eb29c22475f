package hypothesis

import (
	"context"
	"fmt"
	"net"
	"strconv"
)

// TCPConnect probes addr ("host:port") by opening a TCP connection and closing
// it at once. The observed value is nil; a refused or timed-out dial is a
// failed sample.
func TCPConnect(addr string) Probe {
	return tcpProbe{addr: addr}
}

type tcpProbe struct{ addr string }

func (p tcpProbe) Name() string { return "tcp connect " + p.addr }

func (p tcpProbe) Validate() error {
	_, port, err := net.SplitHostPort(p.addr)
	if err != nil || port == "" {
		return fmt.Errorf("TCPConnect address must be host:port, got %q", p.addr)
	}
	if n, err := strconv.Atoi(port); err == nil && (n < 1 || n > 65535) {
		return fmt.Errorf("TCPConnect port must be in [1,65535], got %d in %q", n, p.addr)
	}
	return nil
}

func (p tcpProbe) Observe(ctx context.Context) (any, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	return nil, c.Close()
}
