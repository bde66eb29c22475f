package chaostest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The index of a directory of journals: index.html lists every run whose
// journal is in it (or in a directory under it), failures first, each with
// its verdict and links to its journal and report; the runs placed in a
// grid (GridCell: the explorer's cells) are drawn as grids of verdicts
// first; a filter by result (passed, failed, each verdict) needs no
// script. It is a pure function of the journals: nothing is read back
// from the HTML reports.
//
// chaostest regenerates it after each experiment that writes into a
// directory named by -chaostest.journal (or CHAOSTEST_JOURNAL), and, with
// go test -artifacts, in the _artifacts directory above every test's own
// ArtifactDir: so it is current after any run, of one test or of many
// packages, without a program to run afterwards.
//
// Several go test processes (one per package) and parallel tests write to
// one directory at once. Each index is written to a temporary file and
// renamed into place, so no reader sees half a file. Two writers may still
// race: one lists the journals, a second adds one and writes its index,
// then the first renames its older index over it. So after renaming, a
// writer lists the journals again and writes once more if they changed;
// the last rename is then always of a complete index, with no lock that a
// killed process could leave behind.

const (
	indexName     = "index.html"
	journalSuffix = ".journal.json"
	// artifactsDirName is the directory go test -artifacts makes under its
	// -outputdir, holding every test's ArtifactDir.
	artifactsDirName = "_artifacts"
	// indexAttempts bounds the rewrites of one index while other writers keep
	// adding journals; each of them writes the index again after its own.
	indexAttempts = 20
)

// indexPage is the index's page.
type indexPage struct {
	Total, Passed, Failed int
	Verdicts              []verdictCount
	Grids                 []indexGrid
	Rows                  []indexRow
}

// verdictCount is how many runs came out with a verdict; CSS is the
// verdict's class, which the filter selects rows by.
type verdictCount struct {
	Verdict string
	CSS     string
	Count   int
}

// indexRow is one run, as its journal records it.
type indexRow struct {
	Journal    string // the journal's path, relative to the index, in slashes
	Report     string // the report's, "" when it is not there
	Verdict    string
	VerdictCSS string // the verdict's class for the filter: "v-held", "v-not-steady"
	StatusCSS  string
	Passed     bool
	Expect     string
	Title      string
	Test       string
	Started    string
	Duration   string
	Headline   string
	cell       *gridCell
}

// indexGrid is one table of grid cells: the grids of one name, or of
// names that differ only in their last element (the variants).
type indexGrid struct {
	Name     string
	Columns  []string
	Lines    []gridLine
	Variants bool // its lines are of several variants, or of one named
}

// gridLine is one row of a grid for one variant.
type gridLine struct {
	Row     string
	RowSpan int // > 0 on the first line of a row: the lines it spans
	Variant string
	Cells   []indexRow // one per column; a zero row where the grid has no such cell
}

// IndexReports writes dir/index.html, the index of every experiment run
// whose journal is in dir or in a directory under it, failures first,
// with links to each journal and report, and returns its path. Run keeps
// the index of a journal directory (-chaostest.journal) and of go test
// -artifacts's directory up to date by itself; call this to merge the
// journal directories of several runs, e.g. the shards of a suite spread
// over CI runners (-chaostest.shard), once their files are copied into one
// directory.
func IndexReports(dir string) (string, error) { return writeIndex(dir) }

// writeIndex regenerates dir's index.html from the journals under dir and
// returns its path.
func writeIndex(dir string) (string, error) {
	path := filepath.Join(dir, indexName)
	for range indexAttempts {
		files, stamp, err := listJournals(dir)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		if err := reportTemplates.ExecuteTemplate(&buf, "index", readIndex(dir, files)); err != nil {
			return "", err
		}
		if err := writeFileAtomic(path, buf.Bytes()); err != nil {
			return "", err
		}
		_, now, err := listJournals(dir)
		if err != nil {
			return "", err
		}
		if now == stamp {
			break
		}
	}
	return path, nil
}

// journalFile is a journal under the index's directory.
type journalFile struct {
	rel  string // relative to the index's directory, in slashes
	path string
	size int64
	mod  time.Time
}

// listJournals lists the journals under dir (hidden directories left out)
// by path, with a stamp of the list: their paths, sizes and modification
// times.
func listJournals(dir string) ([]journalFile, string, error) {
	var files []journalFile
	var stamp strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path != dir {
				return nil // went away meanwhile
			}
			return err
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(d.Name(), journalSuffix) {
			return nil
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		f := journalFile{rel: filepath.ToSlash(rel), path: path, size: info.Size(), mod: info.ModTime()}
		files = append(files, f)
		fmt.Fprintf(&stamp, "%s %d %d\n", f.rel, f.size, f.mod.UnixNano())
		return nil
	})
	return files, stamp.String(), err
}

// readIndex reads every journal and counts their outcomes. A journal that
// went away meanwhile is left out; one that cannot be read is listed as
// unreadable.
func readIndex(dir string, files []journalFile) indexPage {
	var p indexPage
	counts := map[string]int{}
	for _, f := range files {
		row, err := readJournalRow(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			row = indexRow{Verdict: "unreadable", StatusCSS: "aborted", Test: f.rel, Headline: err.Error()}
		}
		row.Journal = f.rel
		if rep := reportPath(f.path); fileExists(rep) {
			row.Report = strings.TrimSuffix(f.rel, journalSuffix) + reportSuffix
		}
		row.VerdictCSS = verdictClass(row.Verdict)
		p.Rows = append(p.Rows, row)
		p.Total++
		if row.Passed {
			p.Passed++
		} else {
			p.Failed++
		}
		counts[row.Verdict]++
	}
	sort.SliceStable(p.Rows, func(i, j int) bool {
		if p.Rows[i].Passed != p.Rows[j].Passed {
			return !p.Rows[i].Passed
		}
		return p.Rows[i].Journal < p.Rows[j].Journal
	})
	for v, n := range counts {
		p.Verdicts = append(p.Verdicts, verdictCount{Verdict: v, CSS: verdictClass(v), Count: n})
	}
	sort.Slice(p.Verdicts, func(i, j int) bool { return p.Verdicts[i].Verdict < p.Verdicts[j].Verdict })
	p.Grids = grids(p.Rows)
	return p
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// verdictClass is the class of the rows of a verdict: "v-" and the verdict
// with its spaces as dashes.
func verdictClass(v string) string { return "v-" + strings.ReplaceAll(v, " ", "-") }

// indexJournal is what the index reads of a journal.
type indexJournal struct {
	Start      string    `json:"start"`
	Duration   jsonFloat `json:"duration"`
	Experiment struct {
		Title      string `json:"title"`
		Extensions []struct {
			Name   string    `json:"name"`
			Expect string    `json:"expect"`
			Cell   *gridCell `json:"cell"`
		} `json:"extensions"`
	} `json:"experiment"`
	Chaostest struct {
		Verdict string `json:"verdict"`
		Passed  bool   `json:"passed"`
		Reason  string `json:"reason"`
		Test    string `json:"test"`
	} `json:"chaostest"`
}

// journalRows caches each journal's row by path, size and modification
// time: a process that runs many experiments regenerates the index after
// each, and reads a journal (samples and all) once.
var journalRows sync.Map // path → cachedRow

type cachedRow struct {
	size int64
	mod  time.Time
	row  indexRow
}

// readJournalRow reads what the index shows of one run from its journal.
func readJournalRow(f journalFile) (indexRow, error) {
	if c, ok := journalRows.Load(f.path); ok {
		if c := c.(cachedRow); c.size == f.size && c.mod.Equal(f.mod) {
			return c.row, nil
		}
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		return indexRow{}, err
	}
	row, err := journalRow(b)
	if err != nil {
		return indexRow{}, err
	}
	journalRows.Store(f.path, cachedRow{size: f.size, mod: f.mod, row: row})
	return row, nil
}

// journalRow is the index's row of the run whose journal is b.
func journalRow(b []byte) (indexRow, error) {
	var j indexJournal
	if err := json.Unmarshal(b, &j); err != nil {
		return indexRow{}, fmt.Errorf("not a journal: %v", err)
	}
	c := j.Chaostest
	if c.Verdict == "" {
		return indexRow{}, errors.New("not a chaostest journal: no chaostest.verdict")
	}
	row := indexRow{
		Verdict:   c.Verdict,
		StatusCSS: statusCSS(Status(c.Verdict)),
		Passed:    c.Passed,
		Title:     j.Experiment.Title,
		Test:      c.Test,
		Started:   readableTime(j.Start),
		Duration:  fmtDur(time.Duration(float64(j.Duration) * float64(time.Second))),
		Headline:  c.Reason,
	}
	if row.Headline == "" {
		row.Headline = c.Verdict
	}
	for _, x := range j.Experiment.Extensions {
		if x.Name == "chaostest" {
			row.Expect, row.cell = x.Expect, x.Cell
		}
	}
	return row, nil
}

// grids gathers the rows placed in a grid into tables: one per grid name,
// the variants of a name ("TestX/robust", "TestX/fragile") in one table,
// rows and columns in the order first met in their journals' order, a line
// per row and variant.
func grids(rows []indexRow) []indexGrid {
	byPath := append([]indexRow(nil), rows...)
	sort.SliceStable(byPath, func(i, j int) bool { return byPath[i].Journal < byPath[j].Journal })
	type key struct{ grid, row, variant, column string }
	cells := map[key]indexRow{}
	var names []string
	cols, lines, variants := map[string][]string{}, map[string][]string{}, map[string][]string{}
	for _, r := range byPath {
		if r.cell == nil {
			continue
		}
		name, variant := r.cell.Grid, ""
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name, variant = name[:i], name[i+1:]
		}
		if _, seen := cols[name]; !seen {
			names = append(names, name)
		}
		cols[name] = appendNew(cols[name], r.cell.Column)
		lines[name] = appendNew(lines[name], r.cell.Row)
		variants[name] = appendNew(variants[name], variant)
		cells[key{name, r.cell.Row, variant, r.cell.Column}] = r
	}
	var gs []indexGrid
	for _, name := range names {
		g := indexGrid{Name: name, Columns: cols[name], Variants: len(variants[name]) > 1 || variants[name][0] != ""}
		for _, row := range lines[name] {
			first := len(g.Lines)
			for _, v := range variants[name] {
				l := gridLine{Row: row, Variant: v}
				for _, c := range g.Columns {
					l.Cells = append(l.Cells, cells[key{name, row, v, c}])
				}
				g.Lines = append(g.Lines, l)
			}
			g.Lines[first].RowSpan = len(g.Lines) - first
		}
		gs = append(gs, g)
	}
	return gs
}

func appendNew(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// artifactsRoot is the _artifacts directory of go test -artifacts above
// dir, a test's ArtifactDir (<outputdir>/_artifacts/<package>/<test>/<random>),
// or "" when dir is not under one.
func artifactsRoot(dir string) string {
	for d := filepath.Clean(dir); ; {
		if filepath.Base(d) == artifactsDirName {
			return d
		}
		up := filepath.Dir(d)
		if up == d {
			return ""
		}
		d = up
	}
}

// indexDir is the directory whose index the run's report belongs in: the
// journal directory shared by experiments (-chaostest.journal), or with go
// test -artifacts the _artifacts directory above the test's own; "" when
// the journal is in a directory of the test's own that is not kept.
func indexDir(t T, journal string) string {
	if journalDirSetting() != "" {
		return filepath.Dir(journal)
	}
	if !artifactsKept(t) {
		return ""
	}
	return artifactsRoot(filepath.Dir(journal))
}

// artifactsKept reports whether t is a test of a go test binary run with
// -artifacts.
func artifactsKept(t T) bool {
	if _, std := t.(testing.TB); !std {
		return false
	}
	f := flag.Lookup("test.artifacts")
	if f == nil {
		return false
	}
	kept, _ := strconv.ParseBool(f.Value.String())
	return kept
}

// readableTime shows an RFC 3339 time of a journal as "2006-01-02 15:04:05 UTC".
func readableTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
