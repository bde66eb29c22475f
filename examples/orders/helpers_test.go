package orders_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/orders"
)

// connectionCount records, every 50 ms, how many connections a service has
// set out to open and how many orders its client has placed, so that an
// experiment can say how many connections a second each phase cost.
type connectionCount struct {
	svc    *orders.Running
	client *orders.Client
	stop   chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	points []countPoint
}

type countPoint struct {
	at             time.Time
	opened, placed int64
}

// countConnections starts counting; log stops it.
func countConnections(t *testing.T, svc *orders.Running, client *orders.Client) *connectionCount {
	t.Helper()
	c := &connectionCount{svc: svc, client: client, stop: make(chan struct{}), done: make(chan struct{})}
	c.record()
	go func() {
		defer close(c.done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-tick.C:
				c.record()
			}
		}
	}()
	t.Cleanup(c.halt)
	return c
}

func (c *connectionCount) record() {
	p := countPoint{at: time.Now(), opened: c.svc.ConnectAttempts(), placed: c.client.Placed()}
	c.mu.Lock()
	c.points = append(c.points, p)
	c.mu.Unlock()
}

func (c *connectionCount) halt() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
		<-c.done
	}
}

// at is the last point recorded at or before t.
func (c *connectionCount) at(t time.Time) countPoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.points[0]
	for _, q := range c.points {
		if q.at.After(t) {
			break
		}
		p = q
	}
	return p
}

// between is what happened in [from, to): connections set out to open,
// orders placed, and the span.
func (c *connectionCount) between(from, to time.Time) (opened, placed int64, d time.Duration) {
	a, b := c.at(from), c.at(to)
	return b.opened - a.opened, b.placed - a.placed, b.at.Sub(a.at)
}

// log stops counting and logs the connections set up a second in the
// steady state before the fault, while it was on (the first fault of the
// method) and after it until the end of the run. It returns the connections
// and the orders of the span after the fault.
func (c *connectionCount) log(t *testing.T, rep chaostest.Report, fault time.Duration) (opened, placed int64) {
	t.Helper()
	c.halt()
	if len(rep.During) == 0 || rep.After.To.IsZero() {
		return 0, 0
	}
	on := rep.During[0].From
	off := on.Add(fault)
	rate := func(from, to time.Time) string {
		n, orders, d := c.between(from, to)
		if d <= 0 {
			return "-"
		}
		return fmtRate(n, orders, d)
	}
	opened, placed, _ = c.between(off, rep.After.To)
	t.Logf("%s: connections set up: before the fault %s; during it %s; after it, until the end %s; last after window %s",
		c.svc.Variant(), rate(rep.Before.From, rep.Before.To), rate(on, off), rate(off, rep.After.To),
		rate(rep.After.From, rep.After.To))
	return opened, placed
}

func fmtRate(n, orders int64, d time.Duration) string {
	return fmt.Sprintf("%.1f/s (%d in %v, %d orders)", float64(n)/d.Seconds(), n, d.Round(10*time.Millisecond), orders)
}
