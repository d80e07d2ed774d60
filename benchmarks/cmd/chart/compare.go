package main

import (
	"fmt"
	"math"
)

// A metric is how a scenario is scored.
type metric struct {
	unit         string // the benchmark unit compared
	higherBetter bool
}

var (
	nsPerOp    = metric{unit: "ns/op"}
	recordsPer = metric{unit: "records/s", higherBetter: true}
	p99        = metric{unit: "p99-ns"}
)

// A comparison is one of our benchmarks against one of a peer's.
type comparison struct {
	label      string // what is compared, e.g. "caller cost vs zerolog"
	ours, peer string // benchmark names without "Benchmark" and -P
	goal       float64
}

// A scenario is a group of comparisons scored by one metric, with an
// optional absolute goal for our figure (lower is better).
type scenario struct {
	title   string
	metric  metric
	rows    []comparison
	absName string  // our benchmark held to absGoal
	absGoal float64 // in the metric's unit
}

// goals are the issue's: a ratio goal is the most our cost may be
// relative to the peer's (for throughput, the peer's rate over ours).
var scenarios = []scenario{
	callScenario("A message and 10 fields", "AddingFields", 0.5),
	callScenario("A message with 10 fields of context", "AccumulatedContext", 1),
	callScenario("A static message", "WithoutFields", 1),
	{
		title:  "Throughput to a file, 8 goroutines, 1M records",
		metric: recordsPer,
		rows: []comparison{
			{"async vs zerolog", "FileThroughput/fapilog.async", "FileThroughput/zerolog", 1 / 1.5},
			{"async vs zerolog + diode", "FileThroughput/fapilog.async", "FileThroughput/zerolog.diode", 0},
			{"async vs zap", "FileThroughput/fapilog.async", "FileThroughput/zap", 0.5},
			{"async vs zap + BufferedWriteSyncer", "FileThroughput/fapilog.async", "FileThroughput/zap.buffered", 0},
			{"async vs raw 64 KiB writes", "FileThroughput/fapilog.async", "FileThroughput/raw", 2},
			{"sync vs zerolog", "FileThroughput/fapilog.sync", "FileThroughput/zerolog", 0},
			{"sync vs zap", "FileThroughput/fapilog.sync", "FileThroughput/zap", 0},
		},
	},
	{
		title:  "Slow sink (1 ms per write), caller p99 latency",
		metric: p99,
		rows: []comparison{
			{"async vs zerolog", "SlowSink/fapilog.async", "SlowSink/zerolog", 0},
			{"async vs zerolog + diode", "SlowSink/fapilog.async", "SlowSink/zerolog.diode", 0},
			{"async vs zap", "SlowSink/fapilog.async", "SlowSink/zap", 0},
			{"async vs zap + BufferedWriteSyncer", "SlowSink/fapilog.async", "SlowSink/zap.buffered", 0},
			{"sync vs zerolog", "SlowSink/fapilog.sync", "SlowSink/zerolog", 0},
			{"sync vs zap", "SlowSink/fapilog.sync", "SlowSink/zap", 0},
		},
		absName: "SlowSink/fapilog.async",
		absGoal: 5000,
	},
	{
		title:  "Synchronous logging to a file, ns per record",
		metric: nsPerOp,
		rows: []comparison{
			{"8 goroutines: sync vs zerolog", "SyncGroupCommit/goroutines=8/fapilog.sync", "SyncGroupCommit/goroutines=8/zerolog", 0},
			{"8 goroutines: sync vs zap", "SyncGroupCommit/goroutines=8/fapilog.sync", "SyncGroupCommit/goroutines=8/zap", 0.25},
			{"1 goroutine: sync vs zerolog", "SyncGroupCommit/goroutines=1/fapilog.sync", "SyncGroupCommit/goroutines=1/zerolog", 0},
			{"1 goroutine: sync vs zap", "SyncGroupCommit/goroutines=1/fapilog.sync", "SyncGroupCommit/goroutines=1/zap", 0},
		},
	},
}

// callScenario is one of zap's three scenarios: our async face's caller
// cost and end-to-end time against zerolog's and zap's. The caller-cost
// goal is callerGoal; end to end the goal is to match zerolog.
func callScenario(title, bench string, callerGoal float64) scenario {
	row := func(mode, peer string, goal float64) comparison {
		return comparison{
			label: mode + " vs " + peer,
			ours:  bench + "/" + mode + "/fapilog.async",
			peer:  bench + "/" + mode + "/" + peer,
			goal:  goal,
		}
	}
	return scenario{
		title:  title + ", ns per call",
		metric: nsPerOp,
		rows: []comparison{
			row("caller", "zerolog", callerGoal),
			row("caller", "zap", 0),
			row("e2e", "zerolog", 1),
			row("e2e", "zap", 0),
		},
	}
}

// A result is a comparison's figures from one run.
type result struct {
	comparison
	ourValue, peerValue float64 // medians in the metric's unit
	ratio               float64 // our cost relative to the peer's: < 1 is a win
	peerDrops           float64 // the share of records the peer lost, in %
	ok                  bool    // both figures were in the run
}

// met reports whether the result meets its goal; false if it has none.
func (r result) met() bool { return r.ok && r.goal > 0 && r.ratio <= r.goal }

func (s scenario) results(rn *run) []result {
	var out []result
	for _, c := range s.rows {
		r := result{comparison: c}
		var okO, okP bool
		r.ourValue, okO = rn.median(c.ours, s.metric.unit)
		r.peerValue, okP = rn.median(c.peer, s.metric.unit)
		r.ok = okO && okP && r.ourValue > 0 && r.peerValue > 0
		if r.ok {
			r.ratio = r.ourValue / r.peerValue
			if s.metric.higherBetter {
				r.ratio = r.peerValue / r.ourValue
			}
		}
		r.peerDrops, _ = rn.median(c.peer, "dropped-%")
		out = append(out, r)
	}
	return out
}

// verdict says the ratio in words: "2.1× better", "3.4× worse", "even".
func verdict(ratio float64) string {
	switch {
	case math.Abs(ratio-1) < 0.05:
		return "even"
	case ratio < 1:
		return factor(1/ratio) + " better"
	default:
		return factor(ratio) + " worse"
	}
}

// factor writes f with two significant digits, without an exponent.
func factor(f float64) string {
	if f >= 100 {
		return fmt.Sprintf("%.0f×", f)
	}
	return fmt.Sprintf("%.2g×", f)
}

// goalText says the goal and whether it is met.
func goalText(r result) string {
	if r.goal == 0 || !r.ok {
		return ""
	}
	return fmt.Sprintf("goal ≤ %.2g×: %s", r.goal, metWord(r.met()))
}

// format writes v in the metric's unit, scaled for reading.
func (m metric) format(v float64) string {
	if m.higherBetter {
		switch {
		case v >= 1e6:
			return fmt.Sprintf("%.3g M/s", v/1e6)
		case v >= 1e3:
			return fmt.Sprintf("%.3g k/s", v/1e3)
		}
		return fmt.Sprintf("%.3g /s", v)
	}
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3g ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3g µs", v/1e3)
	}
	return fmt.Sprintf("%.3g ns", v)
}
