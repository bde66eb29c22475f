package chaostest

import (
	"errors"
	"fmt"
	"strings"
)

// gridCell is an experiment's place in a grid of the index of reports: the
// grid's name, its row and its column. The journal keeps it in the
// experiment's "chaostest" extension, under "cell".
type gridCell struct {
	Grid   string `json:"grid"`
	Row    string `json:"row"`
	Column string `json:"column"`
}

// GridCell places the experiment in a grid of the index of reports
// (IndexReports): the cell at row and column of the grid named grid. The
// index draws each grid as a table of verdicts, one line per row; grids
// whose names differ only in their last element ("TestX/robust",
// "TestX/fragile") are drawn as one table, a line per row and variant.
// The explorer (fixtures/explore) places each of its cells: the grid is
// the exploring test, the row the dependency, the column the fault.
func GridCell(grid, row, column string) Option {
	return option{desc: fmt.Sprintf("GridCell(%q, %q, %q)", grid, row, column), apply: func(e *experiment) error {
		for _, f := range []struct{ name, v string }{{"grid", grid}, {"row", row}, {"column", column}} {
			if strings.TrimSpace(f.v) == "" {
				return errors.New("GridCell: empty " + f.name + "; accepted: non-empty names of the grid, the row and the column")
			}
		}
		e.Cell = &gridCell{Grid: grid, Row: row, Column: column}
		return nil
	}}
}
