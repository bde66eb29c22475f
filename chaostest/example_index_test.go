package chaostest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// GridCell places an experiment in a grid of the index of runs: here the
// cell of the robust variant at row "redis", column "down". An empty name
// is refused before anything starts.
func ExampleGridCell() {
	probe := hypothesis.ProbeFunc("GET /items/42", func(context.Context) (any, error) { return nil, nil })
	down := chaostest.FaultFunc("redis: down", func(context.Context) (chaostest.Revert, error) { return nil, nil })
	steady := hypothesis.New("the catalog answers", hypothesis.Observe(probe))
	method := chaostest.Inject(down, chaostest.For(time.Second))

	fmt.Println(chaostest.Validate(steady, method, chaostest.GridCell("TestCatalogSpace/robust", "redis", "down")))
	fmt.Println(chaostest.Validate(steady, method, chaostest.GridCell("TestCatalogSpace/robust", "", "down")))
	// Output:
	// <nil>
	// GridCell: empty row; accepted: non-empty names of the grid, the row and the column
}
