// Package variant names the two variants most examples come in: the robust
// service and its fragile twin. What each variant does is the example's own
// business, documented on its constants.
package variant

import "fmt"

// Variant is a service's robust variant or its fragile twin.
type Variant int

const (
	// Robust is the variant that rides out the fault.
	Robust Variant = iota
	// Fragile is the twin that does not.
	Fragile
)

// String returns "robust" or "fragile".
func (v Variant) String() string {
	switch v {
	case Robust:
		return "robust"
	case Fragile:
		return "fragile"
	default:
		return fmt.Sprintf("Variant(%d)", int(v))
	}
}

// Valid reports whether v is Robust or Fragile.
func (v Variant) Valid() bool { return v == Robust || v == Fragile }
