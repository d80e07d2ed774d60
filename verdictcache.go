package fapilog

// A verdictCache remembers what the worker's redaction decided about keys
// it meets again and again at new addresses, so that, unlike keyCache, it
// is keyed by their text: map and struct keys inside captured values
// (masked whole? see fieldRedactor.matchKey), or the keys of key=value
// pairs inside strings, such as an error's "dial tcp 10.0.0.1:5432:
// connect: …" (sensitive? see sensitiveKey); one cache for each. Judging
// a key splits it into words and looks each up (hundreds of
// instructions); a hit is a hash and a compare.
//
// One goroutine uses a verdictCache at a time (the worker's lock holder),
// for one redaction (see redactState.begin). A nil *verdictCache holds
// nothing.
type verdictCache struct {
	rd    *redaction // whose verdicts tab and words hold
	tab   [verdictCacheSize]verdictEntry
	words [verdictCacheSize]wordVerdict // keys of 1 to 7 bytes, by keyWord: a compare of one word
}

// A wordVerdict is the verdict on a short key, packed by keyWord; w is 0
// for an empty entry (a packed key never is: its length byte is not).
type wordVerdict struct {
	w   uint64
	yes bool
}

// keyWord packs a key of k bytes, 1 to 7, held in the low bytes of the
// little-endian word x, with its length: two keys have the same word
// exactly when they have the same text.
func keyWord(x uint64, k int) uint64 { return x&(1<<(8*k)-1) | uint64(k)<<56 }

// word returns f.matchKey(key) for a short key packed as w by keyWord,
// judging it only if c has not: a hash and a compare of one word, where
// get hashes and compares the text. A nil c judges every time.
func (c *verdictCache) word(w uint64, key string, f *fieldRedactor) bool {
	if c == nil {
		return f.matchKey(key)
	}
	e := &c.words[(w*0x9E3779B97F4A7C15)>>(64-verdictCacheBits)]
	if e.w != w {
		e.w, e.yes = w, f.matchKey(key)
	}
	return e.yes
}

const (
	verdictCacheSize = 256 // entries, a power of two
	verdictCacheBits = 8   // log2(verdictCacheSize)
	verdictKeyMax    = 30  // the longest key cached
)

type verdictEntry struct {
	n    uint8 // len of the key; 0 for an empty entry
	yes  bool  // the verdict
	text [verdictKeyMax]byte
}

// get returns the entry for key and whether it holds key's verdict; the
// caller judges key and stores the verdict with set if not. It returns
// nil for a key too long to cache, or a nil c.
func (c *verdictCache) get(key string) (*verdictEntry, bool) {
	if c == nil || len(key) == 0 || len(key) > verdictKeyMax {
		return nil, false
	}
	e := &c.tab[textHash(key)>>(64-verdictCacheBits)]
	return e, int(e.n) == len(key) && string(e.text[:e.n]) == key
}

// set makes e hold key's verdict yes and returns yes; e may be nil.
func (e *verdictEntry) set(key string, yes bool) bool {
	if e != nil {
		e.n, e.yes = uint8(copy(e.text[:], key)), yes
	}
	return yes
}

// serve empties c if it holds another redaction's verdicts.
func (c *verdictCache) serve(rd *redaction) {
	if c != nil && c.rd != rd {
		c.tab, c.words, c.rd = [verdictCacheSize]verdictEntry{}, [verdictCacheSize]wordVerdict{}, rd
	}
}

// textHash hashes the text of s, 1 to verdictKeyMax bytes long: its first
// and last eight bytes (overlapping; for a shorter key its first and last
// four, or its bytes) and its length.
func textHash(s string) uint64 {
	var lo, hi uint64
	switch {
	case len(s) >= 8:
		lo, hi = load64(s, 0), load64(s, len(s)-8)
	case len(s) >= 4:
		lo = load32(s, 0) | load32(s, len(s)-4)<<32
	default:
		for i := 0; i < len(s); i++ {
			lo |= uint64(s[i]) << (8 * i)
		}
	}
	return (lo*0x9E3779B97F4A7C15 ^ hi ^ uint64(len(s))) * 0xBF58476D1CE4E5B9
}

// load32 reads four bytes of s starting at i as a little-endian word.
func load32(s string, i int) uint64 {
	w := s[i : i+4]
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24
}
