package chaostest

import (
	"fmt"
	"strings"
)

// foldAttempts folds the attempts after the faults that a recovery
// allowance repeated: the first and the last stay rows of the windows
// table, the ones between become one row that shows them on demand
// (<details>), summed up by verdict: "attempts 2–9 of 10: 8 violated".
func foldAttempts(rows []windowRow) []windowRow {
	first, last := -1, -1
	for i, w := range rows {
		if strings.HasPrefix(w.Label, "after, attempt ") {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 || last-first < 2 {
		return rows
	}
	middle := rows[first+1 : last]
	counts := map[string]int{}
	var verdicts []string
	for _, w := range middle {
		if counts[w.Exp.Verdict] == 0 {
			verdicts = append(verdicts, w.Exp.Verdict)
		}
		counts[w.Exp.Verdict]++
	}
	var parts []string
	for _, v := range verdicts {
		parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
	}
	fold := windowRow{HasControl: rows[first].HasControl, More: middle,
		MoreSummary: fmt.Sprintf("attempts %d–%d of %d: %s (show)", 2, last-first, last-first+1, strings.Join(parts, ", "))}
	out := append([]windowRow(nil), rows[:first+1]...)
	out = append(out, fold)
	return append(out, rows[last:]...)
}
