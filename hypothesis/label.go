package hypothesis

import (
	"fmt"
	"slices"
)

// Label names the intent of the tolerance just before it in Expect, shown
// with it wherever it is judged: Expect(SuccessRate(1), Label("no item
// page lost"), LatencyP(99, 300*time.Millisecond)) shows "no item page lost
// (success rate >= 100%)". It is not a tolerance itself: it judges nothing,
// and Violates still names the tolerance it follows.
func Label(intent string) Tolerance { return label(intent) }

type label string

func (l label) String() string { return fmt.Sprintf("Label(%q)", string(l)) }

// addTolerances appends ts to c's tolerances, a Label naming the one before
// it. c's slices may be shared with another Check (With): they are copied.
func (c *Check) addTolerances(ts []Tolerance) {
	c.tolerances, c.labels = slices.Clip(c.tolerances), slices.Clone(c.labels)
	for _, t := range ts {
		l, isLabel := t.(label)
		switch {
		case !isLabel:
			c.tolerances = append(c.tolerances, t)
			c.labels = append(c.labels, "")
		case l == "":
			c.labelErr = cmpOr(c.labelErr, "Label must not be empty; accepted: the intent of the tolerance before it, e.g. \"no item page lost\"")
		case len(c.tolerances) == 0 || len(c.labels) < len(c.tolerances) || c.labels[len(c.tolerances)-1] != "":
			c.labelErr = cmpOr(c.labelErr, fmt.Sprintf("%s must follow the tolerance it names, once; accepted: Expect(SuccessRate(0.99), Label(%q))", l, string(l)))
		default:
			c.labels[len(c.tolerances)-1] = string(l)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// labelOf is the label of tol, one of c's tolerances, or "".
func (c Check) labelOf(tol Tolerance) string {
	for i, t := range c.tolerances {
		if i < len(c.labels) && c.labels[i] != "" && sameTolerance(t, tol) {
			return c.labels[i]
		}
	}
	return ""
}

// labelled is the text of a tolerance with its label: "no item page lost
// (success rate >= 100%)".
func labelled(label, text string) string {
	if label == "" {
		return text
	}
	return label + " (" + text + ")"
}
