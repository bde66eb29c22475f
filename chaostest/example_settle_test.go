package chaostest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// A service whose connection pool fills in its first seconds: the gate may
// slide its Before window for up to 3s until one holds, and the method
// starts only then. A negative allowance is refused before anything starts.
func ExampleSettle() {
	steady := hypothesis.New("orders answer",
		hypothesis.Observe(hypothesis.HTTPGet("http://127.0.0.1:8080/orders"),
			hypothesis.Every(20*time.Millisecond),
			hypothesis.Expect(hypothesis.SuccessRate(0.99))))
	dbDown := chaostest.FaultFunc("database down", func(context.Context) (chaostest.Revert, error) {
		return func(context.Context) error { return nil }, nil
	})
	method := chaostest.Inject(dbDown, chaostest.For(2*time.Second))

	fmt.Println(chaostest.Validate(steady, method, chaostest.Before(time.Second), chaostest.Settle(3*time.Second)))
	fmt.Println(chaostest.Validate(steady, method, chaostest.Settle(-time.Second)))
	// Output:
	// <nil>
	// Settle: -1s out of range; accepted: >= 0 (default 1s; 0: the first Before window decides)
}
