package fapilog

import "unsafe"

// A keyCache holds the encoded form of attr keys (`"key":`) and whether
// the pipeline's redactors mask the field, so that the worker escapes and
// judges each distinct key once, not once per record. Keys are mostly
// string literals at fixed addresses, so the cache is indexed by the
// address of the key's bytes and a hit is a pointer compare. An entry
// keeps its key alive, so the memory it points to cannot be reused for
// other text while the entry is there; a key with the same text at
// another address still hits, after a compare of its bytes. Keys
// made anew for every call just miss, at the cost of encoding them.
//
// One goroutine uses a keyCache at a time (the worker's lock holder).
type keyCache struct {
	red *redaction // whose verdicts mask holds; nil: none
	tab [keyCacheSize]keyEntry
}

const (
	keyCacheSize = 512 // entries, a power of two
	keyCacheBits = 9   // log2(keyCacheSize)
	keyEncMax    = 48  // the longest encoded key cached
)

type keyEntry struct {
	key  string
	n    uint8 // len of the encoded key; 0 for an empty entry
	mask bool  // red masks a field with this key, wherever it is
	enc  [keyEncMax]byte
}

// slot returns the entry key belongs in: a Fibonacci hash of its address
// and length, so that literals laid out side by side spread out.
func (c *keyCache) slot(key string) *keyEntry {
	h := (uint64(uintptr(unsafe.Pointer(unsafe.StringData(key)))) ^ uint64(len(key))<<56) * 0x9E3779B97F4A7C15
	return &c.tab[h>>(64-keyCacheBits)]
}

// appendKey appends the encoded key from the cache and reports whether
// its field is masked, or returns ok false on a miss.
func (c *keyCache) appendKey(b []byte, key string) (out []byte, mask, ok bool) {
	e := c.slot(key)
	if e.n == 0 || unsafe.StringData(e.key) != unsafe.StringData(key) || len(e.key) != len(key) {
		if e = c.fill(e, key); e == nil {
			return b, false, false
		}
	}
	if n := len(b); cap(b)-n >= keyEncMax {
		// Copy the whole array, a few word moves, rather than call
		// memmove for a few bytes; what lies past the key is beyond
		// len and is overwritten by what follows.
		*(*[keyEncMax]byte)(b[n : n+keyEncMax]) = e.enc
		return b[:n+int(e.n)], e.mask, true
	}
	return append(b, e.enc[:e.n]...), e.mask, true
}

// fill makes e the entry of key unless e holds the same text, and returns
// it, or nil if key is too long to cache.
func (c *keyCache) fill(e *keyEntry, key string) *keyEntry {
	if e.n != 0 && e.key == key {
		return e
	}
	if len(key)+3 > keyEncMax {
		return nil
	}
	var buf [keyEncMax]byte
	enc := append(appendString(buf[:0], key), ':')
	if len(enc) > keyEncMax {
		return nil // escapes made it too long
	}
	e.key, e.n = key, uint8(copy(e.enc[:], enc))
	e.mask = c.red != nil && c.red.maskKey(key)
	return e
}
