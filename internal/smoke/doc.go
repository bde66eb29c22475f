// Package smoke holds the tests that prove the project's foundation works on a
// machine: toxiproxy embedded in the test process adds measurable latency in
// front of a real server; a Redis container is reachable through toxiproxy,
// where a latency toxic slows real Redis commands; and chaostest runs an
// experiment end to end with a toxiproxy toxic written by hand as its fault.
// They drive toxiproxy directly, with none of the project's proxies, so that a
// failure here points at the machine (Docker, images, environment) rather than
// at the framework; the one container is started through the fixtures, as
// every container of the project is (loopback only, labelled, removed however
// the test process ends).
package smoke
