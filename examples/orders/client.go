package orders

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// Client places orders the way a well-behaved client does: a fresh
// idempotency key per order, and every acknowledged order noted in its
// Ledger for the consistency audit.
type Client struct {
	URL    string       // base URL of the service
	HTTP   *http.Client // nil means http.DefaultClient
	Ledger *Ledger      // nil means acknowledgements are not recorded
	prefix string
	seq    atomic.Int64
}

// NewClient returns a client of the service at url whose keys start with
// prefix (keys must be unique across the clients of one table).
func NewClient(url, prefix string, ledger *Ledger) *Client {
	return &Client{URL: url, Ledger: ledger, prefix: prefix}
}

// Placed is the number of orders Place has been called for.
func (c *Client) Placed() int64 { return c.seq.Load() }

// Place places one order under a fresh idempotency key and returns the
// receipt of an acknowledged order, or an error naming the status.
func (c *Client) Place(ctx context.Context, o Order) (Receipt, error) {
	key := fmt.Sprintf("%s-%d", c.prefix, c.seq.Add(1))
	body, err := json.Marshal(o)
	if err != nil {
		return Receipt{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/orders", bytes.NewReader(body))
	if err != nil {
		return Receipt{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderIdempotencyKey, key)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Receipt{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Receipt{}, err
	}
	if resp.StatusCode != http.StatusCreated {
		return Receipt{}, fmt.Errorf("place order: status %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	var r Receipt
	if err := json.Unmarshal(b, &r); err != nil {
		return Receipt{}, fmt.Errorf("place order: decode receipt: %w", err)
	}
	if c.Ledger != nil {
		c.Ledger.Record(r)
	}
	return r, nil
}
