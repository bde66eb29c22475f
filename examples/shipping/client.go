// Package shipping is the shipping example: a rate service run as a binary
// of its own (cmd/rates), and the client a checkout uses to ask it for
// rates, in a robust version and a fragile twin.
//
// The experiment crashes the rate service (SIGKILL) and starts it again: a
// deploy gone wrong, an OOM kill, a node lost. The robust client retries
// with jittered backoff within a time budget, so a checkout waits through
// the restart and gets its rate; the fragile one makes one attempt, so every
// checkout during the restart fails.
package shipping

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-resilience/resilience/examples/internal/variant"
)

// Variant selects the robust client or its fragile twin.
type Variant = variant.Variant

const (
	// Robust retries failed attempts with jittered backoff within
	// RetryBudget.
	Robust = variant.Robust
	// Fragile makes one attempt: an error of the rate service is the
	// caller's error.
	Fragile = variant.Fragile
)

// RetryBudget is how long the robust client keeps retrying one rate before
// it gives up: long enough to ride out a restart of the rate service (tens
// of milliseconds for a Go binary, a few seconds on a loaded machine),
// short enough for a checkout page.
const RetryBudget = 4 * time.Second

// attemptTimeout bounds one attempt: a healthy answer takes a millisecond.
const attemptTimeout = 500 * time.Millisecond

// maxBackoff caps the pause between two attempts.
const maxBackoff = 100 * time.Millisecond

// Client asks the rate service for rates.
type Client struct {
	base    string
	variant Variant
	http    *http.Client
	retries atomic.Int64
}

// Retries counts the attempts the robust client made after a failed one.
func (c *Client) Retries() int64 { return c.retries.Load() }

// NewClient is a client of the rate service at baseURL
// ("http://127.0.0.1:8080"). Close it to release its connections.
func NewClient(baseURL string, v Variant) *Client {
	return &Client{base: baseURL, variant: v, http: &http.Client{Timeout: attemptTimeout}}
}

// Close releases the client's idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Rate is the rate of zone, in cents.
func (c *Client) Rate(ctx context.Context, zone string) (int, error) {
	if c.variant == Fragile {
		return c.attempt(ctx, zone)
	}
	ctx, cancel := context.WithTimeout(ctx, RetryBudget)
	defer cancel()
	pause := 5 * time.Millisecond
	for {
		cents, err := c.attempt(ctx, zone)
		var perm permanent
		if err == nil || errors.As(err, &perm) {
			return cents, err
		}
		// Full jitter: clients that failed together do not come back
		// together.
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("rate of %s: retry budget of %v spent: %w", zone, RetryBudget, err)
		case <-time.After(rand.N(pause + 1)):
		}
		pause = min(2*pause, maxBackoff)
		c.retries.Add(1)
	}
}

// permanent is an answer that no retry changes (an unknown zone).
type permanent struct{ error }

func (c *Client) attempt(ctx context.Context, zone string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/rates/"+zone, nil)
	if err != nil {
		return 0, permanent{err}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return 0, permanent{fmt.Errorf("rate of %s: unknown zone", zone)}
	case resp.StatusCode != http.StatusOK:
		return 0, fmt.Errorf("rate of %s: %s", zone, resp.Status)
	}
	var body struct {
		Cents int `json:"cents"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, err
	}
	return body.Cents, nil
}
