package policy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A module of a user's that already uses pgx, go-redis and gRPC, at versions older
// than the examples': adding the library must not move them. The library's
// module requires the oldest versions its own code and tests need; the
// examples, whose clients are newer, are a module of their own.
const consumerGoMod = `module example.com/consumer

go 1.26.0

require (
	github.com/jackc/pgx/v5 v5.7.5
	github.com/redis/go-redis/v9 v9.11.0
	google.golang.org/grpc v1.70.0
)
`

const consumerMain = `package consumer

import (
	_ "github.com/go-resilience/resilience/chaostest"
	_ "github.com/go-resilience/resilience/fixtures"
	_ "github.com/go-resilience/resilience/fixtures/explore"
	_ "github.com/go-resilience/resilience/fixtures/grpcfault"
	_ "github.com/go-resilience/resilience/fixtures/httpfault"
	_ "github.com/go-resilience/resilience/fixtures/netfault"
	_ "github.com/go-resilience/resilience/fixtures/pgfault"
	_ "github.com/go-resilience/resilience/fixtures/process"
	_ "github.com/go-resilience/resilience/fixtures/redisfault"
	_ "github.com/go-resilience/resilience/hypothesis"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/redis/go-redis/v9"
	_ "google.golang.org/grpc"
)
`

// TestConsumerKeepsItsVersions runs `go mod tidy` in such a module, with the
// library replaced by this checkout, and checks that its own requirements and
// its go directive are unchanged. It needs the Go module proxy (or a module
// cache that holds the versions).
func TestConsumerKeepsItsVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("policy: the consumer-module check runs go mod tidy (module downloads); skipped under -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("policy: no go command on PATH")
	}
	root := moduleRoot(t)
	dir := t.TempDir()
	gomod := consumerGoMod + "\nrequire github.com/go-resilience/resilience v0.0.0\n\nreplace github.com/go-resilience/resilience => " + root + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "consumer.go"), []byte(consumerMain), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gobin, "mod", "tidy")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy in a consumer module: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{"github.com/jackc/pgx/v5 v5.7.5", "github.com/redis/go-redis/v9 v9.11.0", "google.golang.org/grpc v1.70.0"} {
		if !strings.Contains(got, want) {
			mod, _, _ := strings.Cut(want, " ")
			t.Errorf("after go mod tidy the consumer requires %s; want it unchanged at %s\n%s", regexp.MustCompile(regexp.QuoteMeta(mod)+` v\S+`).FindString(got), want, got)
		}
	}
	if !regexp.MustCompile(`(?m)^go 1\.26\.0$`).MatchString(got) {
		t.Errorf("after go mod tidy the consumer's go directive moved from 1.26.0:\n%s", got)
	}
}
