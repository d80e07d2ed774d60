package fapilog

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// collidingKeys returns n strings of distinct text whose addresses hash
// to one slot of a cache of 1<<bits entries (keyCache, msgCache), and
// that slot.
func collidingKeys(t *testing.T, n, bits int) ([]string, uint64) {
	buf := make([]byte, 1<<20)
	bySlot := map[uint64][]string{}
	for off := 0; off+8 <= len(buf); off += 8 {
		copy(buf[off:], fmt.Sprintf("%08x", off)) // distinct text
		key := unsafe.String(&buf[off], 8)
		slot := addrHash(key) >> (64 - bits)
		if bySlot[slot] = append(bySlot[slot], key); len(bySlot[slot]) == n {
			return bySlot[slot], slot
		}
	}
	t.Fatal("no slot took enough keys")
	return nil, 0
}

// TestKeyCacheKeepsCollidingKeys: two hot keys whose addresses hash to
// the same slot both stay cached (one in the slot's buddy), so taking
// turns they are encoded once, not once a turn; a third evicts the
// older, and every lookup still returns its own key's entry.
func TestKeyCacheKeepsCollidingKeys(t *testing.T) {
	keys, slot := collidingKeys(t, 3, keyCacheBits)
	var c keyCache
	a, b := keys[0], keys[1]
	c.lookup(a)
	c.lookup(b)
	before := c.tab
	for range 10 {
		ea, eb := c.lookup(a), c.lookup(b)
		require.True(t, sameString(ea.key, a))
		require.True(t, sameString(eb.key, b))
		require.NotSame(t, ea, eb)
	}
	require.Equal(t, before, c.tab, "no entry was filled again")
	require.True(t, sameString(c.tab[slot].key, b), "the newcomer holds the slot")
	require.True(t, sameString(c.tab[slot^1].key, a), "the one before it moved to the buddy")

	for _, k := range keys {
		e := c.lookup(k)
		require.True(t, sameString(e.key, k))
		require.Equal(t, string(appendString(nil, k))+":", string(e.enc[:e.n]))
	}
}
