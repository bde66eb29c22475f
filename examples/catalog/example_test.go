package catalog_test

import (
	"fmt"
	"time"

	"github.com/go-resilience/resilience/examples/catalog"
)

func ExampleConfig_Validate() {
	err := catalog.Config{RedisAddr: "127.0.0.1:6379", PostgresDSN: "postgres://app@127.0.0.1/app",
		CacheTimeout: -50 * time.Millisecond}.Validate()
	fmt.Println(err)
	// Output:
	// catalog: CacheTimeout must be >= 0 (0 means 50ms), got -50ms
}
