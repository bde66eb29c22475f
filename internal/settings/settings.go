// Package settings reads the settings of the library's test binaries: flags
// with environment twins, a flag that is set winning over its environment
// variable. The flags are defined by the packages that own them (chaostest
// defines -chaostest.*); this package only reads them, so that a tool built on
// them (package explore) reads the same values without an exported accessor.
package settings

import (
	"flag"
	"os"
	"strconv"
	"time"
)

// The seed's flag and environment variable (defined by package chaostest).
const (
	FlagSeed = "chaostest.seed"
	EnvSeed  = "CHAOSTEST_SEED"
)

// Get returns the flag's value when it was set on the command line, else the
// environment variable's.
func Get(flagName, env string) string {
	if flag.Parsed() {
		set := false
		flag.Visit(func(f *flag.Flag) { set = set || f.Name == flagName })
		if set {
			return flag.Lookup(flagName).Value.String()
		}
	}
	return os.Getenv(env)
}

// Seed returns the seed -chaostest.seed (or CHAOSTEST_SEED) sets, or a
// time-based one when neither is set (or it is 0): the seed an experiment
// without the Seed option runs with. A tool that runs several experiments
// reads it once and passes it to each, so that one printed seed replays them
// all.
func Seed() (int64, error) {
	if s := Get(FlagSeed, EnvSeed); s != "" {
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
