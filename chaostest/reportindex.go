package chaostest

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The index of a journal directory: index.html lists every report in it,
// failures first, each with its verdict and a link. chaostest regenerates
// it after each experiment that writes into a directory named by
// -chaostest.journal (or CHAOSTEST_JOURNAL), from the reports there: so it
// is current after any run, of one test or of many packages, without a
// program to run afterwards. (t.ArtifactDir gives each test a directory of
// its own, where an index would list one report; none is written there.)
//
// Several go test processes (one per package) and parallel tests write to
// one directory at once. Each report and each index is written to a
// temporary file and renamed into place, so no reader sees half a file.
// Two writers may still race: one lists the reports, a second adds a report
// and writes its index, then the first renames its older index over it. So
// after renaming, a writer lists the reports again and writes once more if
// they changed; the last rename is then always of a complete index, with no
// lock that a killed process could leave behind.

const (
	indexName = "index.html"
	// reportHeadMax bounds what the index reads of each report: the
	// <meta name="chaostest:..."> tags at the top of its head.
	reportHeadMax = 16 << 10
	// indexAttempts bounds the rewrites of one index while other writers keep
	// adding reports; each of them writes the index again after its own.
	indexAttempts = 20
)

// indexPage is the index's page.
type indexPage struct {
	Total, Passed, Failed int
	Verdicts              []verdictCount
	Rows                  []indexRow
}

type verdictCount struct {
	Verdict string
	Count   int
}

// indexRow is one report, as its head describes it.
type indexRow struct {
	File      string
	Verdict   string
	StatusCSS string
	Passed    bool
	Expect    string
	Title     string
	Test      string
	Started   string
	Duration  string
	Headline  string
}

// IndexReports writes dir/index.html, the index of every experiment report
// in dir, failures first, and returns its path. Run keeps the index of a
// journal directory (-chaostest.journal) up to date by itself; call this to
// merge the journal directories of several runs, e.g. the shards of a suite
// spread over CI runners (-chaostest.shard), once their files are copied
// into one directory.
func IndexReports(dir string) (string, error) { return writeIndex(dir) }

// writeIndex regenerates dir's index.html from the reports in dir and
// returns its path.
func writeIndex(dir string) (string, error) {
	path := filepath.Join(dir, indexName)
	for range indexAttempts {
		files, stamp, err := listReports(dir)
		if err != nil {
			return "", err
		}
		page, err := readIndex(dir, files)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		if err := reportTemplates.ExecuteTemplate(&buf, "index", page); err != nil {
			return "", err
		}
		if err := writeFileAtomic(path, buf.Bytes()); err != nil {
			return "", err
		}
		_, now, err := listReports(dir)
		if err != nil {
			return "", err
		}
		if now == stamp {
			break
		}
	}
	return path, nil
}

// listReports lists the reports in dir, by name, with a stamp of the list:
// their names, sizes and modification times.
func listReports(dir string) ([]string, string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, "", err
	}
	var files []string
	var stamp strings.Builder
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), reportSuffix) {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		files = append(files, e.Name())
		fmt.Fprintf(&stamp, "%s %d %d\n", e.Name(), info.Size(), info.ModTime().UnixNano())
	}
	return files, stamp.String(), nil
}

// readIndex reads the head of every report and counts their outcomes. A
// report that went away meanwhile is left out; one that cannot be read is
// listed as unreadable.
func readIndex(dir string, files []string) (indexPage, error) {
	var p indexPage
	counts := map[string]int{}
	for _, name := range files {
		row, err := readReportHead(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			row = indexRow{File: name, Verdict: "unreadable", StatusCSS: "aborted", Test: name, Headline: err.Error()}
		}
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
		return p.Rows[i].File < p.Rows[j].File
	})
	for v, n := range counts {
		p.Verdicts = append(p.Verdicts, verdictCount{Verdict: v, Count: n})
	}
	sort.Slice(p.Verdicts, func(i, j int) bool { return p.Verdicts[i].Verdict < p.Verdicts[j].Verdict })
	return p, nil
}

var metaTagPattern = regexp.MustCompile(`<meta name="chaostest:([a-z]+)" content="([^"]*)">`)

// readReportHead reads what the index shows of a report from the
// <meta name="chaostest:..."> tags of its head.
func readReportHead(path string) (indexRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return indexRow{}, err
	}
	defer f.Close()
	head := make([]byte, reportHeadMax)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return indexRow{}, err
	}
	head = head[:n]
	if i := bytes.Index(head, []byte("<title>")); i >= 0 {
		head = head[:i] // the tags come before the title
	}
	meta := map[string]string{}
	for _, m := range metaTagPattern.FindAllSubmatch(head, -1) {
		meta[string(m[1])] = html.UnescapeString(string(m[2]))
	}
	if meta["verdict"] == "" {
		return indexRow{}, errors.New("not a chaostest report: no chaostest:verdict in its head")
	}
	return indexRow{
		File:      filepath.Base(path),
		Verdict:   meta["verdict"],
		StatusCSS: statusCSS(Status(meta["verdict"])),
		Passed:    meta["passed"] == "true",
		Expect:    meta["expect"],
		Title:     meta["title"],
		Test:      meta["test"],
		Started:   readableTime(meta["started"]),
		Duration:  meta["duration"],
		Headline:  meta["headline"],
	}, nil
}

// readableTime shows an RFC 3339 time of a report's head as "2006-01-02 15:04:05 UTC".
func readableTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
