package gateway_test

import (
	"testing"

	"github.com/rs/zerolog"
	"github.com/rs/zerolog/log"
)

// TestMain silences zerolog's global logger, which toxiproxy's bandwidth
// toxic writes trace lines to (one per interrupted write, whatever logger
// the proxy server was given): they would drown the experiments' narrative.
func TestMain(m *testing.M) {
	log.Logger = zerolog.Nop()
	m.Run()
}
