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
	red  *redaction // whose verdicts mask holds; nil: none
	text bool       // the text form (`key=`) of logfmt and console, not JSON
	tab  [keyCacheSize]keyEntry
}

const (
	keyCacheSize = 512 // entries, a power of two
	keyCacheBits = 9   // log2(keyCacheSize)
	keyEncMax    = 48  // the longest encoded key cached
)

type keyEntry struct {
	key    string
	n      uint8 // len of the encoded key; 0 for an empty entry
	mask   bool  // red masks a field with this key, wherever it is
	quoted bool  // text: the key is quoted, so a group prefix must be quoted with it
	enc    [keyEncMax]byte
}

// slot returns the entry key belongs in: a Fibonacci hash of its address
// and length, so that literals laid out side by side spread out.
func (c *keyCache) slot(key string) *keyEntry {
	return &c.tab[addrHash(key)>>(64-keyCacheBits)]
}

// addrHash hashes the address and length of s (Fibonacci hashing: take
// the top bits).
func addrHash(s string) uint64 {
	return (uint64(uintptr(unsafe.Pointer(unsafe.StringData(s)))) ^ uint64(len(s))<<56) * 0x9E3779B97F4A7C15
}

// sameString reports whether a and b are the same bytes in memory.
func sameString(a, b string) bool {
	return unsafe.StringData(a) == unsafe.StringData(b) && len(a) == len(b)
}

// lookup returns key's entry, or nil if key is too long to cache.
func (c *keyCache) lookup(key string) *keyEntry {
	if e := c.hit(key); e != nil {
		return e
	}
	return c.miss(key)
}

// miss returns key's entry after hit found its slot holds another key:
// the slot's buddy (the other entry of its pair), if that holds key;
// else the slot, filled with key, after what it held moves to the buddy.
// So two keys whose addresses hash to one slot both stay cached, and a
// slot's key is its most recent newcomer.
func (c *keyCache) miss(key string) *keyEntry {
	i := addrHash(key) >> (64 - keyCacheBits)
	e, buddy := &c.tab[i], &c.tab[i^1]
	switch {
	case e.n != 0 && e.key == key:
		return e // the same text at another address
	case buddy.n != 0 && buddy.key == key:
		return buddy
	case len(key)+3 > keyEncMax:
		return nil
	}
	if e.n != 0 {
		*buddy = *e
	}
	return c.fill(e, key)
}

// hit returns key's entry if it holds the same string at the same
// address, else nil: lookup's fast path, small enough to inline into the
// encoder's loop (lookup itself is not).
func (c *keyCache) hit(key string) *keyEntry {
	e := c.slot(key)
	if e.n == 0 || !sameString(e.key, key) {
		return nil
	}
	return e
}

// inBuddy returns key's entry if its slot's buddy holds it (see miss),
// else nil: hit's second look, for a key that collided.
func (c *keyCache) inBuddy(key string) *keyEntry {
	e := &c.tab[addrHash(key)>>(64-keyCacheBits)^1]
	if e.n == 0 || !sameString(e.key, key) {
		return nil
	}
	return e
}

// appendTo appends the encoded key.
func (e *keyEntry) appendTo(b []byte) []byte {
	if n := len(b); cap(b)-n >= keyEncMax {
		// Copy the whole array, a few word moves, rather than call
		// memmove for a few bytes; what lies past the key is beyond
		// len and is overwritten by what follows.
		*(*[keyEncMax]byte)(b[n : n+keyEncMax]) = e.enc
		return b[:n+int(e.n)]
	}
	return append(b, e.enc[:e.n]...)
}

// fill makes e the entry of key and returns it, or nil if escapes make
// key's encoding too long to cache (miss has ruled out a longer key, and
// e holding the same text).
func (c *keyCache) fill(e *keyEntry, key string) *keyEntry {
	var buf [keyEncMax]byte
	var enc []byte
	if c.text {
		enc = append(appendTextString(buf[:0], key), '=')
	} else {
		enc = append(appendString(buf[:0], key), ':')
	}
	if len(enc) > keyEncMax {
		return nil // escapes made it too long
	}
	e.key, e.n = key, uint8(copy(e.enc[:], enc))
	e.quoted = c.text && needsQuoting(key)
	e.mask = c.red != nil && c.red.maskKey(key)
	return e
}
