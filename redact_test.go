package fapilog

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// logged runs calls on a SyncLogger made with cfg (writing to memory),
// closes it and returns the lines decoded, the raw output, the stats and
// the diagnostics.
func logged(t *testing.T, cfg Config, calls func(l *SyncLogger)) ([]map[string]any, string, Stats, string) {
	t.Helper()
	sink := &memSink{}
	diag := &syncBuffer{}
	cfg.Sinks = []Sink{sink}
	cfg.Diagnostics = diag
	l, err := NewSync(cfg)
	require.NoError(t, err)
	calls(l)
	st := closeLogger(t, l)
	return sink.lines(t), sink.String(), st, diag.String()
}

// loggedOne is logged for a single Info call with attrs; it returns the
// line without time, level and msg.
func loggedOne(t *testing.T, cfg Config, attrs ...slog.Attr) map[string]any {
	t.Helper()
	lines, _, _, _ := logged(t, cfg, func(l *SyncLogger) { l.Info("m", attrs...) })
	require.Len(t, lines, 1)
	for _, k := range []string{"time", "level", "msg"} {
		delete(lines[0], k)
	}
	return lines[0]
}

// obj is a decoded JSON object, to write expected lines compactly.
type obj = map[string]any

func TestRedactFieldsBareNameAtAnyDepth(t *testing.T) {
	type card struct {
		Number string `json:"number"`
		Holder string
		Secret string // exported, no tag: the key is "Secret"
	}
	cfg := Config{Redactors: []Redactor{RedactFields("password", "secret", "number")}}
	got := loggedOne(t, cfg,
		slog.String("password", "p1"),
		slog.Group("g", slog.String("PassWord", "p2"), slog.Group("h", slog.String("PASSWORD", "p3"), slog.Int("n", 1))),
		slog.Any("m", map[string]any{"Password": "p4", "ok": "v", "deep": map[string]any{"password": []int{1, 2}}}),
		slog.Any("c", card{Number: "4111", Holder: "Ann", Secret: "s"}),
		slog.Any("s", []map[string]string{{"password": "p5", "k": "v"}, {"pAsSwOrD": "p6"}}),
		slog.Any("slice", []any{"plain", []any{map[string]any{"secret": 1}}}),
		slog.Group("password", slog.Int("a", 1)), // a group is masked whole
		slog.String("passwords", "not the same key"),
	)
	require.Equal(t, obj{
		"password":  "***",
		"g":         obj{"PassWord": "***", "h": obj{"PASSWORD": "***", "n": 1.0}},
		"m":         obj{"Password": "***", "ok": "v", "deep": obj{"password": "***"}},
		"c":         obj{"number": "***", "Holder": "Ann", "Secret": "***"},
		"s":         []any{obj{"password": "***", "k": "v"}, obj{"pAsSwOrD": "***"}},
		"slice":     []any{"plain", []any{obj{"secret": "***"}}},
		"passwords": "not the same key",
	}, got)
}

func TestRedactFieldsDottedPaths(t *testing.T) {
	cfg := Config{Redactors: []Redactor{RedactFields("user.card.number", "*.pin", "users.ssn")}}
	lines, _, _, _ := logged(t, cfg, func(l *SyncLogger) {
		l.Info("groups", slog.Group("user", slog.Group("card", slog.String("number", "4111"), slog.String("brand", "visa"))))
		l.Info("map", slog.Any("user", map[string]any{"card": map[string]any{"NUMBER": "4111"}}))
		l.WithGroup("user").Info("scope", slog.Any("card", map[string]string{"number": "4111"}))
		l.Info("not from the top", slog.Group("x", slog.Group("user", slog.Group("card", slog.String("number", "1")))))
		l.Info("not a suffix", slog.Group("card", slog.String("number", "2")))
		l.Info("wildcard", slog.Group("a", slog.String("pin", "1234")), slog.String("pin", "top"), slog.Group("c", slog.Group("b", slog.String("pin", "deep"))))
		l.Info("slices add no key", slog.Any("users", []map[string]string{{"ssn": "123"}, {"name": "ann"}}))
	})
	require.Len(t, lines, 7)
	require.Equal(t, obj{"card": obj{"number": "***", "brand": "visa"}}, lines[0]["user"])
	require.Equal(t, obj{"card": obj{"NUMBER": "***"}}, lines[1]["user"])
	require.Equal(t, obj{"card": obj{"number": "***"}}, lines[2]["user"])
	require.Equal(t, obj{"user": obj{"card": obj{"number": "1"}}}, lines[3]["x"])
	require.Equal(t, obj{"number": "2"}, lines[4]["card"])
	require.Equal(t, obj{"pin": "***"}, lines[5]["a"])
	require.Equal(t, "top", lines[5]["pin"])
	require.Equal(t, obj{"b": obj{"pin": "deep"}}, lines[5]["c"], "* is one key")
	require.Equal(t, []any{obj{"ssn": "***"}, obj{"name": "ann"}}, lines[6]["users"])
}

func TestDefaultRedactorsAreOnByDefault(t *testing.T) {
	names := []string{"password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "authorization",
		"cookie", "set-cookie", "private_key", "client_secret", "access_token", "refresh_token", "session_id"}
	var attrs []slog.Attr
	want := obj{"url": "amqp://***@mq:5672/vhost", "plain": "kept"}
	for i, n := range names {
		if i%2 == 1 {
			n = strings.ToUpper(n)
		}
		attrs = append(attrs, slog.String(n, "s3cr3t"))
		want[n] = "***"
	}
	attrs = append(attrs, slog.String("url", "amqp://guest:guest@mq:5672/vhost"), slog.String("plain", "kept"))
	require.Equal(t, want, loggedOne(t, Config{}, attrs...))
	require.Equal(t, want, loggedOne(t, Config{Redactors: DefaultRedactors()}, attrs...))

	off := loggedOne(t, Config{Redactors: []Redactor{}}, attrs...)
	require.Equal(t, "s3cr3t", off["password"], "an empty non-nil Redactors turns redaction off")
	require.Equal(t, "amqp://guest:guest@mq:5672/vhost", off["url"])
}

func TestRedactURLCredentials(t *testing.T) {
	cases := map[string]string{
		"https://user:pass@example.com/x":                   "https://***@example.com/x",
		"postgres://app:hunter2@db:5432/orders?ssl=1":       "postgres://***@db:5432/orders?ssl=1",
		"redis://:onlypass@cache:6379":                      "redis://***@cache:6379",
		"git+ssh://token@github.com/o/r.git":                "git+ssh://***@github.com/o/r.git",
		"two: http://a:b@h1/ and HTTP://c:d@h2#f":           "two: http://***@h1/ and HTTP://***@h2#f",
		"at in password: mongodb://u:p@ss@h/db":             "at in password: mongodb://***@h/db",
		`quoted "ftp://u:p@h" end`:                          `quoted "ftp://***@h" end`,
		"no credentials: https://example.com/a@b":           "no credentials: https://example.com/a@b",
		"no scheme: //u:p@h and ://u:p@h":                   "no scheme: //u:p@h and ://u:p@h",
		"empty userinfo: https://@h":                        "empty userinfo: https://@h",
		"plain text with an @ sign and a colon: x":          "plain text with an @ sign and a colon: x",
		"scheme after digits 1http://u:p@h":                 "scheme after digits 1http://***@h",
		"query is not userinfo: https://h/?to=a:b@c":        "query is not userinfo: https://h/?to=a:b@c",
		"unterminated at end: sftp://root:toor@":            "unterminated at end: sftp://***@",
		"newline ends it: https://u:p\n@h":                  "newline ends it: https://u:p\n@h",
		"amqps://guest:guest@rabbit:5671/%2f with trailing": "amqps://***@rabbit:5671/%2f with trailing",
	}
	r := RedactURLCredentials()
	for in, want := range cases {
		got, changed := r.MaskString(in, "***")
		require.Equal(t, want, got, in)
		require.Equal(t, want != in, changed, in)
	}
	require.False(t, r.MaskField([]string{"url"}))

	// Inside a message, a string, a map and an error captured by slog.Any.
	lines, _, _, _ := logged(t, Config{Redactors: []Redactor{RedactURLCredentials()}}, func(l *SyncLogger) {
		l.Info("connecting to postgres://app:pw@db/x",
			slog.Any("cfg", map[string]string{"dsn": "mysql://root:pw@tcp(db:3306)/x"}),
			slog.Any("err", errors.New(`dial "redis://u:pw@cache": refused`)))
	})
	require.Equal(t, "connecting to postgres://***@db/x", lines[0]["msg"])
	require.Equal(t, obj{"dsn": "mysql://***@tcp(db:3306)/x"}, lines[0]["cfg"])
	require.Equal(t, `dial "redis://***@cache": refused`, lines[0]["err"])
}

func TestRedactMaskOption(t *testing.T) {
	got := loggedOne(t, Config{RedactMask: "[redacted]"}, slog.String("token", "t"), slog.String("u", "http://a:b@h"))
	require.Equal(t, obj{"token": "[redacted]", "u": "http://[redacted]@h"}, got)
}

func TestRedactWithContextAtWithTime(t *testing.T) {
	var calls atomic.Int64
	counting := &funcRedactor{field: func(path []string) bool {
		calls.Add(1)
		return path[len(path)-1] == "ssn"
	}}
	cfg := Config{Redactors: []Redactor{counting, RedactURLCredentials()}}
	lines, _, _, _ := logged(t, cfg, func(l *SyncLogger) {
		child := l.WithGroup("req").With(slog.String("ssn", "123-45-6789"), slog.String("ok", "v"),
			slog.Any("m", map[string]string{"ssn": "x", "db": "pg://u:p@h"}))
		before := calls.Load()
		require.Equal(t, int64(5), before, "each With attr and map key looked at once, when the child is made")
		for range 3 {
			child.Info("m")
		}
		require.Equal(t, before, calls.Load(), "With context is not redacted again per record")
	})
	require.Len(t, lines, 3)
	for _, line := range lines {
		require.Equal(t, obj{"ssn": "***", "ok": "v", "m": obj{"db": "pg://***@h", "ssn": "***"}}, line["req"])
	}
}

// funcRedactor is a Redactor made of functions; nil ones match nothing.
type funcRedactor struct {
	field func(path []string) bool
	str   func(s, mask string) (string, bool)
}

func (r *funcRedactor) MaskField(path []string) bool {
	if r.field == nil {
		return false
	}
	return r.field(path)
}

func (r *funcRedactor) MaskString(s, mask string) (string, bool) {
	if r.str == nil {
		return s, false
	}
	return r.str(s, mask)
}

func TestCustomRedactorSeesPaths(t *testing.T) {
	var paths []string
	rec := &funcRedactor{field: func(path []string) bool {
		paths = append(paths, strings.Join(path, "."))
		return false
	}}
	logged(t, Config{Redactors: []Redactor{rec}}, func(l *SyncLogger) {
		l.WithGroup("s").Info("m", slog.Group("g", slog.Any("m", map[string]any{"k": []any{map[string]int{"x": 1}}})), slog.Group("", slog.Int("inl", 1)))
	})
	require.Equal(t, []string{"s.g", "s.g.m", "s.g.m.k", "s.g.m.k.x", "s.inl"}, paths)
}

func TestRedactorPanicFailsClosed(t *testing.T) {
	boom := &funcRedactor{
		field: func(path []string) bool {
			if path[len(path)-1] == "explode" {
				panic("field boom")
			}
			return false
		},
		str: func(s, mask string) (string, bool) {
			if strings.Contains(s, "detonate") {
				panic("string boom")
			}
			return s, false
		},
	}
	cfg := Config{Redactors: []Redactor{boom}}
	lines, _, st, diag := logged(t, cfg, func(l *SyncLogger) {
		l.Info("m", slog.String("a", "kept"), slog.Group("g", slog.String("explode", "secret1"), slog.String("b", "x")), slog.String("c", "kept too"))
		l.Info("detonate in msg", slog.Any("m", map[string]string{"k": "detonate secret2"}), slog.String("d", "kept"))
		l.With(slog.String("explode", "secret3")).Info("with")
	})
	require.Len(t, lines, 3)
	require.Equal(t, "kept", lines[0]["a"])
	require.Equal(t, "***", lines[0]["g"], "the top-level attr the redactor panicked in is masked whole")
	require.Equal(t, "kept too", lines[0]["c"])
	require.Equal(t, "***", lines[1]["msg"])
	require.Equal(t, "***", lines[1]["m"])
	require.Equal(t, "kept", lines[1]["d"])
	require.Equal(t, "***", lines[2]["explode"])
	require.Equal(t, uint64(4), st.RedactorErrors)
	require.Contains(t, diag, "a redactor panicked")
	require.Contains(t, diag, "field boom")
	require.Equal(t, uint64(3), st.Written)
}

func TestRedactGuardrailMaxDepth(t *testing.T) {
	// Nest n containers around a secret: maps inside, groups outside.
	nest := func(n int) slog.Attr {
		var v any = map[string]any{"leaf": "visible", "password": "s"}
		maps := max(1, n/2)
		for range maps - 1 {
			v = map[string]any{"d": v}
		}
		a := slog.Any("m", v)
		for range n - maps {
			a = slog.Group("g", a)
		}
		return a
	}
	depth := func(line string) int {
		d, most := 0, 0
		for _, c := range line {
			switch c {
			case '{', '[':
				d++
				most = max(most, d)
			case '}', ']':
				d--
			}
		}
		return most - 1 // the line's own object
	}
	cfg := Config{RedactMaxDepth: 6}
	for n := 1; n <= 10; n++ {
		lines, raw, st, diag := logged(t, cfg, func(l *SyncLogger) { l.Info("m", nest(n)) })
		require.Len(t, lines, 1)
		require.NotContains(t, raw, `"s"`, "n=%d", n)
		require.LessOrEqual(t, depth(raw), 6, "n=%d: %s", n, raw)
		if n <= 6 {
			require.Contains(t, raw, "visible", "n=%d", n)
			require.Zero(t, st.RedactionLimited)
		} else {
			require.NotContains(t, raw, "visible", "n=%d", n)
			require.Equal(t, uint64(1), st.RedactionLimited)
			require.Contains(t, diag, "RedactMaxDepth")
		}
	}
	// The default is 16: a 17-deep value is cut, counted, and WithGroup
	// scopes count too.
	lines, raw, st, _ := logged(t, Config{}, func(l *SyncLogger) {
		l.WithGroup("a").WithGroup("b").Info("m", nest(15))
		l.Info("m", nest(16))
	})
	require.Len(t, lines, 2)
	require.NotContains(t, raw, `"s"`)
	require.Equal(t, uint64(1), st.RedactionLimited)
	require.Contains(t, strings.Split(raw, "\n")[1], "visible")
	require.NotContains(t, strings.Split(raw, "\n")[0], "visible")
}

func TestRedactGuardrailMaxKeys(t *testing.T) {
	m := map[string]string{}
	for i := range 50 {
		m[strings.Repeat("k", i+1)] = "v"
	}
	cfg := Config{RedactMaxKeys: 20}
	lines, _, st, _ := logged(t, cfg, func(l *SyncLogger) {
		l.Info("few", slog.Int("a", 1), slog.Any("m", map[string]int{"b": 2}))
		l.Info("many", slog.Int("a", 1), slog.Any("m", m), slog.String("after", "x"), slog.Int("n", 3))
	})
	require.Equal(t, obj{"b": 2.0}, lines[0]["m"])
	require.Equal(t, uint64(1), st.RedactionLimited)
	got := lines[1]["m"].(obj)
	require.Len(t, got, 50, "keys are kept, values past the limit masked")
	masked := 0
	for _, v := range got {
		if v == "***" {
			masked++
		}
	}
	require.Equal(t, 50-18, masked, "a and m are keys 1 and 2; 18 map keys fit in 20")
	require.Equal(t, "***", lines[1]["after"])
	require.Equal(t, "***", lines[1]["n"], "fail closed: any value past the limit is masked")
	require.Equal(t, 1.0, lines[1]["a"])
}

func TestRedactInvalidRawJSONFailsClosed(t *testing.T) {
	rd := newRedaction(DefaultRedactors(), "***", 16, 1000)
	var st redactState
	for _, raw := range []string{`{"a":`, `{"a" 1}`, `[1,2`, `"unterminated`, `{"a":1}x`, `nope`, `[1,tru]`, `{"a":-}`, `{"a":"\q"}`, `{"k\u12":1}`} {
		st.begin(rd)
		out, changed := st.json(rawJSON(raw), 0)
		require.True(t, changed, raw)
		require.Equal(t, `"***"`, string(out), raw)
		require.True(t, st.limited, raw)
	}
}

func TestRedactJSONWalker(t *testing.T) {
	rd := newRedaction(append(DefaultRedactors(), RedactPatterns(EmailAddresses())), "***", 16, 1000)
	cases := map[string]string{
		`{"a":1,"b":[true,false,null,-1.5e3],"c":{"d":"x"}}`:     ``, // unchanged
		`{"pass\u0077ord":"x","k":"v"}`:                          `{"pass\u0077ord":"***","k":"v"}`,
		`{"u":"http://a:b\u0040c@h","e":"x\"y"}`:                 `{"u":"http://***@h","e":"x\"y"}`,
		`[{"token":{"deep":[1,2,{"x":"y"}]}},"mail bob@ex.com"]`: `[{"token":"***"},"mail ***"]`,
		` { "token" : "t" , "a" : [ ] } `:                        ` { "token" : "***" , "a" : [ ] } `,
		`"just a string with https://u:p@h"`:                     `"just a string with https://***@h"`,
		`{"k\n":"\u00e9\ud83d\ude00 carol@example.org"}`:         `{"k\n":"é😀 ***"}`,
		`{}`: ``, `[]`: ``, `""`: ``, `0`: ``,
		// A timestamp is passed over unread; a string that only starts like one is not.
		`["2026-01-01T12:00:00.5+05:30","2026-01-01T12:00:00Z token=x","2026-01-01 12:00:00 password=y"]`: `["2026-01-01T12:00:00.5+05:30","2026-01-01T12:00:00Z token=***","2026-01-01 12:00:00 password=***"]`,
		// Integers that may be card numbers, as an int attr would be.
		`[4111111111111111,4111111111111112,411111111111,-4111111111111111,4111111111111111.0]`: `["***",4111111111111112,411111111111,-4111111111111111,4111111111111111.0]`,
		`{"id":5555555555554444,"n":12345678901234567890123}`:                                   `{"id":"***","n":12345678901234567890123}`,
	}
	var st redactState
	for in, want := range cases {
		st.begin(rd)
		out, changed := st.json(rawJSON(in), 0)
		if want == "" {
			require.False(t, changed, in)
			require.Equal(t, in, string(out))
			continue
		}
		require.True(t, changed, in)
		require.Equal(t, want, string(out), in)
		require.True(t, json.Valid(out), in)
	}
}

func TestRedactNoMatchLeavesOutputAlone(t *testing.T) {
	type inner struct {
		A []int
		B map[string]any
	}
	attrs := []slog.Attr{
		slog.String("s", "plain \"quoted\" \u00e9 text"), slog.Int("i", 1), slog.Group("g", slog.Bool("b", true), slog.Group("", slog.Int("inl", 2))),
		slog.Any("v", inner{A: []int{1, 2}, B: map[string]any{"x": "y\n", "n": nil, "e": []any{}}}), slog.Any("err", errors.New("e")), {},
	}
	strip := func(raw string) string {
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(raw), "\n") {
			out = append(out, line[strings.Index(line, `"level"`):])
		}
		return strings.Join(out, "\n")
	}
	run := func(cfg Config) string {
		_, raw, _, _ := logged(t, cfg, func(l *SyncLogger) {
			l.With(attrs...).WithGroup("w").Info("msg", attrs...)
		})
		return strip(raw)
	}
	require.Equal(t, run(Config{Redactors: []Redactor{}}),
		run(Config{Redactors: append(DefaultRedactors(), RedactPatterns(CardNumbers(), EmailAddresses(), JWTs(), BearerTokens(), AWSAccessKeyIDs(), SSNs()))}))
}

func TestRedactCapturedAtCallTime(t *testing.T) {
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	l.Info("first")
	<-sink.entered // the worker is busy: the next record waits in the queue
	m := map[string]string{"password": "old", "note": "x"}
	l.Info("snap", slog.Any("m", m))
	m["password"] = "still secret"
	m["note"] = "https://u:changed@h"
	close(sink.gate)
	closeLogger(t, l)
	lines := sink.lines(t)
	require.Equal(t, obj{"password": "***", "note": "x"}, lines[1]["m"])
}

func TestRedactContextAttrs(t *testing.T) {
	// record.ctx is filled by the context integration; redaction sees it
	// as top-level attrs.
	p := testStages(t, Config{})
	shared := []slog.Attr{slog.String("token", "t"), slog.Group("req", slog.String("id", "1"), slog.String("cookie", "c"))}
	r := &record{level: slog.LevelInfo, msg: "m", scope: rootScope}
	r.ctx = append(r.ctx, shared...)
	line := string(p.appendRecord(nil, r))
	require.Contains(t, line, `"token":"***","req":{"id":"1","cookie":"***"}`)
	require.Equal(t, "c", shared[1].Value.Group()[1].Value.String(), "a group the record does not own is copied, not changed")
	require.Equal(t, "t", shared[0].Value.String())
}

func TestRedactZeroAllocsWhenNothingMatches(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	p := testStages(t, Config{Redactors: append(DefaultRedactors(), RedactPatterns(CardNumbers(), EmailAddresses(), JWTs(), BearerTokens(), AWSAccessKeyIDs(), SSNs()))})
	r := &record{level: slog.LevelInfo, msg: "order 1042 placed by ann at example.com", scope: rootScope.withGroup("g")}
	r.addAttrs([]slog.Attr{
		slog.String("s", "text with digits 12345 and a-dash and eyJ but no token"), slog.Int("i", 1),
		slog.Group("g", slog.String("k", "v"), slog.Any("m", map[string]any{"a": []any{"x\ty", 2, map[string]string{"k\"": "v"}}})),
	})
	var buf []byte
	allocs := testing.AllocsPerRun(100, func() { buf = p.appendRecord(buf[:0], r) })
	require.Zero(t, allocs)
	require.NotContains(t, string(buf), "***")
}

func TestRedactConfigErrors(t *testing.T) {
	for field, cfg := range map[string]Config{
		"Redactors":      {Redactors: []Redactor{nil}},
		"Enrichers":      {Enrichers: []Enricher{HostInfo(), nil}},
		"RedactMaxDepth": {RedactMaxDepth: -1},
		"RedactMaxKeys":  {RedactMaxKeys: -1},
	} {
		_, err := NewAsync(cfg)
		require.ErrorContains(t, err, "Config."+field)
	}
}

func TestRedactStatsBalanced(t *testing.T) {
	_, _, st, _ := logged(t, Config{}, func(l *SyncLogger) {
		l.Log(context.Background(), slog.LevelInfo, "m", slog.String("token", "x"))
	})
	require.Equal(t, uint64(1), st.Written)
	require.Zero(t, st.RedactorErrors+st.RedactionLimited+st.EnricherErrors)
}

func TestRedactFieldsCaseFolding(t *testing.T) {
	r := RedactFields("пароль", "clé", "Über", "x-api-key")
	for key, want := range map[string]bool{
		"ПАРОЛЬ": true, "Пароль": true, "CLÉ": true, "über": true, "X-API-KEY": true, "X-Api-Key": true,
		"парол": false, "cle": false, "uber": false, "x_api_key": false, "": false,
	} {
		require.Equal(t, want, r.MaskField([]string{"g", key}), "%q", key)
	}
	// Names whose cases differ in length in bytes are not matched (see
	// RedactFields): the Kelvin sign is three bytes, k one.
	require.False(t, r.MaskField([]string{"x-api-\u212aey"}))
}

// TestRedactConcurrentWith: With calls redact on their callers'
// goroutines while the worker redacts records (run it with -race).
func TestRedactConcurrentWith(t *testing.T) {
	cfg := Config{Redactors: append(DefaultRedactors(), RedactPatterns(EmailAddresses()))}
	lines, raw, _, _ := logged(t, cfg, func(l *SyncLogger) {
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 50 {
					l.With(slog.Any("m", map[string]string{"token": "t", "mail": "a@b.io"}), slog.Int("g", g)).
						AsAsync().Info("m", slog.String("password", "p"), slog.Int("i", i))
				}
			})
		}
		wg.Wait()
	})
	require.Len(t, lines, 200)
	require.NotContains(t, raw, `"t"`)
	require.NotContains(t, raw, `"p"`)
	require.NotContains(t, raw, "a@b.io")
}

// TestRedactionCoversEveryPath checks that context attrs, extractor attrs,
// slog handler children and facade children are all redacted, and card
// numbers logged as integers inside slices, maps and structs as well as
// alone.
func TestRedactionCoversEveryPath(t *testing.T) {
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}, ContextExtractors: []func(context.Context) []slog.Attr{
		func(context.Context) []slog.Attr { return []slog.Attr{slog.String("api_key", "extracted-secret")} },
	}})
	require.NoError(t, err)
	ctx := ContextWithAttrs(context.Background(), slog.String("token", "ctx-secret"))
	l.InfoContext(ctx, "facade", slog.String("password", "call-secret"))
	h := slog.New(l.Handler()).With("authorization", "with-secret").WithGroup("g")
	h.InfoContext(ctx, "slog", "cookie", "slog-secret", slog.Any("m", map[string]string{"Secret": "map-secret"}))
	l.With(slog.String("pwd", "facade-with-secret")).Info("child", slog.String("url", "postgres://u:url-secret@db/x"))
	const card = 4111111111111111
	l.Info("cards", slog.Int64("n", card), slog.Any("ids", []int64{card}), slog.Any("m", map[string]any{"v": card}),
		slog.Any("s", struct{ V uint64 }{card}))
	closeLogger(t, l)
	out := sink.String()
	require.Len(t, sink.lines(t), 4)
	for _, secret := range []string{"extracted-secret", "ctx-secret", "call-secret", "with-secret", "slog-secret", "map-secret", "facade-with-secret", "url-secret", "4111111111111111"} {
		require.NotContains(t, out, secret)
	}
	require.Contains(t, out, `"token":"***"`)
}
