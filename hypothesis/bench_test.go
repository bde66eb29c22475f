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
	// Slots enough that no tick finds them all taken, however far behind the
	// schedule runs: the figure is the cost of a sample that runs.
	h := New("overhead", Observe(noop, Every(time.Nanosecond), Timeout(time.Minute), MaxInFlight(1<<20)))
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

// BenchmarkEvaluateWindow measures what judging one window costs: a 1s
// window of a check sampled every 25ms (40 samples), as the examples use.
//
//   - plain: absolute tolerances, the harness figures included (the lag
//     percentiles are what saturation detection adds to every window);
//   - violated: the same window violated, so it is judged a second time
//     with each probe's start delay discounted (what a deviation costs);
//   - control: tolerances relative to a control group, whose window is
//     judged as well (twice: its own relative tolerances compare it with
//     itself), as chaostest does for an experiment with a control group.
func BenchmarkEvaluateWindow(b *testing.B) {
	p := fakeProbe("api")
	every := 25 * time.Millisecond
	mk := func(lat time.Duration) []Sample {
		out := make([]Sample, 40)
		for i := range out {
			x := Sample{Seq: i, Intended: t0.Add(time.Duration(i) * every)}
			x.Start = x.Intended.Add(100 * time.Microsecond)
			x.End = x.Start.Add(lat)
			x.Latency = x.End.Sub(x.Intended)
			out[i] = x
		}
		return out
	}
	to := t0.Add(time.Second)
	abs := New("abs", Observe(p, Every(every), Expect(SuccessRate(0.95), LatencyP(99, 300*time.Millisecond))))
	rel := New("rel", Observe(p, Every(every), Expect(SuccessRateRelative(Control, 0.05), LatencyPRelative(99, Control, 2, 200*time.Millisecond))))
	ctl := New("ctl", Observe(p, Every(every), Expect(SuccessRateRelative(Control, 0.05), LatencyPRelative(99, Control, 2, 200*time.Millisecond))))
	fast, slow := mk(10*time.Millisecond), mk(500*time.Millisecond)
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Evaluate(abs, fast, t0, to)
		}
	})
	b.Run("violated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if Evaluate(abs, slow, t0, to).Verdict != Violated {
				b.Fatal("want violated")
			}
		}
	})
	b.Run("control", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			first := Evaluate(ctl, fast, t0, to)
			c := EvaluateWith(ctl, fast, t0, to, Refs{Control: &first})
			EvaluateWith(rel, fast, t0, to, Refs{Control: &c})
		}
	})
}

// BenchmarkSamplerEvaluate measures Sampler.Evaluate of a 1s window while
// sampling runs: copying the window's samples, judging them, and the host
// load figures of the window (internal/hostload's Window).
func BenchmarkSamplerEvaluate(b *testing.B) {
	noop := ProbeFunc("noop", func(context.Context) (any, error) { return nil, nil })
	h := New("evaluate", Observe(noop, Every(25*time.Millisecond), Expect(LatencyP(99, 300*time.Millisecond))))
	s, err := h.Start(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop()
	from := s.Started()
	timer := time.NewTimer(time.Until(from.Add(1100 * time.Millisecond)))
	<-timer.C // a full window of samples to judge
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.Evaluate(from, from.Add(time.Second))
	}
}

// BenchmarkHarnessOf measures saturation detection alone for one window of
// 40 samples: every tick's lag, their percentiles and the late count.
func BenchmarkHarnessOf(b *testing.B) {
	c := Observe(fakeProbe("api"), Every(25*time.Millisecond), Expect(LatencyP(99, 300*time.Millisecond)))
	samples := make([]Sample, 40)
	for i := range samples {
		x := Sample{Seq: i, Intended: t0.Add(time.Duration(i) * 25 * time.Millisecond)}
		x.Start = x.Intended.Add(time.Duration(i%7) * 100 * time.Microsecond)
		x.End = x.Start.Add(10 * time.Millisecond)
		samples[i] = x
	}
	b.ReportAllocs()
	for b.Loop() {
		harnessOf(c, samples, 0)
	}
}
