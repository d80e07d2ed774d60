package fapilog

// A verdictCache remembers whether the field redactors mask a key (see
// fieldRedactor.matchKey) for the keys the worker's walk meets inside
// captured values: map and struct keys, met again in every record but,
// living in each record's capture, never at the same address twice. So,
// unlike keyCache, it is keyed by the key's text. Judging a key splits
// it into words and looks each up (hundreds of instructions); a hit is a
// hash and a compare.
//
// One goroutine uses a verdictCache at a time (the worker's lock holder).
type verdictCache struct {
	rd  *redaction // whose verdicts tab holds
	tab [verdictCacheSize]verdictEntry
}

const (
	verdictCacheSize = 256 // entries, a power of two
	verdictCacheBits = 8   // log2(verdictCacheSize)
	verdictKeyMax    = 30  // the longest key cached
)

type verdictEntry struct {
	n    uint8 // len of the key; 0 for an empty entry
	mask bool
	key  [verdictKeyMax]byte
}

// matchKey returns rd.fields.matchKey(key), from c if it holds key.
func (c *verdictCache) matchKey(rd *redaction, key string) bool {
	f := &rd.fields
	if len(key) == 0 || len(key) > verdictKeyMax {
		return f.matchKey(key)
	}
	if c.rd != rd {
		c.tab, c.rd = [verdictCacheSize]verdictEntry{}, rd
	}
	e := &c.tab[textHash(key)>>(64-verdictCacheBits)]
	if int(e.n) == len(key) && string(e.key[:e.n]) == key {
		return e.mask
	}
	mask := f.matchKey(key)
	e.n, e.mask = uint8(copy(e.key[:], key)), mask
	return mask
}

// textHash hashes the text of s, 1 to verdictKeyMax bytes long: its first
// and last eight (overlapping, or fewer, padded) and its length.
func textHash(s string) uint64 {
	var lo, hi uint64
	if len(s) >= 8 {
		lo, hi = load64(s, 0), load64(s, len(s)-8)
	} else {
		for i := 0; i < len(s); i++ {
			lo |= uint64(s[i]) << (8 * i)
		}
	}
	return (lo*0x9E3779B97F4A7C15 ^ hi ^ uint64(len(s))) * 0xBF58476D1CE4E5B9
}
