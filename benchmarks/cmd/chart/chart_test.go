package main

import (
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `date: 2026-11-26T21:00Z
cpu: Test CPU
BenchmarkAddingFields/caller/zerolog-2   	 100	      400 ns/op	 184 B/op	 11 allocs/op
BenchmarkAddingFields/caller/zerolog-2   	 100	      600 ns/op	 184 B/op	 11 allocs/op
BenchmarkAddingFields/caller/fapilog.async-2 	 100	      100 ns/op	 256.0 records/write	 0 B/op	 0 allocs/op
BenchmarkAddingFields/caller/fapilog.async-2 	 100	      300 ns/op	 256.0 records/write	 0 B/op	 0 allocs/op
BenchmarkFileThroughput/fapilog.async-2   	 1	 1000 ns/op	 2000000 records/s
BenchmarkFileThroughput/zerolog.diode-2   	 1	 1000 ns/op	 96.00 dropped-%	 500000 records/s
BenchmarkSlowSink/fapilog.async-2   	 1	 1000 ns/op	 190.0 p50-ns	 3124 p99-ns	 13951 p99.9-ns
BenchmarkTenAttrs/caller/zerolog-2   	 1000	 360 ns/op	 0 B/op	 0 allocs/op
BenchmarkTenAttrs/caller/fapilog.async-2   	 1000	 120 ns/op	 0 dropped	 0 B/op	 0 allocs/op
BenchmarkTenAttrs/e2e/zerolog-2   	 1000	 360 ns/op	 0 B/op	 0 allocs/op
BenchmarkTenAttrs/e2e/slog-2   	 1000	 1500 ns/op	 224 B/op	 3 allocs/op
BenchmarkTenAttrs/e2e/fapilog.async-2   	 1000	 300 ns/op	 0 dropped	 0 B/op	 0 allocs/op
BenchmarkTenAttrs/parallel/zerolog-2   	 1000	 200 ns/op	 0 B/op	 0 allocs/op
BenchmarkTenAttrs/parallel/fapilog.async-2   	 1000	 400 ns/op	 0 dropped	 0 B/op	 0 allocs/op
BenchmarkTenAttrs/sync/zap-2   	 1000	 900 ns/op	 704 B/op	 1 allocs/op
BenchmarkTenAttrs/sync/fapilog.sync-2   	 1000	 300 ns/op	 0 dropped	 0 B/op	 0 allocs/op
BenchmarkTenAttrs/funcvalue/e2e/zerolog-2   	 1000	 450 ns/op	 112 B/op	 1 allocs/op
BenchmarkTenAttrs/funcvalue/e2e/fapilog.async-2   	 1000	 396 ns/op	 0 dropped	 416 B/op	 1 allocs/op
not a result line
PASS
`

func sampleRun(t *testing.T) *run {
	t.Helper()
	rn, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	return rn
}

func TestParseMedians(t *testing.T) {
	rn := sampleRun(t)
	for _, c := range []struct {
		name, unit string
		want       float64
	}{
		{"AddingFields/caller/zerolog", "ns/op", 500},
		{"AddingFields/caller/fapilog.async", "ns/op", 200},
		{"AddingFields/caller/fapilog.async", "records/write", 256},
		{"FileThroughput/zerolog.diode", "dropped-%", 96},
		{"SlowSink/fapilog.async", "p99-ns", 3124},
	} {
		if got, ok := rn.median(c.name, c.unit); !ok || got != c.want {
			t.Errorf("median(%s, %s) = %v, %v; want %v", c.name, c.unit, got, ok, c.want)
		}
	}
	if rn.config["cpu"] != "Test CPU" || rn.count() != 2 {
		t.Errorf("config %v, count %d", rn.config, rn.count())
	}
}

// scenarioNamed returns the scenario whose short title is short.
func scenarioNamed(t *testing.T, short string) scenario {
	t.Helper()
	for _, s := range scenarios {
		if s.short == short {
			return s
		}
	}
	t.Fatalf("no scenario %q", short)
	return scenario{}
}

func TestResults(t *testing.T) {
	rn := sampleRun(t)
	fields := scenarioNamed(t, "10 fields").results(rn)
	r := fields[0] // caller: async vs zerolog, goal 0.5
	if !r.ok || r.ratio != 0.4 || !r.met() {
		t.Errorf("caller vs zerolog: %+v", r)
	}
	if missing := fields[1]; missing.ok || missing.met() {
		t.Errorf("caller vs zap has no figures but got %+v", missing)
	}
	var file scenario
	for _, s := range scenarios {
		if s.metric == recordsPer {
			file = s
		}
	}
	for _, r := range file.results(rn) {
		if !r.ok || !strings.Contains(r.peer, "diode") {
			continue
		}
		// Throughput: higher is better, so the ratio is theirs over ours.
		if r.ratio != 0.25 || r.peerDrops != 96 || verdict(r.ratio) != "4× better" {
			t.Errorf("vs diode: %+v, %s", r, verdict(r.ratio))
		}
	}
	// The goals in zap's scenarios and the file's: e2e at most
	// zerolog's, and at least half the raw write rate.
	for _, c := range []struct{ short, label string }{
		{"10 fields", "e2e: async vs zerolog"},
		{"static message", "e2e: async vs zerolog"},
	} {
		if g := goalOf(t, c.short, c.label); g != 1 {
			t.Errorf("%s · %s: goal %v, want 1", c.short, c.label, g)
		}
	}
	if g := goalOf(t, "file, 8 goroutines", "async vs raw 64 KiB writes"); g != 2 {
		t.Errorf("file vs raw: goal %v, want 2 (≥ 50%% of raw)", g)
	}
	if got := verdict(2.5); got != "2.5× worse" {
		t.Errorf("verdict(2.5) = %q", got)
	}
}

// goalOf returns the goal of the comparison labelled label in scenario
// short.
func goalOf(t *testing.T, short, label string) float64 {
	t.Helper()
	for _, c := range scenarioNamed(t, short).rows {
		if c.label == label {
			return c.goal
		}
	}
	t.Fatalf("%s has no comparison %q", short, label)
	return 0
}

// TestTenAttrs checks the hot path's rows: each goal against the right
// benchmarks, and the func-value row held to zerolog's direct call.
func TestTenAttrs(t *testing.T) {
	rn := sampleRun(t)
	want := map[string]struct {
		goal, ratio float64
		met         bool
	}{
		"caller: async vs zerolog":                        {0.5, 120.0 / 360, true},
		"e2e: async vs zerolog":                           {0.8, 300.0 / 360, false},
		"e2e: async vs slog.JSONHandler":                  {0, 300.0 / 1500, false},
		"RunParallel: async vs zerolog":                   {1.5, 2, false},
		"sync vs zap":                                     {0.5, 300.0 / 900, true},
		"func value, e2e: async vs zerolog's direct call": {1, 396.0 / 360, false},
		"func value, e2e: async vs zerolog":               {0, 396.0 / 450, false},
	}
	seen := 0
	for _, r := range scenarioNamed(t, "ten attrs").results(rn) {
		w, ok := want[r.label]
		if !ok {
			if r.ok {
				t.Errorf("%s: figures %+v for a row the sample lacks", r.label, r)
			}
			continue
		}
		seen++
		if !r.ok || r.goal != w.goal || math.Abs(r.ratio-w.ratio) > 1e-9 || r.met() != w.met {
			t.Errorf("%s: %+v; want goal %v, ratio %v, met %v", r.label, r, w.goal, w.ratio, w.met)
		}
	}
	if seen != len(want) {
		t.Errorf("saw %d of the %d rows", seen, len(want))
	}
}

func TestChartWritesValidSVGAndTable(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "run.txt")
	if err := os.WriteFile(in, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	svg, md := filepath.Join(dir, "c.svg"), filepath.Join(dir, "t.md")
	if err := chart(in, svg, md); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(svg)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	texts := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "text" {
			texts++
		}
	}
	if texts < 10 {
		t.Errorf("SVG has %d text elements", texts)
	}
	table, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"caller: async vs zerolog", "200 ns", "500 ns", "2.5× better", "goal ≤ 0.5×: met", "it dropped 96%", "slow sink · async p99 < 5 µs | 3.12 µs | – | – | met", "10 fields · caller: async vs zerolog ≤ 0.5× | 200 ns | 500 ns | 2.5× better | met", "– | – | not in this run",
		"ten attrs · caller: async vs zerolog ≤ 0.5× | 120 ns | 360 ns | 3× better | met",
		"ten attrs · e2e: async vs zerolog ≤ 0.8× | 300 ns | 360 ns | 1.2× better | missed",
		"ten attrs · RunParallel: async vs zerolog ≤ 1.5× | 400 ns | 200 ns | 2× worse | missed",
		"ten attrs · sync vs zap ≤ 0.5× | 300 ns | 900 ns | 3× better | met",
		"ten attrs · func value, e2e: async vs zerolog's direct call ≤ 1× | 396 ns | 360 ns | 1.1× worse | missed",
		"static message · e2e: async vs zerolog ≤ 1× | – | – | not in this run | missed",
		"file, 8 goroutines · async vs raw 64 KiB writes ≤ 2×"} {
		if !strings.Contains(string(table), want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if err := chart(filepath.Join(dir, "missing.txt"), svg, md); err == nil {
		t.Error("chart of a missing file succeeded")
	}
}
