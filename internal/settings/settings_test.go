package settings

import (
	"flag"
	"testing"
)

func TestSeedFromTheEnvironmentWhenNoFlagIsSet(t *testing.T) {
	t.Setenv(EnvSeed, "42")
	got, err := Seed()
	if err != nil || got != 42 {
		t.Fatalf("Seed() = %d, %v; want 42 from %s", got, err, EnvSeed)
	}
	t.Setenv(EnvSeed, "forty-two")
	if _, err := Seed(); err == nil {
		t.Fatalf("Seed() with %s=forty-two: want an error", EnvSeed)
	}
}

func TestSetFlagWinsOverItsEnvironmentVariable(t *testing.T) {
	// Get reads the process's flags: define the flag there, as the owning
	// package does, and set it.
	flag.Int64(FlagSeed, 0, "")
	t.Setenv(EnvSeed, "42")
	if err := flag.Set(FlagSeed, "7"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = flag.Set(FlagSeed, "0") })
	if got := Get(FlagSeed, EnvSeed); got != "7" {
		t.Fatalf("Get = %q; want the flag's 7 over the environment's 42", got)
	}
}
