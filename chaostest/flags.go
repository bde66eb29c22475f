package chaostest

import (
	"flag"
	"os"
	"strconv"
	"time"
)

// Settings, as flags of the test binary with environment twins. A flag that
// is set wins over its environment variable. They are read when an
// experiment runs, never cached: the flag definitions are the only
// package-level state.
//
//	-chaostest.journal DIR   CHAOSTEST_JOURNAL=DIR   write journals into DIR (instead of t.ArtifactDir())
//	-chaostest.failfast      CHAOSTEST_FAILFAST=1    stop every method at its first violated window
//	-chaostest.seed N        CHAOSTEST_SEED=N        seed of experiments without the Seed option
const (
	flagJournal  = "chaostest.journal"
	flagFailFast = "chaostest.failfast"
	flagSeed     = "chaostest.seed"

	envJournal  = "CHAOSTEST_JOURNAL"
	envFailFast = "CHAOSTEST_FAILFAST"
	envSeed     = "CHAOSTEST_SEED"
)

func init() {
	flag.String(flagJournal, "", "directory for experiment journals (env "+envJournal+"); default: the test's ArtifactDir")
	flag.Bool(flagFailFast, false, "stop an experiment's method at its first violated window (env "+envFailFast+")")
	flag.Int64(flagSeed, 0, "seed of experiments that do not set one (env "+envSeed+"); 0: time-based")
}

// setting returns the flag's value when it was set on the command line, else
// the environment variable's.
func setting(flagName, env string) string {
	if flag.Parsed() {
		set := false
		flag.Visit(func(f *flag.Flag) { set = set || f.Name == flagName })
		if set {
			return flag.Lookup(flagName).Value.String()
		}
	}
	return os.Getenv(env)
}

func journalDirSetting() string { return setting(flagJournal, envJournal) }

func failFastSetting() bool {
	b, _ := strconv.ParseBool(setting(flagFailFast, envFailFast))
	return b
}

// seedSetting returns the configured seed, or a time-based one.
func seedSetting() (int64, error) {
	if s := setting(flagSeed, envSeed); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, err
		}
		if n != 0 {
			return n, nil
		}
	}
	return time.Now().UnixNano(), nil
}

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
