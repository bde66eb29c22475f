package chaostest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// journalOf is the record of a finished run as the journal keeps it, with
// what the index reads of it.
func journalOf(test, title string, st Status, passed bool, cell *gridCell) journal {
	expect := "hold"
	if st == StatusDeviated && passed {
		expect = "deviation"
	}
	reason := ""
	if st != StatusHeld {
		reason = "during +1s..+2s: GET /items/42 violated (success rate >= 95%: expected >= 95%, observed 0% (0/40))"
	}
	return journal{
		ChaosLibVersion: chaosLibVersion, Start: "2026-11-25T10:00:00.000000+00:00", Status: ctkCompleted, Duration: 5.04,
		Experiment: journalExperiment{Title: title, Extensions: []experimentExt{{Name: "chaostest", Expect: expect, Cell: cell}}},
		Chaostest:  runExtra{Verdict: string(st), Passed: passed, Test: test, Reason: reason, Seed: 42},
	}
}

// writeRecord writes j as a journal at path.
func writeRecord(tb testing.TB, path string, j journal) {
	tb.Helper()
	b, err := json.Marshal(j)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func indexOf(t *testing.T, dir string) string {
	t.Helper()
	path, err := IndexReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, indexName) {
		t.Errorf("index at %s, want %s", path, filepath.Join(dir, indexName))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The index lists every run whose journal is in the directory or under it,
// failures first, each with its verdict and links to its journal and (when
// it is there) its report; it reads nothing of the reports.
func TestIndexListsEveryJournal(t *testing.T) {
	dir := t.TempDir()
	writeRecord(t, filepath.Join(dir, "TestA_fragile.journal.json"), journalOf("TestA/fragile", "A", StatusDeviated, true, nil))
	writeRecord(t, filepath.Join(dir, "TestA_robust.journal.json"), journalOf("TestA/robust", "A", StatusHeld, true, nil))
	writeRecord(t, filepath.Join(dir, "TestB_robust.journal.json"), journalOf("TestB/robust", "B <holds>", StatusDeviated, false, nil))
	// go test -artifacts puts each test's journal in a directory of its own.
	writeRecord(t, filepath.Join(dir, "pkg", "TestC", "0123", "TestC.journal.json"), journalOf("TestC", "C", StatusNotSteady, false, nil))
	for name, data := range map[string]string{
		"TestA_fragile.report.html":  "<html>the report</html>",
		"orphan.report.html":         `<html><head><meta name="chaostest:verdict" content="held"></head></html>`, // no journal: not a run
		"stray.journal.json":         "{}",
		".hidden/TestD.journal.json": "{}", // a temporary directory of another tool
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := indexOf(t, dir)
	for _, want := range []string{
		`<p class="outcome" id="counts">2 passed, 3 failed · 2 deviated · 1 held · 1 not steady · 1 unreadable</p>`,
		`<div class="badge failed" id="verdict">3 failed</div>`,
		`<a href="TestA_fragile.report.html">TestA/fragile</a>`,
		`<a href="TestA_fragile.report.html">report</a> · <a href="TestA_fragile.journal.json">journal</a>`,
		`<a href="TestB_robust.journal.json">journal</a>`,
		`<a href="pkg/TestC/0123/TestC.journal.json">journal</a>`,
		`<td>B &lt;holds&gt;</td>`,
		`<tr class="run failed v-not-steady">`,
		`<span class="v notsteady">not steady</span>`,
		`not a chaostest journal: no chaostest.verdict`,
		`<td class="num">5.04s</td>`,
		`<td class="mono nw">2026-11-25 10:00:00 UTC</td>`,
		`during &#43;1s..&#43;2s: GET /items/42 violated`,
		`<a href="#show-v-not-steady">not steady 1</a>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the index does not contain %s", want)
		}
	}
	for _, not := range []string{"orphan", "TestD", `<a href="TestB_robust.report.html"`} {
		if strings.Contains(out, not) {
			t.Errorf("the index shows %s", not)
		}
	}
	// Failures first: the failed robust B before any pass.
	if i, j := strings.Index(out, "TestB_robust.journal.json"), strings.Index(out, "TestA_fragile.journal.json"); i < 0 || j < 0 || i > j {
		t.Errorf("the failed run is not listed before the passed ones")
	}
	if strings.Contains(out, "<script") {
		t.Errorf("the index has a script; it must need none")
	}
}

// The filter by result needs no script: each choice is a fragment of the
// page's address (index.html#show-failed) whose target hides the other
// rows and fades the other cells of the grids.
func TestIndexFiltersByResult(t *testing.T) {
	dir := t.TempDir()
	writeRecord(t, filepath.Join(dir, "TestA.journal.json"), journalOf("TestA", "A", StatusInconclusive, false, nil))
	writeRecord(t, filepath.Join(dir, "TestB.journal.json"), journalOf("TestB", "B", StatusHeld, true, nil))
	out := html.UnescapeString(indexOf(t, dir))
	for _, want := range []string{
		`<span class="show" id="show-failed"></span><span class="show" id="show-passed"></span><span class="show" id="show-v-held"></span><span class="show" id="show-v-inconclusive"></span>`,
		`#show-passed:target ~ section tr.run.failed, #show-failed:target ~ section tr.run.passed { display: none; }`,
		`#show-v-held:target ~ section tr.run:not(.v-held) { display: none; }`,
		`#show-v-inconclusive:target ~ section td.cell:not(.v-inconclusive) { opacity: .12; }`,
		`<a href="#show-failed">failed 1</a>`, `<a href="#show-passed">passed 1</a>`, `<a href="#show-v-held">held 1</a>`,
		`<tr class="run failed v-inconclusive">`, `<tr class="run passed v-held">`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the index does not contain %s", want)
		}
	}
}

// Runs placed in a grid (the explorer's cells) are drawn as a table per
// grid: a line per row and variant, a column per fault, each cell in its
// verdict's colour with links to its report and journal.
func TestIndexDrawsGrids(t *testing.T) {
	dir := t.TempDir()
	cell := func(variant, dep, fault string, st Status, passed bool) {
		test := "TestSpace/" + variant + "/" + dep + "/" + fault
		writeRecord(t, filepath.Join(dir, strings.ReplaceAll(test, "/", "_")+".journal.json"),
			journalOf(test, "space", st, passed, &gridCell{Grid: "TestSpace/" + variant, Row: dep, Column: fault}))
	}
	cell("robust", "redis", "down", StatusHeld, true)
	cell("robust", "redis", "latency_2s", StatusHeld, true)
	cell("robust", "postgres", "down", StatusInconclusive, false)
	cell("fragile", "redis", "down", StatusDeviated, true)
	cell("fragile", "redis", "latency_2s", StatusDeviated, false) // a weakness not declared
	// postgres × latency_2s was not run for either variant; fragile × postgres × down neither.
	writeRecord(t, filepath.Join(dir, "TestSingle.journal.json"), journalOf("TestSingle", "single", StatusHeld, true, nil))
	if err := os.WriteFile(filepath.Join(dir, "TestSpace_fragile_redis_down.report.html"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := indexOf(t, dir)
	if got := count(out, `<table class="grid"`); got != 1 {
		t.Fatalf("%d grids, want 1 (the variants of TestSpace in one)", got)
	}
	grid := out[strings.Index(out, `<table class="grid"`):]
	grid = grid[:strings.Index(grid, "</table>")]
	for _, want := range []string{
		`data-grid="TestSpace"`,
		`<th class="col">down</th><th class="col">latency_2s</th>`,
		`<th class="row" rowspan="2">redis</th><th class="row variant">fragile</th>`,
		`<th class="row" rowspan="2">postgres</th><th class="row variant">fragile</th>`,
		`<td class="cell c-violated v-deviated passed" title="TestSpace/fragile/redis/down: during &#43;1s..&#43;2s`,
		`<span class="cellnote">expected</span>`,
		`<a href="TestSpace_fragile_redis_down.report.html">report</a> · <a href="TestSpace_fragile_redis_down.journal.json">journal</a></td>`,
		`<td class="cell c-violated v-deviated failed"`,
		`<span class="cellnote fail">test failed</span>`,
		`<td class="cell c-inconclusive v-inconclusive failed"`,
		`<td class="cell c-held v-held passed"`,
	} {
		if !strings.Contains(grid, want) {
			t.Errorf("the grid does not contain %s", want)
		}
	}
	// 2 rows × 2 variants × 2 columns: 5 cells ran, 3 did not.
	if got, empty := count(grid, `<td class="cell c-`), count(grid, `<td class="cell empty">`); got != 5 || empty != 3 {
		t.Errorf("%d cells with a run and %d empty, want 5 and 3:\n%s", got, empty, grid)
	}
	if strings.Contains(grid, "TestSingle") {
		t.Errorf("a run outside any grid is in a grid")
	}
	if !strings.Contains(out, `<a href="TestSingle.journal.json">journal</a>`) {
		t.Errorf("the run outside any grid is not listed")
	}
}

// GridCell reaches the journal, where the index reads it; an empty name is
// refused before anything starts.
func TestGridCellInTheJournal(t *testing.T) {
	var e experiment
	if err := GridCell("TestSpace/robust", "redis", "down").applyExperiment(&e); err != nil {
		t.Fatal(err)
	}
	r := fakeRun(t, fakeSpec{})
	r.cell = e.Cell
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(r.journal()); err != nil {
		t.Fatal(err)
	}
	if want := `"cell":{"grid":"TestSpace/robust","row":"redis","column":"down"}`; !strings.Contains(buf.String(), want) {
		t.Errorf("the journal does not contain %s", want)
	}
	row, err := journalRow(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if row.cell == nil || *row.cell != (gridCell{Grid: "TestSpace/robust", Row: "redis", Column: "down"}) || row.Test != "TestFake/fragile" || row.Verdict != "deviated" || !row.Passed {
		t.Errorf("read back as %+v (cell %+v)", row, row.cell)
	}
	for _, bad := range [][3]string{{"", "r", "c"}, {"g", " ", "c"}, {"g", "r", ""}} {
		err := GridCell(bad[0], bad[1], bad[2]).applyExperiment(&experiment{})
		if err == nil || !strings.Contains(err.Error(), "GridCell: empty ") || !strings.Contains(err.Error(), "accepted: non-empty names") {
			t.Errorf("GridCell%q: %v, want it refused naming the empty field", bad, err)
		}
	}
}

// artifactsRoot finds go test -artifacts's directory above a test's own.
func TestArtifactsRoot(t *testing.T) {
	for dir, want := range map[string]string{
		"/out/_artifacts/chaostest/TestX__sub/123": "/out/_artifacts",
		"/out/_artifacts":                          "/out/_artifacts",
		"/tmp/TestX123/001":                        "",
	} {
		if got := artifactsRoot(filepath.FromSlash(dir)); got != filepath.FromSlash(want) {
			t.Errorf("artifactsRoot(%s) = %q, want %q", dir, got, want)
		}
	}
}

// Many writers of one directory at once (parallel tests, several go test
// processes) leave an index that lists every run, and no temporary file.
func TestIndexConcurrentRegeneration(t *testing.T) {
	dir := t.TempDir()
	const writers = 24
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			name := fmt.Sprintf("TestParallel/%02d", i)
			writeRecord(t, filepath.Join(dir, fmt.Sprintf("TestParallel_%02d.journal.json", i)), journalOf(name, "p", StatusHeld, true, nil))
			if _, err := writeIndex(dir); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, indexName))
	if err != nil {
		t.Fatal(err)
	}
	for i := range writers {
		if link := fmt.Sprintf(`<a href="TestParallel_%02d.journal.json">`, i); !bytes.Contains(b, []byte(link)) {
			t.Errorf("the index lost run %d", i)
		}
	}
	if !bytes.Contains(b, []byte(fmt.Sprintf(`id="counts">%d passed, 0 failed`, writers))) {
		t.Errorf("the index does not count %d passed runs", writers)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".chaostest-*")); len(tmp) > 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
}

// BenchmarkWriteIndex is what regenerating the index of a directory of 20
// journals (each with its 402 samples) costs each experiment that writes
// into it, once the process has read them.
func BenchmarkWriteIndex(b *testing.B) {
	dir := b.TempDir()
	r := fakeRun(b, fakeSpec{control: true})
	for i := range 20 {
		writeRecord(b, filepath.Join(dir, fmt.Sprintf("Test%02d.journal.json", i)), r.journal())
	}
	for b.Loop() {
		if _, err := writeIndex(dir); err != nil {
			b.Fatal(err)
		}
	}
}
