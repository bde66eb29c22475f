package hypothesis

import (
	"context"
	"fmt"
	"net"
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
	if _, port, err := net.SplitHostPort(p.addr); err != nil || port == "" {
		return fmt.Errorf("TCPConnect address must be host:port, got %q", p.addr)
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
