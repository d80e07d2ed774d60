package fapilog

// A msgCache holds the encoded form of recent messages, as keyCache does
// for keys: messages are mostly string literals at fixed addresses, so a
// message's escaping and redaction scan are done once and a hit copies
// the result. An entry takes a message's encoding the second time in a
// row the message is seen at the same address: a message made anew for
// each call, or one of many taking turns in an entry, just misses, at
// the cost of noting its address. An entry keeps its message alive (see
// keyCache): at most msgCacheSize messages, each short enough that its
// encoding may fit msgEncMax bytes; longer ones are not noted at all.
//
// One goroutine uses a msgCache at a time (the worker's lock holder).
type msgCache struct {
	tab [msgCacheSize]msgEntry
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

// slot returns the entry s belongs in.
func (c *msgCache) slot(s string) *msgEntry {
	return &c.tab[addrHash(s)>>(64-msgCacheBits)]
}

// msg appends the record's message s as str does, through e.msgs when
// e has one, and returns what it wrote: s, or s masked.
func (e *encoder) msg(b []byte, s string) ([]byte, string) {
	if e.msgs == nil || len(s)+2 > msgEncMax {
		return e.str(b, s) // too long to cache: not even noted, so not kept alive
	}
	m := e.msgs.slot(s)
	seen := sameString(m.msg, s)
	if seen && len(m.enc) > 0 {
		return append(b, m.enc...), m.out
	}
	start := len(b)
	b, out := e.str(b, s)
	switch {
	case !seen:
		m.msg, m.enc = s, m.enc[:0]
	case len(b)-start <= msgEncMax:
		m.out = out
		m.enc = append(m.enc, b[start:]...)
	}
	return b, out
}
