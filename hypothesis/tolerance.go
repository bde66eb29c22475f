package hypothesis

// Tolerance is a bound a check must meet. The set is closed: value
// tolerances (Equals, InRange, OneOf, Matches, JSONPath, Satisfies) judge
// each sample's value, and a sample that misses one becomes a failed sample;
// window tolerances (SuccessRate, LatencyP, LatencyMax, MaxErrors,
// MinThroughput, MinSamples, RecoversWithin) judge the samples of a window.
// String is what messages and the journal show, e.g. "latency p99 <= 300ms".
type Tolerance interface {
	String() string
	validate() error
}

// valueTolerance judges one sample's value; miss returns nil when v meets it,
// or a short reason ("got 503").
type valueTolerance interface {
	Tolerance
	miss(v any) error
}

// windowTolerance judges the samples of a window.
type windowTolerance interface {
	Tolerance
	judge(w *window) ToleranceResult
}
