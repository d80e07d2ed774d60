package main

import (
	"fmt"
	"math"
	"slices"
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
	label      string // what is compared, e.g. "caller: async vs zerolog"
	ours, peer string // benchmark names without "Benchmark" and -P
	goal       float64
}

// A scenario is a group of comparisons scored by one metric, with an
// optional absolute goal for our figure (lower is better).
type scenario struct {
	title   string
	short   string // the title in a few words
	metric  metric
	rows    []comparison
	absName string  // our benchmark held to absGoal
	absGoal float64 // in the metric's unit
}

// goals are the issues': a ratio goal is the most our cost may be
// relative to the peer's (for throughput, the peer's rate over ours, so
// that "≥ 50% of raw" is a goal of 2×).
var scenarios = []scenario{
	tenScenario(),
	callScenario("A message and 10 fields", "10 fields", "AddingFields", 0.5, 1),
	callScenario("A message with 10 fields of context", "10 fields of context", "AccumulatedContext", 1, 1),
	callScenario("A static message", "static message", "WithoutFields", 1, 1),
	callScenario("A request's child logger (With two fields) and its record", "child logger", "ChildLogger", 0, 0),
	{
		title:  "Throughput to a file, 8 goroutines, 1M records",
		short:  "file, 8 goroutines",
		metric: recordsPer,
		rows: slices.Concat(
			against("", "FileThroughput", "async",
				peer{"zerolog", 1 / 1.5}, peer{"zerolog.diode", 0}, peer{"zap", 0.5},
				peer{"zap.buffered", 0}, peer{"raw", 2}),
			against("", "FileThroughput", "sync", peer{"zerolog", 0}, peer{"zap", 0}),
		),
	},
	{
		title:  "Slow sink (1 ms per write), caller p99 latency",
		short:  "slow sink",
		metric: p99,
		rows: slices.Concat(
			against("", "SlowSink", "async",
				peer{"zerolog", 0}, peer{"zerolog.diode", 0}, peer{"zap", 0}, peer{"zap.buffered", 0}),
			against("", "SlowSink", "sync", peer{"zerolog", 0}, peer{"zap", 0}),
		),
		absName: "SlowSink/fapilog.async",
		absGoal: 5000,
	},
	{
		title:  "Synchronous logging to a file, ns per record",
		short:  "sync to a file",
		metric: nsPerOp,
		rows: slices.Concat(
			against("8 goroutines: ", "SyncGroupCommit/goroutines=8", "sync", peer{"zerolog", 0}, peer{"zap", 0.25}),
			against("1 goroutine: ", "SyncGroupCommit/goroutines=1", "sync", peer{"zerolog", 0}, peer{"zap", 0}),
		),
	},
}

// A peer is a peer's benchmark and the goal for ours against it (0: none).
type peer struct {
	name string
	goal float64
}

// peerLabels name the peers whose benchmark names are not plain.
var peerLabels = map[string]string{
	"zerolog.diode": "zerolog + diode",
	"zap.buffered":  "zap + BufferedWriteSyncer",
	"raw":           "raw 64 KiB writes",
	"slog":          "slog.JSONHandler",
}

// against compares our face (the benchmark bench/fapilog.face) with each
// peer's (bench/peer); every label starts with how.
func against(how, bench, face string, peers ...peer) []comparison {
	var out []comparison
	for _, p := range peers {
		label := peerLabels[p.name]
		if label == "" {
			label = p.name
		}
		out = append(out, comparison{
			label: how + face + " vs " + label,
			ours:  bench + "/fapilog." + face,
			peer:  bench + "/" + p.name,
			goal:  p.goal,
		})
	}
	return out
}

// callScenario is one of benchCalls' scenarios (zap's three and the
// child logger): our async face's caller cost and end-to-end time against
// zerolog's and zap's, with goals against zerolog of callerGoal and
// e2eGoal (0: none), and the same face behind log/slog against slog's
// JSONHandler end to end.
func callScenario(title, short, bench string, callerGoal, e2eGoal float64) scenario {
	return scenario{
		title:  title + ", ns per call",
		short:  short,
		metric: nsPerOp,
		rows: slices.Concat(
			against("caller: ", bench+"/caller", "async", peer{"zerolog", callerGoal}, peer{"zap", 0}),
			against("e2e: ", bench+"/e2e", "async", peer{"zerolog", e2eGoal}, peer{"zap", 0}),
			against("behind log/slog, e2e: ", bench+"/e2e", "slog", peer{"slog", 0}),
		),
	}
}

// tenScenario is the hot path's record, ten primitive attrs, in every
// row of BenchmarkTenAttrs. Through a func value the goal is zerolog's
// direct call, the cost an application pays today; the same row against
// zerolog through a func value is shown beside it.
func tenScenario() scenario {
	const bench = "TenAttrs/"
	return scenario{
		title:  "Ten primitive attrs, ns per call",
		short:  "ten attrs",
		metric: nsPerOp,
		rows: slices.Concat(
			against("caller: ", bench+"caller", "async", peer{"zerolog", 0.5}, peer{"zap", 0}),
			against("e2e: ", bench+"e2e", "async", peer{"zerolog", 0.8}, peer{"zap", 0}, peer{"slog", 0}),
			against("behind log/slog, e2e: ", bench+"e2e", "slog", peer{"slog", 0}),
			against("RunParallel: ", bench+"parallel", "async", peer{"zerolog", 1.5}, peer{"zap", 0}),
			against("", bench+"sync", "sync", peer{"zap", 0.5}, peer{"zerolog", 0}),
			[]comparison{{
				label: "func value, e2e: async vs zerolog's direct call",
				ours:  bench + "funcvalue/e2e/fapilog.async",
				peer:  bench + "e2e/zerolog",
				goal:  1,
			}},
			against("func value, e2e: ", bench+"funcvalue/e2e", "async", peer{"zerolog", 0}, peer{"zap", 0}),
			against("func value, RunParallel: ", bench+"funcvalue/parallel", "async", peer{"zerolog", 0}, peer{"zap", 0}),
		),
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
	units := [...]string{"ns", "µs", "ms"}
	if m.higherBetter {
		units = [...]string{"/s", "k/s", "M/s"}
	}
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3g %s", v/1e6, units[2])
	case v >= 1e3:
		return fmt.Sprintf("%.3g %s", v/1e3, units[1])
	}
	return fmt.Sprintf("%.3g %s", v, units[0])
}
