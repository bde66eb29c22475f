package hypothesis

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSamplerOverhead measures the sampler's own cost per sample: a
// probe that returns at once, scheduled every nanosecond so the schedule is
// always behind and the sampler runs as fast as it can. One op is one sample:
// scheduling, the slot, the goroutine, the deadline context, the panic guard
// and the bookkeeping, measured from Start to the end of Stop.
func BenchmarkSamplerOverhead(b *testing.B) {
	noop := ProbeFunc("noop", func(context.Context) (any, error) { return nil, nil })
	h := New("overhead", Observe(noop).Every(time.Nanosecond).Timeout(time.Minute))
	b.ReportAllocs()
	b.ResetTimer()
	s, err := h.start(context.Background(), b.N)
	if err != nil {
		b.Fatal(err)
	}
	s.sched.Wait() // every one of the b.N ticks is scheduled
	samples := s.Stop()
	b.StopTimer()
	if len(samples) != b.N {
		b.Fatalf("got %d samples, want %d", len(samples), b.N)
	}
	for _, x := range samples {
		if x.Err != nil {
			b.Fatalf("sample %d: %v", x.Seq, x.Err)
		}
	}
}
