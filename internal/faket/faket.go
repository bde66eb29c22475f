// Package faket forwards to internal/testkit/faket, where the fake T lives,
// for the tests of fixtures/netfault until they import it from there.
package faket

import "github.com/go-resilience/resilience/internal/testkit/faket"

// T is testkit/faket.T.
type T = faket.T

// Run is testkit/faket.Run.
func Run(f *T, fn func()) { faket.Run(f, fn) }
