package hypothesis

// Verdict is the outcome of judging a check or a hypothesis. The zero value
// is Inconclusive: a result nobody filled in is never a pass.
type Verdict int

const (
	// Inconclusive: the samples cannot decide (none in the window, all still
	// in flight, fewer than the minimum), or the hypothesis was invalid.
	Inconclusive Verdict = iota
	// Held: every tolerance was met.
	Held
	// Violated: at least one tolerance was missed.
	Violated
)

// String returns "held", "violated" or "inconclusive".
func (v Verdict) String() string {
	switch v {
	case Held:
		return "held"
	case Violated:
		return "violated"
	}
	return "inconclusive"
}

// worse combines verdicts: violated beats inconclusive beats held.
func worse(a, b Verdict) Verdict {
	rank := func(v Verdict) int {
		switch v {
		case Violated:
			return 2
		case Held:
			return 0
		}
		return 1
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}
