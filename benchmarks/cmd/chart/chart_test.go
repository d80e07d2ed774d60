package main

import (
	"encoding/xml"
	"io"
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

func TestResults(t *testing.T) {
	rn := sampleRun(t)
	r := scenarios[0].results(rn)[0] // caller: async vs zerolog, goal 0.5
	if !r.ok || r.ratio != 0.4 || !r.met() {
		t.Errorf("caller vs zerolog: %+v", r)
	}
	if missing := scenarios[0].results(rn)[1]; missing.ok || missing.met() {
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
	if got := verdict(2.5); got != "2.5× worse" {
		t.Errorf("verdict(2.5) = %q", got)
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
	for _, want := range []string{"caller: async vs zerolog", "200 ns", "500 ns", "2.5× better", "goal ≤ 0.5×: met", "it dropped 96%", "slow sink · async p99 < 5 µs | 3.12 µs | – | – | met", "10 fields · caller: async vs zerolog ≤ 0.5× | 200 ns | 500 ns | 2.5× better | met", "– | – | not in this run"} {
		if !strings.Contains(string(table), want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if err := chart(filepath.Join(dir, "missing.txt"), svg, md); err == nil {
		t.Error("chart of a missing file succeeded")
	}
}
