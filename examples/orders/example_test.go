package orders_test

import (
	"fmt"

	"github.com/go-resilience/resilience/examples/orders"
)

func ExampleConfig_Validate() {
	err := orders.Config{Variant: orders.NoIdempotency}.Validate()
	fmt.Println(err)
	// Output:
	// orders: PostgresDSN must be a Postgres connection string, got ""
}

func ExampleConsistency_String() {
	c := orders.Consistency{Acknowledged: 120, Duplicated: []string{"order-17", "order-18"}}
	fmt.Println(c)
	fmt.Println(c.Anomalies())
	// Output:
	// 120 acknowledged, 0 missing, 2 duplicated (order-17, order-18)
	// 2
}
