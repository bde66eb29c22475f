package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testdata holds real journals of the gateway's down-and-back experiment,
// trimmed to one sample per window and brought to the current journal
// shape (Chaos Toolkit's keys with its meanings, chaostest's under
// "chaostest"), and a second run of the fragile gateway edited to have
// held: the weakness went unnoticed that time.

func TestSummaryGroupsRunsAndFlagsTheOneThatFailed(t *testing.T) {
	rows, err := load("testdata")
	require.NoError(t, err)
	require.Len(t, rows, 2)

	fragile, robust := rows[0], rows[1]
	assert.Equal(t, "GatewayWhenUpstreamIsDownAndBack", fragile.Experiment)
	assert.Equal(t, "fragile", fragile.Version)
	assert.Equal(t, "deviation", fragile.Expect)
	assert.Equal(t, 2, fragile.Runs)
	assert.Equal(t, 1, fragile.Passed)
	assert.Equal(t, "deviated×1 held×1", fragile.verdicts())
	assert.Equal(t, []string{"success rate >= 95%"}, fragile.Violated)
	assert.Equal(t, 40, fragile.Errors, "only the caught run had errors")
	assert.Equal(t, 3200*time.Millisecond, fragile.SlotWait, "the longest wait for an experiment slot, over runs")

	assert.Equal(t, "robust", robust.Version)
	assert.Equal(t, "hold", robust.Expect)
	assert.Equal(t, "held", robust.verdicts())
	assert.Empty(t, robust.Violated)
	assert.Zero(t, robust.Errors)

	var out bytes.Buffer
	assert.False(t, render(&out, rows), "a failed run must fail the summary")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 4, out.String())
	assert.Contains(t, lines[0], "EXPERIMENT")
	assert.Regexp(t, `^GatewayWhenUpstreamIsDownAndBack +fragile +deviation +deviated×1 held×1 +FAIL \(1 of 2\) +3\.2s .* 40/160 +0s +0/8 +success rate >= 95% +-$`, lines[1])
	assert.Regexp(t, `^GatewayWhenUpstreamIsDownAndBack +robust +hold +held +pass +0s .* 0/80 +0s +0/4 +- +-$`, lines[2])
	assert.Equal(t, "3 experiment runs, 2 passed, 1 failed", lines[3])
}

func TestSummaryPassesWhenEveryRunPassed(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"TestGatewayWhenUpstreamIsDownAndBack_fragile", "TestGatewayWhenUpstreamIsDownAndBack_robust"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".journal.json"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".journal.json"), b, 0o644))
	}
	rows, err := load(dir)
	require.NoError(t, err)
	var out bytes.Buffer
	assert.True(t, render(&out, rows), out.String())
	assert.Contains(t, out.String(), "2 experiment runs, 2 passed, 0 failed")
}

func TestSummaryFailsWithoutJournals(t *testing.T) {
	rows, err := load(t.TempDir())
	require.NoError(t, err)
	var out bytes.Buffer
	assert.False(t, render(&out, rows))
	assert.Contains(t, out.String(), "no chaostest journal found")
}

func TestSummaryRejectsAJournalThatIsNotOne(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.journal.json"), []byte(`{"status":"completed"}`), 0o644))
	_, err := load(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `x.journal.json: no "test" under "chaostest"`)
}

// An explorer's cell keeps its dependency and fault with the experiment;
// the version is the first subtest.
func TestSummaryNamesExplorerCells(t *testing.T) {
	for test, want := range map[string][2]string{
		"TestGatewayWhenUpstreamIsSlow/robust":      {"GatewayWhenUpstreamIsSlow", "robust"},
		"TestGatewayFaultSpace/fragile/quotes/down": {"GatewayFaultSpace/quotes/down", "fragile"},
		"TestAlone": {"Alone", "-"},
	} {
		var j journal
		j.Chaostest.Test = test
		r := newRow(j)
		assert.Equal(t, want, [2]string{r.Experiment, r.Version}, test)
	}
}

// A check that drives load is not judged: its errors are not the
// hypothesis's; a tolerance violated after the rollback has its column.
func TestSummaryLeavesLoadOutAndShowsTheAfterPhase(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "TestGatewayWhenUpstreamIsDownAndBack_robust.journal.json"))
	require.NoError(t, err)
	var j map[string]any
	require.NoError(t, json.Unmarshal(b, &j))
	ss := j["steady_states"].(map[string]any)
	for _, w := range ss["during"].([]any) {
		w := w.(map[string]any)
		load := map[string]any{
			"activity": map[string]any{"name": "POST /orders"},
			"output": map[string]any{"status": 0, "verdict": "not judged", "reason": "drives load (not judged)",
				"sample_count": 100, "error_count": 90, "p99": 9.0, "tolerances": []any{}},
		}
		w["probes"] = append(w["probes"].([]any), load)
	}
	after := ss["after"].(map[string]any)
	tol := after["probes"].([]any)[0].(map[string]any)["output"].(map[string]any)["tolerances"].([]any)[1].(map[string]any)
	require.Equal(t, "success rate >= 95%", tol["tolerance"])
	tol["verdict"] = "violated"
	dir := t.TempDir()
	b, err = json.Marshal(j)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.journal.json"), b, 0o644))

	rows, err := load(dir)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	r := rows[0]
	assert.Zero(t, r.Errors, "the load's errors are not the hypothesis's")
	assert.Equal(t, 80, r.Samples, "the judged check's samples only")
	assert.Less(t, r.DuringP99, time.Second, "the load's latency is not the hypothesis's")
	assert.Empty(t, r.Violated)
	assert.Equal(t, []string{"success rate >= 95%"}, r.After)

	var out bytes.Buffer
	render(&out, rows)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Regexp(t, `VIOLATED DURING +VIOLATED AFTER$`, lines[0])
	assert.Regexp(t, ` 0/80 .* +- +success rate >= 95%$`, lines[1])
}

// A run whose faults all measured their reach and reached nothing (an
// explorer's quiet cell) reads "unreached", not "held": its windows say
// nothing about the faults. One fault that reached something restores the
// run's own verdict.
func TestSummaryShowsRunsWhoseFaultsReachedNothing(t *testing.T) {
	const run = `{"chaostest": {"verdict": "held"}, "run": [
		{"activity": {"type": "action"}, "output": {"reach": {"reached": false}}}%s]}`
	var j journal
	require.NoError(t, json.Unmarshal([]byte(strings.Replace(run, "%s", "", 1)), &j))
	assert.Equal(t, "unreached", j.verdict())

	require.NoError(t, json.Unmarshal([]byte(strings.Replace(run, "%s", `,
		{"activity": {"type": "action"}, "output": {"reach": {"reached": true}}}`, 1)), &j))
	assert.Equal(t, "held", j.verdict())

	require.NoError(t, json.Unmarshal([]byte(`{"chaostest": {"verdict": "held"}, "run": []}`), &j))
	assert.Equal(t, "held", j.verdict(), "no fault measured its reach: the verdict stands")
}
