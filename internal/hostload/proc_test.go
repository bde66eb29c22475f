package hostload

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testdata/proc holds /proc/stat and /proc/pressure/cpu captured on a 2-CPU
// Linux 6.18 machine.
const captureRoot = "testdata/proc"

func TestParseStatCapture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(captureRoot, "stat"))
	require.NoError(t, err)
	s, err := parseStat(b)
	require.NoError(t, err)
	// cpu  10446 0 7532 44450 540 0 122 44 0 0
	assert.Equal(t, cpuStat{
		total:   10446 + 7532 + 44450 + 540 + 122 + 44,
		busy:    10446 + 7532 + 122 + 44,
		running: 1,
		cpus:    2,
	}, s)
}

func TestParseAllocatesNothing(t *testing.T) {
	stat, err := os.ReadFile(filepath.Join(captureRoot, "stat"))
	require.NoError(t, err)
	pressure, err := os.ReadFile(filepath.Join(captureRoot, "pressure", "cpu"))
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = parseStat(stat)
		_, _ = parsePressure(pressure)
	})
	assert.Zero(t, allocs)
}

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		want cpuStat
	}{{
		name: "guest time is not counted twice",
		text: "cpu  10 1 2 30 4 5 6 7 8 9\ncpu0 10 1 2 30 4 5 6 7 8 9\nprocs_running 3\n",
		want: cpuStat{total: 65, busy: 31, running: 3, cpus: 1},
	}, {
		name: "kernel before 2.6 has four fields",
		text: "cpu 10 0 5 85\ncpu0 5 0 2 43\ncpu1 5 0 3 42\nprocs_running 1\n",
		want: cpuStat{total: 100, busy: 15, running: 1, cpus: 2},
	}, {
		name: "no final newline, tabs, lines in another order",
		text: "procs_running\t7\nintr 1 2 3\ncpu\t1 2 3 4 5 6 7 8",
		want: cpuStat{total: 36, busy: 27, running: 7},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStat([]byte(tc.text))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseStatRejects(t *testing.T) {
	for name, text := range map[string]string{
		"empty":              "",
		"no cpu line":        "cpu0 1 2 3 4\nprocs_running 1\n",
		"no procs_running":   "cpu  1 2 3 4\n",
		"three fields":       "cpu  1 2 3\nprocs_running 1\n",
		"not a number":       "cpu  1 2 x 4\nprocs_running 1\n",
		"negative":           "cpu  1 2 -3 4\nprocs_running 1\n",
		"overflow":           "cpu  99999999999999999999 2 3 4\nprocs_running 1\n",
		"total overflows":    "cpu  18446744073709551615 2 3 4\nprocs_running 1\n",
		"running not number": "cpu  1 2 3 4\nprocs_running many\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseStat([]byte(text))
			assert.Error(t, err)
		})
	}
}

func TestParsePressureCapture(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(captureRoot, "pressure", "cpu"))
	require.NoError(t, err)
	total, err := parsePressure(b)
	require.NoError(t, err)
	assert.Equal(t, uint64(31050899), total)
}

func TestParsePressure(t *testing.T) {
	for text, want := range map[string]uint64{
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n":                                      0,
		"full avg10=1.00 avg60=0.00 avg300=0.00 total=5\nsome avg10=1 avg60=2 avg300=3 total=9": 9,
		"some total=12 avg10=0.00\n":                                                            12,
	} {
		got, err := parsePressure([]byte(text))
		require.NoError(t, err, text)
		assert.Equal(t, want, got, text)
	}
	for _, text := range []string{
		"",
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00\n",
		"some avg10=0.00 total=\n",
		"some avg10=0.00 total=1.5\n",
	} {
		_, err := parsePressure([]byte(text))
		assert.Error(t, err, text)
	}
}

func FuzzParseStat(f *testing.F) {
	b, err := os.ReadFile(filepath.Join(captureRoot, "stat"))
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte("cpu 1 2 3 4\nprocs_running 1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseStat(b)
		if err == nil && s.busy > s.total {
			t.Fatalf("busy %d > total %d", s.busy, s.total)
		}
	})
}

func FuzzParsePressure(f *testing.F) {
	b, err := os.ReadFile(filepath.Join(captureRoot, "pressure", "cpu"))
	require.NoError(f, err)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parsePressure(b) })
}

func TestProcReaderCapture(t *testing.T) {
	p := newProcReader(captureRoot)
	s, ok := p.stat()
	require.True(t, ok)
	assert.Equal(t, uint16(2), s.cpus)
	total, ok := p.pressure()
	require.True(t, ok)
	assert.Equal(t, uint64(31050899), total)
}

func TestProcReaderDegrades(t *testing.T) {
	t.Run("no files", func(t *testing.T) {
		p := newProcReader(filepath.Join(t.TempDir(), "missing"))
		_, ok := p.stat()
		assert.False(t, ok)
		_, ok = p.pressure()
		assert.False(t, ok)
	})
	t.Run("garbage", func(t *testing.T) {
		root := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(root, "stat"), []byte("cpu  a b c d\n"), 0o600))
		require.NoError(t, os.Mkdir(filepath.Join(root, "pressure"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(root, "pressure", "cpu"), []byte("some\n"), 0o600))
		p := newProcReader(root)
		_, ok := p.stat()
		assert.False(t, ok)
		_, ok = p.pressure()
		assert.False(t, ok)
	})
	t.Run("larger than the buffer", func(t *testing.T) {
		root := t.TempDir()
		text := "cpu  1 2 3 4\nintr" + string(make([]byte, 3*4096)) + "\nprocs_running 5\n"
		require.NoError(t, os.WriteFile(filepath.Join(root, "stat"), []byte(text), 0o600))
		s, ok := newProcReader(root).stat()
		require.True(t, ok)
		assert.Equal(t, uint32(5), s.running)
	})
}
