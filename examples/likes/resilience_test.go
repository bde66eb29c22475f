package likes_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/likes"
	"github.com/go-resilience/resilience/fixtures"
	"github.com/go-resilience/resilience/fixtures/redisfault"
	"github.com/go-resilience/resilience/hypothesis"
)

// The steady-state hypothesis: "every like is counted". A client likes item
// 7 every 50 ms; at least 95% of the likes are acknowledged, the slowest 1%
// within 3 s.
//
// Thresholds, and why:
//   - 95%: the robust service retries every write the failover refuses
//     (each retry at least 100 ms after the last, 20 of them: 2 s at least,
//     against a failover of 1 s) and loses none; the margin is two unlucky
//     likes in a 2.5 s window of 50. The fragile service loses every like
//     placed during the failover, about 20 of 50: 40%, far past the bound.
//   - p99 3 s: the robust service's slowest like is one placed as the
//     failover begins: it waits it out (1 s), plus at most one backoff
//     (250 ms) and an attempt on a new connection (milliseconds): about
//     1.3 s, well inside.
var (
	successRate = hypothesis.SuccessRate(0.95)
	p99         = hypothesis.LatencyP(99, 3*time.Second)
)

const (
	item           = 7
	faultFor       = time.Second
	methodDuration = 2500 * time.Millisecond
)

// liking is the check that likes item through svc and counts the likes
// acknowledged.
func liking(t *testing.T, svc *likes.Running, acknowledged *atomic.Int64) hypothesis.Check {
	hc := &http.Client{}
	t.Cleanup(hc.CloseIdleConnections)
	url := svc.URL + "/likes/" + strconv.Itoa(item)
	return hypothesis.Observe(hypothesis.ProbeFunc("POST /likes/7", func(ctx context.Context) (any, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
		}
		acknowledged.Add(1)
		return strings.TrimSpace(string(body)), nil
	}),
		hypothesis.Every(50*time.Millisecond),
		hypothesis.Timeout(5*time.Second), // longer than any retry sequence: the service decides
		hypothesis.MaxInFlight(128),       // > Timeout/Every: every tick starts on time
		hypothesis.Expect(successRate, p99))
}

// Real-world event: a Redis failover. The primary is demoted (Sentinel, a
// managed service's maintenance) and, until the clients' connections reach
// the new primary, every write is answered READONLY, for one second. Reads
// go on.
//
// Blast radius: the service's writes (INCR, SET, DEL) through a Redis
// proxy of this test's own (redisfault), all of them.
//
// Expected: the robust service retries each refused write on a new
// connection and counts every like exactly once (an INCR refused was not
// executed); the fragile one answers 503 to every like placed during the
// failover, and its success rate falls under 95%.
func TestLikesDuringAFailover(t *testing.T) {
	for _, v := range []likes.Variant{likes.Robust, likes.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			r := fixtures.SharedRedis(t)
			proxy := redisfault.New(t, r.Addr(), redisfault.Name("likes-redis"))
			svc := likes.Start(t, likes.Config{Variant: v, RedisAddr: proxy.Addr(), RedisPassword: r.Password()})
			var acknowledged atomic.Int64
			failover := proxy.Error("READONLY", redisfault.Command("INCR", "SET", "DEL"))
			opts := []chaostest.Option{
				chaostest.Title("every like is counted during a Redis failover"),
				chaostest.Duration(methodDuration),
				chaostest.Window(methodDuration),
				chaostest.Before(time.Second),
				chaostest.After(time.Second),
				chaostest.Recovery(2 * time.Second),
			}
			if v == likes.Fragile {
				opts = append(opts, chaostest.ExpectDeviation(chaostest.While(failover), chaostest.Violates(successRate)))
			}
			chaostest.Run(t, hypothesis.New("every like is counted", liking(t, svc, &acknowledged)),
				chaostest.Inject(failover, chaostest.For(faultFor)), opts...)

			// Exactly once: the count in Redis (read directly) is the number
			// of likes acknowledged. A like whose answer the client never
			// got (the probe timed out) would make it higher; there is none
			// unless the run failed above.
			direct := redis.NewClient(&redis.Options{Addr: r.Addr(), Password: r.Password()})
			t.Cleanup(func() { _ = direct.Close() })
			n, err := direct.Get(context.Background(), svc.Key(item)).Int64()
			require.NoError(t, err)
			assert.Equal(t, acknowledged.Load(), n, "likes counted in Redis against likes acknowledged")
		})
	}
}
