package hypothesis

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/ohler55/ojg/jp"
	"github.com/ohler55/ojg/oj"
)

// Value tolerances judge each sample's value. How a value is read:
//
//   - as a number (Equals or OneOf with a number, InRange): any Go integer or
//     float, a json.Number, a string or []byte holding a decimal number (as
//     some SQL drivers return NUMERIC), and the status code of an
//     HTTPResponse;
//   - as text (Equals or OneOf with a string or []byte, Matches, JSONPath): a
//     string, a []byte, the body of an HTTPResponse, or fmt's rendering of
//     any other non-nil value;
//   - otherwise Equals compares with reflect.DeepEqual.
//
// A sample that misses a value tolerance becomes a failed sample whose error
// names the tolerance and the value, e.g. `equals 200: got status 503`. A
// number is shown with at most 4 significant digits (`got 89.39`), more
// only when fewer would not tell it from the bound (`got 3.0001` for
// InRange(1, 3)). A sample whose value is NoValue is not judged.

// Equals holds when the value equals v (see the reading rules above).
func Equals(v any) Tolerance { return &equals{want: v} }

// InRange holds when the value, read as a number, is in [lo, hi].
func InRange(lo, hi float64) Tolerance { return &inRange{lo: lo, hi: hi} }

// OneOf holds when the value equals one of vs (as Equals).
func OneOf(vs ...any) Tolerance { return &oneOf{vs: append([]any(nil), vs...)} }

// Matches holds when the value, read as text, matches the regular expression
// pattern (Go syntax, unanchored). For an HTTPResponse it reads the body.
func Matches(pattern string) Tolerance {
	re, err := regexp.Compile(pattern)
	return &matches{pattern: pattern, re: re, err: err}
}

// JSONPath selects values from the value read as JSON (an HTTPResponse body,
// a string or []byte; maps and slices are used as they are) with the JSONPath
// expression expr, and holds when it selects at least one value and every
// selected value meets want. A nil want only asks that expr selects something.
// want must be a value tolerance. JSON numbers are compared as numbers, so
// JSONPath("$.count", Equals(3)) holds for {"count": 3}.
func JSONPath(expr string, want Tolerance) Tolerance {
	x, err := jp.ParseString(expr)
	return &jsonPath{expr: expr, x: x, err: err, want: want}
}

// Satisfies holds when fn returns true for the value; name is how messages
// call the predicate ("satisfies <name>"). A value of type V, or a non-nil
// *V, is passed to fn as a V; any other value is a miss, `got string, want
// hypothesis.HTTPResponse`. With V an interface type (func(v any) bool),
// every value is passed as it is, nil included. A panic in fn is a miss.
//
//	hypothesis.Satisfies("a quote", func(r hypothesis.HTTPResponse) bool { return r.Status == 200 })
func Satisfies[V any](name string, fn func(v V) bool) Tolerance {
	want := reflect.TypeFor[V]()
	t := &satisfies{name: name, nilFn: fn == nil}
	t.fn = func(v any) (bool, error) {
		switch x := v.(type) {
		case V:
			return fn(x), nil
		case *V:
			if x != nil {
				return fn(*x), nil
			}
		case nil:
			if want.Kind() == reflect.Interface {
				var zero V
				return fn(zero), nil
			}
			return false, fmt.Errorf("got nil, want %v", want)
		}
		return false, fmt.Errorf("got %s, want %v", typeOf(v), want)
	}
	return t
}

// typeOf names v's type, saying when v is a nil pointer.
func typeOf(v any) string {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return fmt.Sprintf("nil %T", v)
	}
	return fmt.Sprintf("%T", v)
}

type equals struct{ want any }

func (t equals) String() string { return "equals " + showWant(t.want) }

func (t equals) Miss(v any) error {
	if equalValue(t.want, v) {
		return nil
	}
	return fmt.Errorf("got %s", describeMiss(v, t.want, func(g float64) bool { return equalValue(t.want, g) }))
}

type inRange struct{ lo, hi float64 }

func (t inRange) String() string {
	return fmt.Sprintf("in range [%s, %s]", fmtFloat(t.lo), fmtFloat(t.hi))
}

func (t inRange) Validate() error {
	if math.IsNaN(t.lo) || math.IsNaN(t.hi) || t.lo > t.hi {
		return fmt.Errorf("InRange needs lo <= hi, got [%s, %s]", fmtFloat(t.lo), fmtFloat(t.hi))
	}
	return nil
}

func (t inRange) Miss(v any) error {
	f, ok := numeric(v)
	if !ok {
		return fmt.Errorf("got %s, not a number", describe(v, nil))
	}
	if f < t.lo || f > t.hi {
		return fmt.Errorf("got %s", describeMiss(v, 0, func(g float64) bool { return g >= t.lo && g <= t.hi }))
	}
	return nil
}

type oneOf struct{ vs []any }

func (t oneOf) String() string {
	s := make([]string, len(t.vs))
	for i, v := range t.vs {
		s[i] = showWant(v)
	}
	return "one of [" + strings.Join(s, ", ") + "]"
}

func (t oneOf) Validate() error {
	if len(t.vs) == 0 {
		return errors.New("OneOf needs at least one value, got none")
	}
	return nil
}

func (t oneOf) Miss(v any) error {
	if t.meets(v) {
		return nil
	}
	return fmt.Errorf("got %s", describeMiss(v, t.vs[0], func(g float64) bool { return t.meets(g) }))
}

func (t oneOf) meets(v any) bool {
	for _, w := range t.vs {
		if equalValue(w, v) {
			return true
		}
	}
	return false
}

type matches struct {
	pattern string
	re      *regexp.Regexp
	err     error
}

func (t matches) String() string { return "matches /" + t.pattern + "/" }

func (t matches) Validate() error {
	if t.err != nil {
		return fmt.Errorf("Matches pattern must be a valid regular expression, got %q: %v", t.pattern, firstLine(t.err))
	}
	return nil
}

func (t matches) Miss(v any) error {
	s, ok := text(v)
	if !ok {
		return errors.New("got no text value")
	}
	if !t.re.MatchString(s) {
		return fmt.Errorf("got %s", quote(s))
	}
	return nil
}

type jsonPath struct {
	expr string
	x    jp.Expr
	err  error
	want Tolerance
}

func (t jsonPath) String() string {
	if t.want == nil {
		return "json path " + t.expr + " exists"
	}
	return "json path " + t.expr + " " + t.want.String()
}

func (t jsonPath) Validate() error {
	if t.expr == "" {
		return errors.New("JSONPath expression must not be empty")
	}
	if t.err != nil {
		return fmt.Errorf("JSONPath expression must be valid JSONPath, got %q: %v", t.expr, firstLine(t.err))
	}
	if t.want == nil {
		return nil
	}
	if _, ok := t.want.(ValueTolerance); !ok {
		return fmt.Errorf("JSONPath want must be a ValueTolerance (Equals, InRange, OneOf, Matches, JSONPath, Satisfies or one of your own), got %s", t.want)
	}
	return validateTolerance(t.want)
}

func (t jsonPath) Miss(v any) error {
	data, err := jsonData(v)
	if err != nil {
		return err
	}
	got := t.x.Get(data)
	if len(got) == 0 {
		return fmt.Errorf("%s selects nothing", t.expr)
	}
	if t.want == nil {
		return nil
	}
	w := t.want.(ValueTolerance)
	for _, g := range got {
		if err := missOf(w, g); err != nil {
			return fmt.Errorf("%s %w", t.expr, err)
		}
	}
	return nil
}

func jsonData(v any) (any, error) {
	var b []byte
	switch x := v.(type) {
	case HTTPResponse:
		b = x.Body
	case *HTTPResponse:
		if x == nil {
			return nil, errors.New("got no value")
		}
		b = x.Body
	case []byte:
		b = x
	case string:
		b = []byte(x)
	case nil:
		return nil, errors.New("got no value")
	default:
		return v, nil
	}
	data, err := oj.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("got %s, not JSON", quote(string(b)))
	}
	return data, nil
}

type satisfies struct {
	name  string
	nilFn bool
	fn    func(v any) (bool, error) // fn given to Satisfies, or why v is not of its type
}

func (t satisfies) String() string { return "satisfies " + t.name }

func (t satisfies) Validate() error {
	if t.name == "" {
		return errors.New("Satisfies name must not be empty")
	}
	if t.nilFn {
		return fmt.Errorf("Satisfies %q function must not be nil", t.name)
	}
	return nil
}

func (t satisfies) Miss(v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("predicate panicked: %v", r)
		}
	}()
	ok, err := t.fn(v)
	if err != nil || ok {
		return err
	}
	return fmt.Errorf("got %s", describe(v, nil))
}

// ---- reading values ------------------------------------------------------

func isNumber(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, uintptr, float32, float64, json.Number:
		return true
	}
	return false
}

func isText(v any) bool {
	switch v.(type) {
	case string, []byte:
		return true
	}
	return false
}

// numeric reads v as a number.
func numeric(v any) (float64, bool) {
	switch x := v.(type) {
	case HTTPResponse:
		return float64(x.Status), true
	case *HTTPResponse:
		if x == nil {
			return 0, false
		}
		return float64(x.Status), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	case []byte:
		f, err := strconv.ParseFloat(strings.TrimSpace(string(x)), 64)
		return f, err == nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	}
	return 0, false
}

// text reads v as text.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case []byte:
		return string(x), true
	case HTTPResponse:
		return string(x.Body), true
	case *HTTPResponse:
		if x == nil {
			return "", false
		}
		return string(x.Body), true
	case error:
		return x.Error(), true
	case fmt.Stringer:
		return x.String(), true
	}
	return fmt.Sprint(v), true
}

func equalValue(want, v any) bool {
	switch {
	case isNumber(want):
		w, _ := numeric(want)
		g, ok := numeric(v)
		return ok && g == w
	case isText(want):
		w, _ := text(want)
		g, ok := text(v)
		return ok && g == w
	}
	return reflect.DeepEqual(want, v)
}

// describe shows an observed value the way the tolerance read it: an
// HTTPResponse as its status when compared with a number, else its body.
func describe(v any, like any) string {
	switch x := v.(type) {
	case HTTPResponse:
		if like == nil || isNumber(like) {
			return fmt.Sprintf("status %d", x.Status)
		}
		return "body " + quote(string(x.Body))
	case *HTTPResponse:
		if x != nil {
			return describe(*x, like)
		}
	case string:
		return quote(x)
	case []byte:
		return quote(string(x))
	case nil:
		return "nil"
	case float64:
		return fmtNum(x)
	case float32:
		return fmtNum(float64(x))
	}
	return fmt.Sprintf("%v", v)
}

// describeMiss is describe for a value that missed: a float is shown with
// as few digits (4 at least) as tell it from the values that meet.
func describeMiss(v, like any, meets func(float64) bool) string {
	switch x := v.(type) {
	case float64:
		return fmtMissed(x, meets)
	case float32:
		return fmtMissed(float64(x), meets)
	}
	return describe(v, like)
}

func showWant(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case []byte:
		return strconv.Quote(string(x))
	}
	return fmt.Sprintf("%v", v)
}

// quote shows text, shortened to keep messages on one line.
func quote(s string) string {
	const max = 80
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
