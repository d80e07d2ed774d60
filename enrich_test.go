package fapilog

import (
	"errors"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStaticAttrs(t *testing.T) {
	m := map[string]int{"a": 1}
	e := StaticAttrs(slog.String("team", "payments"), slog.Any("m", m), slog.Group("build", slog.Int("n", 7)))
	m["a"] = 2 // captured when the enricher was made
	lines, raw, st, _ := logged(t, Config{Enrichers: []Enricher{e}}, func(l *SyncLogger) {
		l.Info("one", slog.Int("x", 1))
		l.WithGroup("g").With(slog.Int("w", 2)).Info("two", slog.Int("x", 3))
	})
	require.Len(t, lines, 2)
	for _, line := range lines {
		require.Equal(t, "payments", line["team"])
		require.Equal(t, obj{"a": 1.0}, line["m"])
		require.Equal(t, obj{"n": 7.0}, line["build"])
	}
	require.Equal(t, obj{"w": 2.0, "x": 3.0}, lines[1]["g"], "enrichment stays at the top level, outside WithGroup")
	first := strings.Split(raw, "\n")[0]
	require.Contains(t, first, `"msg":"one","team":"payments","m":{"a":1},"build":{"n":7},"x":1}`, "after msg, before the record's attrs")
	require.Zero(t, st.EnricherErrors)
}

func TestServiceInfo(t *testing.T) {
	t.Setenv("FAPILOG_SERVICE", "env-svc")
	t.Setenv("FAPILOG_ENV", "staging")
	t.Setenv("FAPILOG_VERSION", "")
	got := loggedOne(t, Config{Enrichers: []Enricher{ServiceInfo("", "", "")}})
	require.Equal(t, obj{"service": "env-svc", "env": "staging"}, got, "empty falls back to the environment; still empty is left out")
	got = loggedOne(t, Config{Enrichers: []Enricher{ServiceInfo("checkout", "prod", "1.4.2")}})
	require.Equal(t, obj{"service": "checkout", "env": "prod", "version": "1.4.2"}, got, "arguments win over the environment")
}

func TestHostAndRuntimeInfo(t *testing.T) {
	host, err := os.Hostname()
	require.NoError(t, err)
	got := loggedOne(t, Config{Enrichers: []Enricher{HostInfo(), RuntimeInfo()}})
	require.Equal(t, obj{
		"host": host, "pid": float64(os.Getpid()),
		"go_version": runtime.Version(), "goos": runtime.GOOS, "goarch": runtime.GOARCH,
	}, got)
}

func TestKubernetesInfo(t *testing.T) {
	for _, v := range []string{"POD_NAME", "POD_NAMESPACE", "NODE_NAME", "CONTAINER_NAME"} {
		t.Setenv(v, "")
	}
	require.Empty(t, loggedOne(t, Config{Enrichers: []Enricher{KubernetesInfo()}}), "all unset: no group")
	t.Setenv("POD_NAME", "api-7d9f")
	t.Setenv("POD_NAMESPACE", "shop")
	t.Setenv("CONTAINER_NAME", "api")
	got := loggedOne(t, Config{Enrichers: []Enricher{KubernetesInfo()}})
	require.Equal(t, obj{"k8s": obj{"pod": "api-7d9f", "namespace": "shop", "container": "api"}}, got)
}

func TestEnrichersRunBeforeRedaction(t *testing.T) {
	dyn := enricherFunc(func(dst []slog.Attr) []slog.Attr {
		return append(dst, slog.String("access_token", "t"), slog.Any("cfg", map[string]string{"dsn": "pg://u:p@h/db"}))
	})
	got := loggedOne(t, Config{Enrichers: []Enricher{StaticAttrs(slog.String("api_key", "k"), slog.String("ok", "v")), dyn}})
	require.Equal(t, obj{"api_key": "***", "ok": "v", "access_token": "***", "cfg": obj{"dsn": "pg://***@h/db"}}, got)
}

// enricherFunc is an Enricher of your own: called for every record.
type enricherFunc func(dst []slog.Attr) []slog.Attr

func (f enricherFunc) Enrich(dst []slog.Attr) []slog.Attr { return f(dst) }

func TestDynamicEnricherRunsPerRecord(t *testing.T) {
	var n atomic.Int64
	seq := enricherFunc(func(dst []slog.Attr) []slog.Attr { return append(dst, slog.Int64("seq", n.Add(1))) })
	for _, redactors := range [][]Redactor{nil, {}} { // with and without redaction
		n.Store(0)
		lines, _, _, _ := logged(t, Config{Enrichers: []Enricher{ServiceInfo("svc", "", ""), seq}, Redactors: redactors}, func(l *SyncLogger) {
			for range 3 {
				l.Info("m", slog.Int("x", 1))
			}
		})
		require.Len(t, lines, 3)
		for i, line := range lines {
			require.Equal(t, float64(i+1), line["seq"])
			require.Equal(t, "svc", line["service"])
			require.Equal(t, 1.0, line["x"])
		}
	}
}

func TestPanickingEnricherIsContained(t *testing.T) {
	var calls atomic.Int64
	flaky := enricherFunc(func(dst []slog.Attr) []slog.Attr {
		dst = append(dst, slog.String("half", "written"))
		if calls.Add(1)%2 == 1 {
			panic("enricher boom")
		}
		return dst
	})
	after := enricherFunc(func(dst []slog.Attr) []slog.Attr { return append(dst, slog.String("after", "ok")) })
	cfg := Config{Enrichers: []Enricher{StaticAttrs(slog.String("static", "s")), flaky, after}}
	lines, _, st, diag := logged(t, cfg, func(l *SyncLogger) {
		l.With(slog.String("w", "c")).Info("first", slog.Int("x", 1))
		l.Info("second", slog.Int("x", 2))
	})
	require.Len(t, lines, 2)
	require.Equal(t, uint64(2), st.Written, "the record goes on")
	require.Equal(t, uint64(1), st.EnricherErrors)
	require.Contains(t, diag, "enricher boom")
	require.Contains(t, diag, `"component":"enrich"`)
	first := lines[0]
	require.NotContains(t, first, "half", "the panicking enricher's fields are left out")
	for k, v := range map[string]any{"msg": "first", "static": "s", "after": "ok", "w": "c", "x": 1.0} {
		require.Equal(t, v, first[k], "every other field is kept: %s", k)
	}
	require.Equal(t, "written", lines[1]["half"])
	require.Equal(t, "ok", lines[1]["after"])
}

func TestStaticEnricherErrorIsReported(t *testing.T) {
	e := &staticEnricher{attrs: []slog.Attr{slog.Int("pid", 1)}, err: errors.New("no hostname")}
	got := loggedOne(t, Config{Enrichers: []Enricher{e}})
	require.Equal(t, obj{"pid": 1.0}, got)
	_, _, st, diag := logged(t, Config{Enrichers: []Enricher{e}}, func(*SyncLogger) {})
	require.Equal(t, uint64(1), st.EnricherErrors)
	require.Contains(t, diag, "no hostname")
}

func TestStaticEnrichmentIsEncodedOnce(t *testing.T) {
	p := testStages(t, Config{Enrichers: []Enricher{ServiceInfo("svc", "prod", "1"), RuntimeInfo()}})
	require.Empty(t, p.dynamic)
	require.Equal(t, `,"service":"svc","env":"prod","version":"1","go_version":"`+runtime.Version()+`","goos":"`+runtime.GOOS+`","goarch":"`+runtime.GOARCH+`"`, string(p.fmts[0].static))
	if raceEnabled {
		return
	}
	r := &record{level: slog.LevelInfo, msg: "m", scope: rootScope}
	var buf []byte
	require.Zero(t, testing.AllocsPerRun(100, func() { buf = p.appendRecord(buf[:0], r) }))
}
