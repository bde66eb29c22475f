package gateway

import (
	"encoding/json"
	"net/http"
)

// HistoryPoints is the number of past prices in a quote: they make a quote
// about 4 KiB, a realistic answer size that a bandwidth squeeze can slow down.
const HistoryPoints = 1024

// Quote is the upstream's answer to GET /quotes/{symbol}.
type Quote struct {
	Symbol     string  `json:"symbol"`
	PriceCents int     `json:"price_cents"`
	History    []int32 `json:"history"` // past prices, oldest first
}

// Upstream returns the handler of the quote service the gateway calls: a
// deterministic quote for any symbol.
func Upstream() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /quotes/{symbol}", func(w http.ResponseWriter, r *http.Request) {
		symbol := r.PathValue("symbol")
		q := Quote{Symbol: symbol, PriceCents: 10000 + len(symbol), History: make([]int32, HistoryPoints)}
		for i := range q.History {
			q.History[i] = int32(9000 + 7*i)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(q)
	})
	return mux
}
