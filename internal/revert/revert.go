// Package revert holds what every fault's revert needs, whatever it
// breaks.
package revert

import (
	"context"
	"sync"
)

// Once makes a revert idempotent: the first call does the work, later calls
// return its result.
func Once(f func(context.Context) error) func(context.Context) error {
	var (
		mu   sync.Mutex
		done bool
		err  error
	)
	return func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			done = true
			err = f(ctx)
		}
		return err
	}
}
