// Package browsertest renders pages in a real browser for tests: headless
// Chromium (or Chrome), driven through its command line, so that no Go
// module has to be downloaded by the users of this module for it. Tests
// that need a browser skip with a one-line reason where none is installed,
// and fail instead when CHAOSTEST_REQUIRE_BROWSER=1, so a CI that silently
// skips them cannot pass (.ci/run sets it, and make test when CI=true).
//
// On Debian: apt-get install chromium.
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	// EnvRequire turns a missing browser from a skip into a failure.
	EnvRequire = "CHAOSTEST_REQUIRE_BROWSER"
	// EnvBrowser names the browser to use, a path or a command; by default
	// the first of Candidates on PATH.
	EnvBrowser = "CHAOSTEST_BROWSER"
)

// Candidates are the commands looked for on PATH, in order.
var Candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"}

// T is what Require needs of a test.
type T interface {
	Helper()
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Find returns the browser's path, or why there is none.
func Find() (string, error) {
	if b := os.Getenv(EnvBrowser); b != "" {
		p, err := exec.LookPath(b)
		if err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBrowser, b, err)
		}
		return p, nil
	}
	for _, c := range Candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("none of %s is on PATH (on Debian: apt-get install chromium)", strings.Join(Candidates, ", "))
}

// Required reports whether CHAOSTEST_REQUIRE_BROWSER asks for a browser.
func Required() bool {
	v := os.Getenv(EnvRequire)
	return v == "1" || v == "true"
}

// Require returns the browser's path. Where there is none it skips t, or
// fails it when CHAOSTEST_REQUIRE_BROWSER=1. Under -short it skips t: a
// browser takes a second or two to start.
func Require(t T) string {
	t.Helper()
	if flag.Parsed() && testing.Short() {
		t.Skipf("needs a headless browser, skipped under -short")
		return ""
	}
	p, err := Find()
	if err == nil {
		return p
	}
	if Required() {
		t.Fatalf("%s=1 but no browser was found: %v", EnvRequire, err)
		return ""
	}
	t.Skipf("needs headless Chromium (%v); set %s=1 to fail instead of skipping", err, EnvRequire)
	return ""
}

// Page is what the browser made of a page: its DOM once loaded, serialised,
// and every message the page wrote to the console (errors included: a
// script's, a refused load's, a Content-Security-Policy violation's).
type Page struct {
	DOM     string
	Console []string
}

// consoleLine matches the browser's log lines of console messages, e.g.
// `[1:1:1201/190238.389866:INFO:CONSOLE:1] "boom", source: file:///a.html (1)`
// (older builds write CONSOLE(1)).
var consoleLine = regexp.MustCompile(`:CONSOLE[:(]`)

// Load opens the file at path in the browser and returns what it shows.
func Load(ctx context.Context, browser, path string) (Page, error) {
	u, err := fileURL(path)
	if err != nil {
		return Page{}, err
	}
	out, errOut, err := run(ctx, browser, "--dump-dom", u)
	if err != nil {
		return Page{}, err
	}
	p := Page{DOM: string(out)}
	for l := range strings.SplitSeq(string(errOut), "\n") {
		if consoleLine.MatchString(l) {
			p.Console = append(p.Console, strings.TrimSpace(l))
		}
	}
	if !strings.Contains(p.DOM, "<html") {
		return p, fmt.Errorf("the browser returned no page for %s: %s", u, tail(errOut))
	}
	return p, nil
}

// Screenshot saves a PNG of the file at path, as a window of width × height
// pixels shows it, to png.
func Screenshot(ctx context.Context, browser, path, png string, width, height int) error {
	return ScreenshotAt(ctx, browser, path, "", png, width, height)
}

// ScreenshotAt is Screenshot of the page at path#fragment: the element
// whose id is fragment is the page's :target (and scrolled to); "" is the
// page itself.
func ScreenshotAt(ctx context.Context, browser, path, fragment, png string, width, height int) error {
	u, err := fileURL(path)
	if err != nil {
		return err
	}
	if fragment != "" {
		u += "#" + url.PathEscape(fragment)
	}
	abs, err := filepath.Abs(png)
	if err != nil {
		return err
	}
	os.Remove(abs)
	_, errOut, err := run(ctx, browser, "--screenshot="+abs, fmt.Sprintf("--window-size=%d,%d", width, height), u)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(abs); err != nil || fi.Size() == 0 {
		return fmt.Errorf("the browser wrote no screenshot of %s: %s", u, tail(errOut))
	}
	return nil
}

// run runs the browser headless, with a profile of its own that is removed
// afterwards, and returns its standard output and error.
func run(ctx context.Context, browser string, args ...string) ([]byte, []byte, error) {
	profile, err := os.MkdirTemp("", "browsertest-profile-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--no-default-browser-check", "--disable-extensions", "--mute-audio",
		"--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
	}
	cmd := exec.CommandContext(ctx, browser, append(base, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = errors.Join(err, ctx.Err())
		}
		return out.Bytes(), errOut.Bytes(), fmt.Errorf("%s %s: %w: %s", filepath.Base(browser), strings.Join(args, " "), err, tail(errOut.Bytes()))
	}
	return out.Bytes(), errOut.Bytes(), nil
}

func fileURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

// tail is the end of the browser's log, for an error message.
func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 1500 {
		s = "…" + s[len(s)-1500:]
	}
	return s
}
