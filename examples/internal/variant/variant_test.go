package variant_test

import (
	"testing"

	"github.com/go-resilience/resilience/examples/internal/variant"
)

func TestVariantNamesAndValidity(t *testing.T) {
	for _, tc := range []struct {
		v     variant.Variant
		name  string
		valid bool
	}{
		{variant.Robust, "robust", true},
		{variant.Fragile, "fragile", true},
		{9, "Variant(9)", false},
		{-1, "Variant(-1)", false},
	} {
		if got := tc.v.String(); got != tc.name {
			t.Errorf("Variant(%d).String(): got %q, want %q", int(tc.v), got, tc.name)
		}
		if got := tc.v.Valid(); got != tc.valid {
			t.Errorf("Variant(%d).Valid(): got %v, want %v", int(tc.v), got, tc.valid)
		}
	}
}
