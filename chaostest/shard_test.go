package chaostest_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-resilience/resilience/chaostest"
)

const envShardHelper = "CHAOSTEST_TEST_SHARD_HELPER"

// shardedNames are the experiments of the sharded suite below.
var shardedNames = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"}

// TestShardedSuiteHelper is a suite of small experiments, run only as a
// subprocess of TestShardsMergeIntoOneIndex, once per shard.
func TestShardedSuiteHelper(t *testing.T) {
	if os.Getenv(envShardHelper) == "" {
		t.Skip("runs only as a subprocess of TestShardsMergeIntoOneIndex")
	}
	for _, name := range shardedNames {
		t.Run(name, func(t *testing.T) {
			s := &system{}
			run(t, quick(s.healthy(), chaostest.Inject(newFault("harmless "+name))))
		})
	}
}

// A suite spread over runners: each runner runs one shard of the
// experiments, as a process of its own, into a journal directory of its
// own; their files copied into one directory make one index, in which
// every experiment appears exactly once.
func TestShardsMergeIntoOneIndex(t *testing.T) {
	t.Parallel()
	const n = 3
	merged := t.TempDir()
	ran := map[string]int{}
	for k := 1; k <= n; k++ {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestShardedSuiteHelper$", "-test.v", fmt.Sprintf("-chaostest.shard=%d/%d", k, n))
		cmd.Env = append(os.Environ(), envShardHelper+"=1", "CHAOSTEST_JOURNAL="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("shard %d/%d: %v\n%s", k, n, err, out)
		}
		for _, name := range shardedNames {
			if strings.Contains(string(out), "--- PASS: TestShardedSuiteHelper/"+name+" ") {
				ran[name]++
			}
		}
		copyDir(t, dir, merged)
	}
	for _, name := range shardedNames {
		if ran[name] != 1 {
			t.Errorf("experiment %s ran in %d shards, want exactly 1", name, ran[name])
		}
	}
	index, err := chaostest.IndexReports(merged)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range shardedNames {
		if got := strings.Count(string(b), "TestShardedSuiteHelper/"+name+"<"); got != 1 {
			t.Errorf("the merged index lists %s %d times, want once", name, got)
		}
	}
}

// A bad shard setting is one line naming it and the accepted range.
func TestShardSetting(t *testing.T) {
	for _, bad := range []string{"0/3", "4/3", "3", "a/b", "1/0", "-1/2"} {
		t.Run(bad, func(t *testing.T) {
			t.Setenv("CHAOSTEST_SHARD", bad)
			f := newFault("f")
			ft, _ := runExp("TestShard", quick((&system{}).healthy(), chaostest.Inject(f)))
			if !ft.FailedNow() || !strings.Contains(ft.Errors(), "accepted: K/N with 1 <= K <= N") || f.applied.Load() != 0 {
				t.Errorf("CHAOSTEST_SHARD=%s: errors %q, applied %d; want it refused before anything starts", bad, ft.Errors(), f.applied.Load())
			}
		})
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "index.html" {
			continue
		}
		src, err := os.Open(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(to, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		if err := dst.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
