package fapilog

// A msgCache holds the encoded form of recent messages, as keyCache does
// for keys: messages are mostly string literals at fixed addresses, so a
// message's escaping and redaction scan are done once and a hit copies
// the result. An entry takes a message's encoding the second time the
// message is seen at the same address while it is noted: a message made
// anew for each call, or one of more than two taking turns in a slot and
// its buddy, just misses, at the cost of noting its address. An entry keeps its message alive (see
// keyCache): at most msgCacheSize messages, each short enough that its
// encoding may fit msgEncMax bytes; longer ones are not noted at all.
//
// One goroutine uses a msgCache at a time (the worker's lock holder).
type msgCache struct {
	tab   [msgCacheSize]msgEntry
	older [msgCacheSize / 2]uint8 // per pair: the entry noted before the other
}

const (
	msgCacheSize = 256 // entries, a power of two
	msgCacheBits = 8   // log2(msgCacheSize)
	msgEncMax    = 256 // the longest encoded message cached
)

type msgEntry struct {
	msg string // the message, at its address
	out string // what was written for it: msg, or msg masked
	enc []byte // its encoding; empty until msg is seen again
}

// entry returns the index of the entry that holds s at its address, in
// s's slot or in the slot's buddy (the other entry of its pair), and
// whether one does; if none does, s's slot. As in keyCache, two messages
// whose addresses hash to one slot can both be cached.
func (c *msgCache) entry(s string) (uint64, bool) {
	i := addrHash(s) >> (64 - msgCacheBits)
	if sameString(c.tab[i].msg, s) {
		return i, true
	}
	if sameString(c.tab[i^1].msg, s) {
		return i ^ 1, true
	}
	return i, false
}

// note makes s's slot, entry i, hold s (not yet its encoding) if it is
// free, else the pair's older entry.
func (c *msgCache) note(i uint64, s string) {
	if c.tab[i].msg != "" {
		i = i&^1 | uint64(c.older[i>>1])
	}
	c.older[i>>1] = uint8(i&1) ^ 1
	m := &c.tab[i]
	m.msg, m.out, m.enc = s, "", m.enc[:0]
}

// msg appends the record's message s as str does, through e.msgs when
// e has one, and returns what it wrote: s, or s masked.
func (e *encoder) msg(b []byte, s string) ([]byte, string) {
	if e.msgs == nil || len(s)+2 > msgEncMax {
		return e.str(b, s) // too long to cache: not even noted, so not kept alive
	}
	i, seen := e.msgs.entry(s)
	m := &e.msgs.tab[i]
	if seen && len(m.enc) > 0 {
		return append(b, m.enc...), m.out
	}
	start := len(b)
	b, out := e.str(b, s)
	switch {
	case !seen:
		e.msgs.note(i, s)
	case len(b)-start <= msgEncMax:
		m.out = out
		m.enc = append(m.enc, b[start:]...)
	}
	return b, out
}
