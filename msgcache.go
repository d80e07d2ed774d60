package fapilog

// A msgCache holds the encoded form of recent messages, as keyCache does
// for keys: messages are mostly string literals at fixed addresses, so a
// message's escaping and redaction scan are done once and a hit copies
// the result. An entry takes a message's encoding the second time in a
// row the message is seen at the same address: a message made anew for
// each call, or one of many taking turns in an entry, just misses, at
// the cost of noting its address. An entry keeps its message alive (see
// keyCache): at most msgCacheSize messages, each short enough that its
// encoding may fit msgEncMax bytes; longer ones are not noted at all. A
// message that had a secret masked is not cached: rare, and its masked
// form would need keeping too.
//
// The table is sized for a service's many log sites: 1000 messages
// taking turns cost the worker 74 ns a record at 256 entries, 50 at 4096
// (BenchmarkWorkerMessages; one message: 45). It is one array per
// format, 40 bytes an entry (160 KiB; a new logger holds 2.5 MiB), and
// keeps at most 2 MiB alive: 1 of messages (made-anew ones included), 1
// of their encodings, each entry's buffer reused by the next message.
//
// One goroutine uses a msgCache at a time (the worker's lock holder).
type msgCache struct {
	tab [msgCacheSize]msgEntry
}

const (
	msgCacheSize = 4096 // entries, a power of two
	msgCacheBits = 12   // log2(msgCacheSize)
	msgEncMax    = 256  // the longest encoded message cached
)

type msgEntry struct {
	msg string // the message, at its address
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
		return append(b, m.enc...), s
	}
	start := len(b)
	b, out := e.str(b, s)
	switch {
	case !seen:
		m.msg, m.enc = s, m.enc[:0]
	case len(b)-start <= msgEncMax && sameString(out, s):
		m.enc = append(m.enc, b[start:]...)
	}
	return b, out
}
