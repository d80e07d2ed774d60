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
	keyCacheSize = 256 // entries, a power of two
	keyEncMax    = 46  // the longest encoded key cached, so an entry is 64 bytes
)

type keyEntry struct {
	key  string
	n    uint8 // len of the encoded key; 0 for an empty entry
	mask bool  // red masks a field with this key, wherever it is
	enc  [keyEncMax]byte
}

// get returns the entry for key, filling it on a miss, or nil if key is
// too long to cache.
func (c *keyCache) get(key string) *keyEntry {
	p := uintptr(unsafe.Pointer(unsafe.StringData(key)))
	e := &c.tab[(p>>3^p>>11^uintptr(len(key)))&(keyCacheSize-1)]
	if e.n != 0 && len(e.key) == len(key) && (unsafe.StringData(e.key) == unsafe.StringData(key) || e.key == key) {
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
