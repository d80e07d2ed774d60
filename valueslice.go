package fapilog

import (
	"math"
	"slices"
	"strconv"
	"time"
	"unsafe"
)

// A valueSlice is a slice of values — integers, floats, bools, strings,
// times — logged with slog.Any, copied at call time. The copy is the
// snapshot, as the JSON that capture makes of other slog.Any values is:
// the elements are values, and strings do not change. The worker encodes
// it, redacting each element as the walk of that JSON would (see
// encoder.slice). Encoding it to JSON on the caller, and parsing that
// back for redaction, cost both goroutines more.
type valueSlice struct {
	p    unsafe.Pointer // the first element, or nil if there are none
	n    int
	kind valueSliceKind
}

type valueSliceKind uint8

const (
	sliceInts    valueSliceKind = iota // int64 elements, from []int or []int64
	sliceFloats                        // finite
	sliceBools                         //
	sliceStrings                       //
	sliceTimes                         // in RFC 3339's range of years
)

// valueStores hold the elements of a record's valueSlices.
type valueStores struct {
	i64   []int64
	f64   []float64
	bools []bool
	strs  []string
	times []time.Time
	vals  []valueSlice // records hold pointers to them, which box without allocating
}

// maxPooledValues bounds the elements a pooled store keeps.
const maxPooledValues = 4096

// reset empties s for reuse, dropping references and oversized arrays.
func (s *valueStores) reset() {
	s.i64 = resetSlice(s.i64, maxPooledValues)
	s.f64 = resetSlice(s.f64, maxPooledValues)
	s.bools = resetSlice(s.bools, maxPooledValues)
	s.strs = resetSlice(s.strs, maxPooledValues)
	s.times = resetSlice(s.times, maxPooledValues)
	s.vals = resetSlice(s.vals, maxPooledAttrs)
}

// valueSliceOf copies x into a valueSlice if x is a non-nil slice of a
// kind valueSlice holds, with elements that appendAny writes itself
// (finite floats, times in RFC 3339's range); otherwise it returns false
// and x goes to JSON. The copies go to the arena's stores; a nil arena
// allocates them.
func (a *arena) valueSliceOf(x any) (*valueSlice, bool) {
	var st *valueStores
	if a != nil {
		st = &a.vs
	} else {
		st = new(valueStores) // With's and the context's attrs: allocated, as they outlive a call
	}
	var vs valueSlice
	switch s := x.(type) {
	case []int:
		if s == nil {
			return nil, false
		}
		start := len(st.i64)
		for _, n := range s {
			st.i64 = append(st.i64, int64(n))
		}
		vs = valueSlice{first(st.i64[start:]), len(s), sliceInts}
	case []int64:
		if s == nil {
			return nil, false
		}
		vs = valueSlice{keep(&st.i64, s), len(s), sliceInts}
	case []float64:
		if s == nil || slices.ContainsFunc(s, func(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }) {
			return nil, false
		}
		vs = valueSlice{keep(&st.f64, s), len(s), sliceFloats}
	case []bool:
		if s == nil {
			return nil, false
		}
		vs = valueSlice{keep(&st.bools, s), len(s), sliceBools}
	case []string:
		if s == nil {
			return nil, false
		}
		vs = valueSlice{keep(&st.strs, s), len(s), sliceStrings}
	case []time.Time:
		if s == nil || slices.ContainsFunc(s, func(t time.Time) bool { return !inRFC3339(t) }) {
			return nil, false
		}
		vs = valueSlice{keep(&st.times, s), len(s), sliceTimes}
	default:
		return nil, false
	}
	st.vals = append(st.vals, vs)
	return &st.vals[len(st.vals)-1], true
}

// keep appends s to *store and returns the address of its copy's first
// element (nil if s is empty).
func keep[E any](store *[]E, s []E) unsafe.Pointer {
	start := len(*store)
	*store = append(*store, s...)
	return first((*store)[start:])
}

// first returns the address of s's first element, or nil if s is empty
// (unsafe.SliceData may point past the end of the array then).
func first[E any](s []E) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(&s[0])
}

// The typed views of a valueSlice's elements.
func (x *valueSlice) ints() []int64      { return unsafe.Slice((*int64)(x.p), x.n) }
func (x *valueSlice) floats() []float64  { return unsafe.Slice((*float64)(x.p), x.n) }
func (x *valueSlice) bools() []bool      { return unsafe.Slice((*bool)(x.p), x.n) }
func (x *valueSlice) strs() []string     { return unsafe.Slice((*string)(x.p), x.n) }
func (x *valueSlice) times() []time.Time { return unsafe.Slice((*time.Time)(x.p), x.n) }

// appendJSON appends x as appendAny appends the slice it copies.
func (x *valueSlice) appendJSON(b []byte) []byte {
	if x.n == 0 {
		return append(b, "[]"...) // a nil slice is left to JSON: see valueSliceOf
	}
	switch x.kind {
	case sliceInts:
		return appendSlice(b, x.ints(), appendInt)
	case sliceFloats:
		return appendSlice(b, x.floats(), appendFloat)
	case sliceBools:
		return appendSlice(b, x.bools(), strconv.AppendBool)
	case sliceStrings:
		return appendSlice(b, x.strs(), appendString)
	}
	return appendSlice(b, x.times(), appendTime)
}

// slice appends x as JSON with its elements redacted (fused) as the walk
// of its JSON would redact them (see redactState.jsonValue): strings by
// the scanners, integers that may be card numbers (as numbers of 13 to 19
// digits are in JSON) masked, times left alone (the scanners skip
// timestamps). Past RedactMaxDepth or RedactMaxKeys it is masked whole.
func (e *encoder) slice(b []byte, x *valueSlice, depth int) []byte {
	if e.st.keys > e.red.maxKeys || e.tooDeep(depth) {
		return e.limit(b)
	}
	if x.kind == sliceBools || !e.red.cards && (x.kind == sliceInts || x.kind == sliceFloats) {
		return x.appendJSON(b) // nothing in them to mask
	}
	b = append(b, '[')
	for i := range x.n {
		if i > 0 {
			b = append(b, ',')
		}
		switch x.kind {
		case sliceInts:
			if n := x.ints()[i]; n > 0 && e.red.maskUint(uint64(n)) {
				b = e.mask(b)
			} else {
				b = appendInt(b, n)
			}
		case sliceFloats:
			start := len(b)
			b = appendFloat(b, x.floats()[i])
			if l := len(b) - start; l >= 13 && l <= 19 { // as digits in JSON: see jsonValue
				if n, ok := parseDigits(b[start:]); ok && e.red.maskUint(n) {
					b = e.mask(b[:start])
				}
			}
		case sliceStrings:
			b = e.string(b, x.strs()[i])
		case sliceTimes:
			start := len(b)
			b = appendTime(b, x.times()[i])
			if !isTimestamp(bytesString(b[start+1 : len(b)-1])) {
				b = e.string(b[:start], bytesString(b[start+1:len(b)-1]))
			}
		}
	}
	return append(b, ']')
}

// scratchJSON appends x's JSON to st's arena, where the walk writes its
// redacted copies, and returns it, to be walked as a captured value is.
func (st *redactState) scratchJSON(x *valueSlice) rawJSON {
	start := len(st.arena)
	st.arena = x.appendJSON(st.arena)
	return rawJSON(st.arena[start:len(st.arena):len(st.arena)])
}
