package hostload

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFiguresString(t *testing.T) {
	for _, tc := range []struct {
		f    Figures
		want string
	}{{
		Figures{HostKnown: true, CPUs: 2, Busy: 0.5, RunQueue: 0.25, RunQueueMax: 1, Readings: 20, SchedP99: 229376 * time.Nanosecond},
		"host CPU 50% busy, 0.2 runnable on 2 CPUs (max 1); Go scheduler delay p99 230µs",
	}, {
		Figures{HostKnown: true, CPUs: 1, Busy: 0.996, RunQueue: 3, RunQueueMax: 3, PressureKnown: true, Pressure: 0.004, Readings: 1},
		"host CPU 100% busy, 3.0 runnable on 1 CPU (max 3), CPU pressure 0%; Go scheduler delay p99 0s",
	}, {
		Figures{CPUs: 4, Readings: 3, PressureKnown: true, Pressure: 0.5, SchedP99: 1835008 * time.Nanosecond},
		"host load unknown (no /proc/stat), CPU pressure 50%; Go scheduler delay p99 1.8ms",
	}, {
		Figures{CPUs: 4},
		"no load readings in window",
	}} {
		assert.Equal(t, tc.want, tc.f.String())
	}
}

func TestRoundDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                        "0s",
		99:                       "99ns",
		6400:                     "6.4µs",
		458752:                   "460µs",
		29360128:                 "29ms",
		30064771072:              "30s",
		123145302310912 * 1000:   "33333h20m0s",
		time.Duration(1<<63 - 1): "2555555h33m20s",
		time.Duration(-1 << 63):  "-2562047h47m16.854775808s",
	} {
		assert.Equal(t, want, roundDuration(d).String(), "%d", int64(d))
	}
}

func TestHostSaturated(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Figures
		want bool
	}{
		{"idle", Figures{HostKnown: true, CPUs: 2, Busy: 0.05}, false},
		{"busy, no queue", Figures{HostKnown: true, CPUs: 2, Busy: 1, RunQueue: 1.5}, false},
		{"queue, not busy: bursts", Figures{HostKnown: true, CPUs: 2, Busy: 0.6, RunQueue: 4}, false},
		{"busy and queued", Figures{HostKnown: true, CPUs: 2, Busy: 0.9, RunQueue: 2}, true},
		{"pressure", Figures{HostKnown: true, CPUs: 2, Busy: 0.5, PressureKnown: true, Pressure: 0.5}, true},
		{"pressure below half", Figures{HostKnown: true, CPUs: 2, Busy: 0.95, RunQueue: 1, PressureKnown: true, Pressure: 0.49}, false},
		{"pressure alone", Figures{PressureKnown: true, Pressure: 0.8}, true},
		{"unknown host", Figures{CPUs: 2, Busy: 1, RunQueue: 9}, false},
		{"no readings", Figures{}, false},
	} {
		assert.Equal(t, tc.want, tc.f.HostSaturated(), tc.name)
	}
}

func ExampleFigures_String() {
	f := Figures{
		HostKnown: true, CPUs: 2, Busy: 1, RunQueue: 14.2, RunQueueMax: 20,
		PressureKnown: true, Pressure: 0.85,
		SchedP99: 31457280 * time.Nanosecond, Readings: 20,
	}
	fmt.Println(f)
	fmt.Println(f.HostSaturated())
	// Output:
	// host CPU 100% busy, 14.2 runnable on 2 CPUs (max 20), CPU pressure 85%; Go scheduler delay p99 31ms
	// true
}
