package orders

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// maxBackoff caps the pause between two attempts of one order. It is also
// how long, at worst, an order placed during a fault waits after the fault
// has ended before its next attempt: the latency bounds of the experiments
// count it once.
const maxBackoff = 250 * time.Millisecond

// backoff is the pause before retry n (n = 1 after the first failed
// attempt): base doubled n-1 times, capped at maxBackoff. With jitter, the
// pause is drawn uniformly from [0, that] ("full jitter"), so orders that
// failed together do not come back together; without it (Storm), every
// order that failed at the same moment retries at the same moment.
func backoff(base time.Duration, n int, jitter bool) time.Duration {
	d := base
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	if jitter && d > 0 {
		d = rand.N(d + 1)
	}
	return d
}

// The retry budget of a service, and why these numbers.
//
// A retry is extra load on a database that is already failing, and a
// service's retries add up: 20 orders a second, each retrying every 250 ms
// for 4 s, are up to 320 attempts a second against a database that was
// asked for 20. The budget bounds the retries of the whole service, however
// many orders are in flight:
//
//   - retryBudgetRate: 5 tokens a second. While the database answers
//     nothing, the whole service retries at most 5 times a second (plus the
//     burst), a quarter of the first attempts it makes anyway at 20 orders
//     a second: retries cannot multiply the load of a failing database.
//   - one token per successful attempt. When the database answers again,
//     each answer pays for one more retry, so the orders that waited out a
//     fault go through as fast as the database takes them, and never
//     faster: retries are clocked by its answers (as TCP's sending is by
//     its acknowledgements), and at most double the load of a healthy one.
//     This is what lets the backlog of a 1 s fault (about 20 orders at 20 a
//     second; 40 after 2 s) go through as soon as each order's backoff ends
//     (250 ms at most) once the fault is over: a bucket refilled only by
//     time, at 5 a second, would take 4 s or 8 s, as long as or longer than
//     the orders' own deadline.
//   - retryBudgetBurst: at most 10 tokens saved up, so a healthy service
//     absorbs a blip (a few retries at once) without waiting, and a long
//     healthy spell cannot save up a storm.
//
// A retry with no token waits for one, up to its order's deadline, rather
// than failing: the budget bounds how fast the service retries, not which
// orders it takes.
const (
	retryBudgetRate  = 5.0  // tokens a second while nothing succeeds
	retryBudgetBurst = 10.0 // tokens saved up at most
)

// retryBudget is a token bucket shared by every order of a service: a retry
// takes a token (take), a successful attempt gives one back (deposit), and
// time adds retryBudgetRate a second. Safe for concurrent use.
type retryBudget struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
	wake   chan struct{} // closed (and replaced) when a token is deposited
	now    func() time.Time
}

func newRetryBudget() *retryBudget {
	return &retryBudget{tokens: retryBudgetBurst, last: time.Now(), wake: make(chan struct{}), now: time.Now}
}

// refill adds the tokens earned by time since the last call. b.mu is held.
func (b *retryBudget) refill() {
	now := b.now()
	b.tokens = min(retryBudgetBurst, b.tokens+now.Sub(b.last).Seconds()*retryBudgetRate)
	b.last = now
}

// deposit adds the token a successful attempt earns and wakes the waiters.
func (b *retryBudget) deposit() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill()
	if b.tokens < retryBudgetBurst {
		b.tokens = min(retryBudgetBurst, b.tokens+1)
		close(b.wake)
		b.wake = make(chan struct{})
	}
}

// take takes a token, waiting for one (deposited, or earned by time) until
// ctx is done.
func (b *retryBudget) take(ctx context.Context) error {
	for {
		b.mu.Lock()
		b.refill()
		if b.tokens >= 1 {
			b.tokens--
			b.mu.Unlock()
			return nil
		}
		next := time.Duration((1 - b.tokens) / retryBudgetRate * float64(time.Second))
		wake := b.wake
		b.mu.Unlock()
		timer := time.NewTimer(next)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// available is the number of whole tokens in the bucket now.
func (b *retryBudget) available() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill()
	return int(b.tokens)
}

// sleep waits d, or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
