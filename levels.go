package fapilog

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// EnvLevel is the environment variable that, when set and not empty,
// replaces Config.Levels (see Config.Levels for the form). SetLevels still
// changes the levels at run time.
const EnvLevel = "FAPILOG_LEVEL"

// A LevelController reads and sets a pipeline's levels at run time. Both
// AsyncLogger and SyncLogger are LevelControllers.
type LevelController interface {
	// Levels returns the levels in force as a spec (see Config.Levels),
	// with the default level first and the names sorted.
	Levels() string
	// SetLevels replaces the levels with spec, or returns an error
	// naming the bad entry and changes nothing.
	SetLevels(spec string) error
}

// levelSpec is a parsed Config.Levels: an optional default and levels by
// lower-cased logger name.
type levelSpec struct {
	def    slog.Level
	hasDef bool
	names  map[string]slog.Level
}

// parseLevels parses a spec such as "info,http=debug,db.pool=warn".
// Entries are separated by commas and may be surrounded by spaces; empty
// entries are ignored. A bare level is the default (at most one); name=level
// sets the level of name and the names below it. Names and levels are
// case-insensitive; levels are log/slog's names with an optional offset
// ("debug-4", "ERROR+2").
func parseLevels(spec string) (*levelSpec, error) {
	p := &levelSpec{names: map[string]slog.Level{}}
	for entry := range strings.SplitSeq(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, lv, named := strings.Cut(entry, "=")
		if !named {
			lv = name
		}
		level, err := parseLevel(lv)
		if err != nil {
			return nil, fmt.Errorf("fapilog: levels: entry %q: %w", entry, err)
		}
		if !named {
			if p.hasDef {
				return nil, fmt.Errorf("fapilog: levels: entry %q: a second default level", entry)
			}
			p.def, p.hasDef = level, true
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("fapilog: levels: entry %q: %w", entry, err)
		}
		if _, dup := p.names[name]; dup {
			return nil, fmt.Errorf("fapilog: levels: entry %q: name %q given twice", entry, name)
		}
		p.names[name] = level
	}
	return p, nil
}

// parseLevel parses one level as slog.Level.UnmarshalText does, ignoring
// surrounding spaces.
func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	s = strings.TrimSpace(s)
	if s == "" {
		return l, errors.New("no level")
	}
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("unknown level %q (want debug, info, warn or error, optionally +N or -N)", s)
	}
	return l, nil
}

// checkName rejects names that no logger can have.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty logger name")
	case strings.ContainsAny(name, " \t\r\n="):
		return fmt.Errorf("logger name %q holds a space or '='", name)
	case strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, ".."):
		return fmt.Errorf("logger name %q has an empty part", name)
	}
	return nil
}

// resolve returns the level of the logger named name (lower-cased): the
// level of its longest prefix, on '.' boundaries, that the spec names, or
// the default; ok is false if neither applies.
func (p *levelSpec) resolve(name string) (level slog.Level, ok bool) {
	for name != "" {
		if l, ok := p.names[name]; ok {
			return l, true
		}
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			break
		}
		name = name[:i]
	}
	return p.def, p.hasDef
}

// format returns p as a spec, with def as the default if p has none.
func (p *levelSpec) format(def slog.Level) string {
	if p.hasDef {
		def = p.def
	}
	var b strings.Builder
	b.WriteString(def.String())
	for _, name := range slices.Sorted(maps.Keys(p.names)) {
		b.WriteString("," + name + "=" + p.names[name].String())
	}
	return b.String()
}

// levelsFromEnv returns cfg with Levels replaced by EnvLevel when that is
// set, or an error naming the variable if its spec is bad.
func levelsFromEnv(cfg Config) (Config, error) {
	if env := os.Getenv(EnvLevel); env != "" {
		if _, err := parseLevels(env); err != nil {
			return cfg, fmt.Errorf("fapilog: environment variable %s: %w", EnvLevel, err)
		}
		cfg.Levels = env
	}
	return cfg, nil
}

// followBase, as a resolved level, means "ask Config.Level": no spec
// applies and Config.Level may change (a *slog.LevelVar).
const (
	followBase   = math.MinInt64
	followBase32 = math.MinInt32
)

// levels holds a pipeline's level spec and what it resolves to.
//
// Unnamed loggers read root: one atomic load and a compare, or the base
// Leveler's Level when root is followBase. A named logger keeps its own
// resolved level in its nameLevel, stamped with the generation it was
// resolved in; SetLevels bumps gen, so every cache goes stale at once and
// each named logger resolves again on its next call.
type levels struct {
	base slog.Leveler // Config.Level
	mu   sync.Mutex   // serializes SetLevels
	spec atomic.Pointer[levelSpec]
	gen  atomic.Uint32 // starts at 1: a zero cache is always stale
	root atomic.Int64  // the unnamed loggers' level, or followBase
}

// nameLevel is a named logger's cache: gen<<32 | uint32(level), with level
// clamped to int32 (followBase32 means ask the base Leveler).
type nameLevel struct {
	name  string // lower-cased, for matching
	cache atomic.Uint64
}

func (l *levels) init(base slog.Leveler, spec *levelSpec) {
	l.base = base
	l.gen.Store(1)
	l.set(spec)
}

// set installs spec. Ordering: spec is stored before gen is bumped, and
// Go's atomics are sequentially consistent, so a resolver that loads the
// new gen then loads the spec sees the new spec (see resolveNamed).
func (l *levels) set(spec *levelSpec) {
	l.spec.Store(spec)
	root := int64(followBase)
	lv, ok := spec.resolve("")
	if !ok {
		lv, ok = l.base.(slog.Level) // a constant base needs no interface call
	}
	if ok {
		root = int64(lv)
	}
	l.root.Store(root)
	// gen never returns to 0, the mark of a cache never resolved. A cache
	// left untouched for exactly 2^32 SetLevels would pass for fresh.
	if l.gen.Add(1) == 0 {
		l.gen.Add(1)
	}
}

// enabledSlow reports whether a logger logs at level when the inlined
// check in worker.enabledIn could not decide: a named logger (n not nil),
// or an unnamed one whose level follows the base Leveler.
func (l *levels) enabledSlow(n *nameLevel, level slog.Level) bool {
	if n != nil {
		// One load of the generation, one of the cache, two compares.
		c := n.cache.Load()
		if uint32(c>>32) != l.gen.Load() {
			c = l.resolveNamed(n)
		}
		if r := int32(c); r != followBase32 {
			return level >= slog.Level(r)
		}
	}
	return level >= l.base.Level()
}

// resolveNamed resolves n's level and caches it. It loads gen before the
// spec: the spec read is at least as new as gen's, so the cache never
// pairs a gen with an older spec's level. Racing resolvers may store an
// older gen last; that only costs one more resolve.
func (l *levels) resolveNamed(n *nameLevel) uint64 {
	gen := l.gen.Load()
	r := int32(followBase32)
	lv, ok := l.spec.Load().resolve(n.name)
	if !ok {
		lv, ok = l.base.(slog.Level)
	}
	if ok {
		r = int32(min(max(int64(lv), math.MinInt32+1), math.MaxInt32))
	}
	c := uint64(gen)<<32 | uint64(uint32(r))
	n.cache.Store(c)
	return c
}

// String returns the spec in force, with Config.Level's current level as
// the default when the spec has none.
func (l *levels) String() string {
	return l.spec.Load().format(l.base.Level())
}

// Set parses spec and installs it, or returns the parse error.
func (l *levels) Set(spec string) error {
	p, err := parseLevels(spec)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.set(p)
	return nil
}
