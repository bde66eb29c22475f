package chaostest

import (
	"flag"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/go-resilience/resilience/internal/settings"
)

// Settings, as flags of the test binary with environment twins. A flag that
// is set wins over its environment variable. They are read when an
// experiment runs, never cached: the flag definitions are the only
// package-level state.
//
//	-chaostest.journal DIR   CHAOSTEST_JOURNAL=DIR   write journals into DIR (instead of t.ArtifactDir())
//	-chaostest.failfast      CHAOSTEST_FAILFAST=1    stop every method at its first violated window
//	-chaostest.seed N        CHAOSTEST_SEED=N        seed of experiments without the Seed option
//	-chaostest.shard K/N     CHAOSTEST_SHARD=K/N     run only the experiments of shard K of N (1 <= K <= N)
//	-chaostest.slots N       CHAOSTEST_SLOTS=N       experiments measured at once on the machine (1 <= N <= 64, default 2)
const (
	flagJournal  = "chaostest.journal"
	flagFailFast = "chaostest.failfast"
	flagSeed     = settings.FlagSeed
	flagShard    = "chaostest.shard"
	flagSlots    = "chaostest.slots"

	envJournal  = "CHAOSTEST_JOURNAL"
	envFailFast = "CHAOSTEST_FAILFAST"
	envSeed     = settings.EnvSeed
	envShard    = "CHAOSTEST_SHARD"
	envSlots    = "CHAOSTEST_SLOTS"
)

func init() {
	flag.String(flagJournal, "", "directory for experiment journals (env "+envJournal+"); default: the test's ArtifactDir")
	flag.Bool(flagFailFast, false, "stop an experiment's method at its first violated window (env "+envFailFast+")")
	flag.String(flagShard, "", "run only the experiments of shard K of N, as K/N (env "+envShard+"); by a stable hash of the test's name")
	flag.String(flagSlots, "", "experiments measured at once by every test process on the machine, 1 to 64 (env "+envSlots+"); default 2")
	flag.Int64(flagSeed, 0, "seed of experiments that do not set one (env "+envSeed+"); 0: time-based")
}

// setting returns the flag's value when it was set on the command line, else
// the environment variable's.
func setting(flagName, env string) string { return settings.Get(flagName, env) }

func journalDirSetting() string { return setting(flagJournal, envJournal) }

func failFastSetting() bool {
	b, _ := strconv.ParseBool(setting(flagFailFast, envFailFast))
	return b
}

// seedSetting returns the configured seed, or a time-based one.
func seedSetting() (int64, error) { return settings.Seed() }

// skipUnderShort is false only in this package's own tests, whose
// experiments run against fake systems in a fraction of a second and are
// the unit tests of the lifecycle: they run under -short too.
var skipUnderShort = true

// shortMode reports whether the test binary runs with -short, without
// testing.Short's panic when flags were not parsed.
func shortMode() bool {
	if !skipUnderShort {
		return false
	}
	f := flag.Lookup("test.short")
	if f == nil || !flag.Parsed() {
		return false
	}
	b, _ := strconv.ParseBool(f.Value.String())
	return b
}

// shard is one of N parts of a suite's experiments: K is 1-based.
type shard struct{ k, n int }

// shardSetting parses -chaostest.shard / CHAOSTEST_SHARD; zero when unset.
func shardSetting() (shard, error) {
	v := strings.TrimSpace(setting(flagShard, envShard))
	if v == "" {
		return shard{}, nil
	}
	ks, ns, ok := strings.Cut(v, "/")
	k, kerr := strconv.Atoi(ks)
	n, nerr := strconv.Atoi(ns)
	if !ok || kerr != nil || nerr != nil || n < 1 || k < 1 || k > n {
		return shard{}, fmt.Errorf("-%s / %s %q: accepted: K/N with 1 <= K <= N, e.g. 2/3", flagShard, envShard, v)
	}
	return shard{k: k, n: n}, nil
}

// has reports whether the experiment of the test named name belongs to the
// shard: by FNV-1a of the name, so that every runner computes the same
// split without talking to the others, and every experiment lands in
// exactly one shard.
func (s shard) has(name string) bool {
	if s.n <= 1 {
		return true
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	return int(h.Sum32()%uint32(s.n)) == s.k-1
}
