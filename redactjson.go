package fapilog

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// This file walks rawJSON values — maps, structs, slices and errors
// captured at call time — for the redactors. Object keys are path
// segments; arrays add none. The walk copies nothing while nothing
// matches: the first replacement copies what came before it into the
// state's arena, and everything after it follows. Keys and strings are
// looked at in place, unescaped (into scratch space) only when they hold
// an escape.

// json returns raw with what the redactors match masked, and whether
// anything was. raw is a value depth containers deep. Text that is not
// valid JSON (which capture never makes) is masked whole: fail closed.
func (st *redactState) json(raw rawJSON, depth int) (rawJSON, bool) {
	st.src, st.done, st.dirty = raw, 0, false
	st.keybuf = st.keybuf[:0]
	start := len(st.arena)
	end := st.jsonValue(0, depth)
	if end >= 0 && skipSpace(raw, end) != len(raw) {
		end = -1
	}
	st.src = nil
	switch {
	case end < 0:
		st.limit()
		return st.rd.maskJSON, true
	case !st.dirty:
		return raw, false
	}
	st.arena = append(st.arena, raw[st.done:]...)
	return rawJSON(st.arena[start:len(st.arena):len(st.arena)]), true
}

// replace copies st.src up to start into the arena (the replacement is
// appended next by the caller) and skips st.src up to end.
func (st *redactState) replace(start, end int) {
	st.dirty = true
	st.changed = true
	st.arena = append(st.arena, st.src[st.done:start]...)
	st.done = end
}

// maskJSONValue replaces the value at st.src[i:] by the mask and returns
// the index after it, or -1.
func (st *redactState) maskJSONValue(i int) int {
	end := skipValue(st.src, i)
	if end >= 0 {
		st.replace(i, end)
		st.arena = append(st.arena, st.rd.maskJSON...)
	}
	return end
}

// jsonValue walks the value at st.src[i:], which is depth containers
// deep, and returns the index after it, or -1 if it is not valid JSON.
func (st *redactState) jsonValue(i, depth int) int {
	src := st.src
	if i = skipSpace(src, i); i >= len(src) {
		return -1
	}
	if st.keys > st.rd.maxKeys {
		st.limited = true
		return st.maskJSONValue(i)
	}
	switch src[i] {
	case '{', '[':
		if depth >= st.rd.maxDepth {
			st.limited = true
			return st.maskJSONValue(i)
		}
		if src[i] == '{' {
			return st.jsonObject(i+1, depth+1)
		}
		return st.jsonArray(i+1, depth+1)
	case '"':
		end := timestampEnd(src, i)
		var esc bool
		var seen uint16 // stays 0 for a timestamp: the scanners skip it
		switch {
		case end >= 0:
		case i+9 <= len(src) && !quoteOrBackslash(binary.LittleEndian.Uint64(src[i+1:])):
			end, esc, seen = scanStringLong(src, i) // eight bytes and more
		default:
			end, esc, seen = scanStringSeen(src, i)
		}
		if end < 0 {
			return -1
		}
		s := bytesString(src[i+1 : end-1])
		if esc {
			var ok bool
			if st.strbuf, ok = appendUnescaped(st.strbuf[:0], src[i+1:end-1]); !ok {
				return -1
			}
			s = bytesString(st.strbuf)
			seen = triggersOf(s)
		}
		if !st.rd.looksAt(seen) {
			return end
		}
		if out, ok := st.maskStringSeen(s, seen); ok {
			st.replace(i, end)
			st.arena = appendString(st.arena, out)
		}
		return end
	}
	end := scanLiteral(src, i)
	if st.rd.cards && end-i >= 13 && end-i <= 19 {
		// An integer that may be a card number, masked as one logged as
		// an attr would be.
		if n, ok := parseDigits(src[i:end]); ok && st.rd.maskUint(n) {
			st.replace(i, end)
			st.arena = append(st.arena, st.rd.maskJSON...)
		}
	}
	return end
}

// parseDigits returns the value of b, 19 ASCII digits or fewer, and
// whether b is all digits.
func parseDigits(b []byte) (uint64, bool) {
	var n uint64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// jsonObject walks the members of an object from st.src[i:], just after
// its '{', and returns the index after its '}', or -1.
func (st *redactState) jsonObject(i, depth int) int {
	src := st.src
	if i = skipSpace(src, i); i < len(src) && src[i] == '}' {
		return i + 1
	}
	for {
		if i = skipSpace(src, i); i >= len(src) || src[i] != '"' {
			return -1
		}
		kend, w := shortKey(src, i)
		var esc bool
		if kend == 0 {
			kend, esc, _ = scanStringSeen(src, i) // keys are short: one pass beats IndexByte's calls
			if kend < 0 {
				return -1
			}
		}
		mark := len(st.keybuf)
		key := bytesString(src[i+1 : kend-1])
		if esc {
			var ok bool
			if st.keybuf, ok = appendUnescaped(st.keybuf, src[i+1:kend-1]); !ok {
				return -1
			}
			// The path keeps key while the walk is below it. Later keys
			// are appended after it, or to a new array if keybuf grows.
			key = bytesString(st.keybuf[mark:])
		}
		if i = skipSpace(src, kend); i >= len(src) || src[i] != ':' {
			return -1
		}
		i++
		st.keys++
		st.path = append(st.path, key)
		switch {
		case st.keys > st.rd.maxKeys:
			st.limited = true
			i = st.maskJSONValue(skipSpace(src, i))
		case st.maskMember(key, w):
			i = st.maskJSONValue(skipSpace(src, i))
		default:
			i = st.jsonValue(i, depth)
		}
		st.path = st.path[:len(st.path)-1]
		st.keybuf = st.keybuf[:mark]
		if i = nextMember(src, i, '}'); i < 0 || src[i-1] == '}' {
			return i
		}
	}
}

// shortKey reads the JSON string at src[i] if it ends within the eight
// bytes after its opening quote, with no escape before its end: it
// returns the index after it and, for a key of 1 to 7 bytes, the key
// packed by keyWord (else 0). It returns end 0 for any other string,
// which the caller reads byte by byte. Most keys are this short.
func shortKey(src []byte, i int) (end int, w uint64) {
	if i+9 > len(src) {
		return 0, 0
	}
	x := binary.LittleEndian.Uint64(src[i+1:])
	qb := quoteBits(x) & msb // the lowest flagged byte is a real '"' or '\\'
	if qb == 0 {
		return 0, 0
	}
	k := bits.TrailingZeros64(qb) >> 3
	if src[i+1+k] != '"' {
		return 0, 0
	}
	if k > 0 {
		w = keyWord(x, k)
	}
	return i + 2 + k, w
}

// maskMember reports whether the value of the object member key is masked
// whole (see maskField). w is key packed by keyWord, or 0: a short key's
// verdict is looked up by its word, unless paths decide too.
func (st *redactState) maskMember(key string, w uint64) bool {
	if w != 0 && !st.rd.wholePath {
		if st.verdicts.word(w, key, &st.rd.fields) {
			st.changed = true
			return true
		}
		return false
	}
	return (st.rd.fields.mayMatch(key) || st.rd.wholePath) && st.maskField(key)
}

// jsonArray walks the elements of an array from st.src[i:], just after
// its '[', and returns the index after its ']', or -1.
func (st *redactState) jsonArray(i, depth int) int {
	src := st.src
	if i = skipSpace(src, i); i < len(src) && src[i] == ']' {
		return i + 1
	}
	for {
		if i = nextMember(src, st.jsonValue(i, depth), ']'); i < 0 || src[i-1] == ']' {
			return i
		}
	}
}

// nextMember reads what follows an object member or array element that
// ends at i: a ',' (it returns the index after it) or the container's
// close (it returns the index after that); else -1. i may be -1.
func nextMember(src []byte, i int, close byte) int {
	if i < 0 {
		return -1
	}
	if i = skipSpace(src, i); i < len(src) && (src[i] == ',' || src[i] == close) {
		return i + 1
	}
	return -1
}

// bytesString returns b as a string without copying. The walker uses it
// for keys and strings of a rawJSON value, which is never modified, and
// of its own scratch space, which it does not change while the string is
// in use (the redactors must not keep what they are given).
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func skipSpace(src []byte, i int) int {
	if i < len(src) && src[i] > ' ' {
		return i // compact JSON, as capture writes it: one test
	}
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the index after the JSON string starting at src[i]
// (a '"') and whether it holds an escape, or -1 if it is not closed.
func scanString(src []byte, i int) (int, bool) {
	for j := i + 1; ; {
		k := bytes.IndexByte(src[j:], '"')
		if k < 0 {
			return -1, false
		}
		k += j
		n := 0 // backslashes just before the quote
		for src[k-1-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			return k + 1, bytes.IndexByte(src[i+1:k], '\\') >= 0
		}
		j = k + 1
	}
}

// scanStringSeen is scanString that also returns the OR of secretTrigger
// over the string's bytes, read in the same pass (meaningless if it holds
// an escape: the caller unescapes it and looks again).
func scanStringSeen(src []byte, i int) (end int, esc bool, seen uint16) {
	for j := i + 1; j < len(src); j++ {
		switch c := src[j]; c {
		case '"':
			return j + 1, esc, seen
		case '\\':
			esc = true
			j++ // the escaped byte cannot end the string
		default:
			seen |= secretTrigger[c]
		}
	}
	return -1, false, 0
}

// scanStringLong is scanStringSeen for a long string: a word at a time
// while no byte is '"' or '\\', then a byte at a time.
func scanStringLong(src []byte, i int) (end int, esc bool, seen uint16) {
	j := i + 1
	for ; j+8 <= len(src); j += 8 {
		x := binary.LittleEndian.Uint64(src[j:])
		if quoteOrBackslash(x) {
			break
		}
		seen |= secretTrigger[byte(x)] | secretTrigger[byte(x>>8)] | secretTrigger[byte(x>>16)] |
			secretTrigger[byte(x>>24)] | secretTrigger[byte(x>>32)] | secretTrigger[byte(x>>40)] |
			secretTrigger[byte(x>>48)] | secretTrigger[x>>56]
	}
	end, esc, rest := scanStringSeen(src, j-1) // j-1 stands for the opening quote
	return end, esc, seen | rest
}

// timestampEnd returns the index after the JSON string at src[i] if it
// holds a timestamp (see isTimestamp), else -1: the scanners skip such a
// string, so its trigger bytes need not be read.
func timestampEnd(src []byte, i int) int {
	const clock = len("2006-01-02T15:04:05")
	if len(src)-i < clock+2 || src[i+5] != '-' {
		return -1
	}
	from := i + 1 + clock
	k := bytes.IndexByte(src[from:min(len(src), from+len(".000000000+00:00")+1)], '"')
	if k < 0 || !isTimestamp(bytesString(src[i+1:from+k])) {
		return -1
	}
	return from + k + 1
}

// scanLiteral returns the index after the number, true, false or null at
// src[i:], or -1.
func scanLiteral(src []byte, i int) int {
	var lit string
	switch src[i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	case 'n':
		lit = "null"
	}
	if lit != "" {
		if !bytes.HasPrefix(src[i:], []byte(lit)) {
			return -1
		}
		return i + len(lit)
	}
	start := i
	for i < len(src) && (isDigit(src[i]) || src[i] == '-' || src[i] == '+' || src[i] == '.' || src[i]|0x20 == 'e') {
		i++
	}
	if i == start || !isDigit(src[i-1]) {
		return -1
	}
	return i
}

// skipValue returns the index after the value at src[i:], without
// looking inside it, or -1. It does not recurse, so any nesting is fine.
func skipValue(src []byte, i int) int {
	depth := 0
	for i < len(src) {
		switch src[i] {
		case '"':
			end, _ := scanString(src, i)
			if end < 0 {
				return -1
			}
			i = end
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth--; depth < 0 {
				return -1
			}
			i++
		default:
			if depth == 0 {
				return scanLiteral(src, i)
			}
			i++
		}
		if depth == 0 {
			return i
		}
	}
	return -1
}

// appendUnescaped appends the JSON string body b, unescaped, to dst, and
// reports whether b's escapes were valid. A lone surrogate becomes
// U+FFFD, as with encoding/json.
func appendUnescaped(dst, b []byte) ([]byte, bool) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\\')
		if i < 0 {
			return append(dst, b...), true
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		if len(b) < 2 {
			return dst, false
		}
		switch c := b[1]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(b[2:])
			if !ok {
				return dst, false
			}
			b = b[6:]
			if utf16.IsSurrogate(r) && len(b) >= 6 && b[0] == '\\' && b[1] == 'u' {
				if r2, ok := hex4(b[2:]); ok {
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						r = pair
						b = b[6:]
					}
				}
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default:
			return dst, false
		}
		b = b[2:]
	}
	return dst, true
}

// hex4 decodes the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			c = (c | 0x20) - 'a' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
