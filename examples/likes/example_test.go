package likes_test

import (
	"fmt"
	"time"

	"github.com/go-resilience/resilience/examples/likes"
)

func ExampleConfig_Validate() {
	err := likes.Config{RedisAddr: "127.0.0.1:6379", MinBackoff: time.Second, MaxBackoff: 250 * time.Millisecond}.Validate()
	fmt.Println(err)
	// Output:
	// likes: MinBackoff 1s must be <= MaxBackoff 250ms
}
