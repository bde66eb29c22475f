// Package smoke holds the tests that prove the project's foundation works on a
// machine: toxiproxy embedded in the test process adds measurable latency in
// front of a real server, and a Redis container started through
// testcontainers-go is reachable through toxiproxy, where a latency toxic slows
// real Redis commands. They use the libraries directly, with none of the
// project's own packages, so that a failure here points at the machine (Docker,
// images, environment) rather than at the framework.
package smoke
