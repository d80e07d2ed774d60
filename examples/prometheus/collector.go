package main

import (
	"github.com/prometheus/client_golang/prometheus"

	fapilog "github.com/fapilog/fapilog-go"
)

// A Collector exports a fapilog pipeline's Stats as Prometheus metrics:
// its counts as counters, its queue as gauges. Stats is read once per
// scrape; fapilog itself needs no Prometheus dependency.
type Collector struct {
	src     fapilog.StatsSource
	metrics []statMetric
	sinks   []sinkMetric
	latency *prometheus.Desc
}

// sinkMetric is one per-sink metric (label "sink") and how to read it.
type sinkMetric struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(fapilog.SinkStats) float64
}

// statMetric is one metric and how to read it from Stats.
type statMetric struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(fapilog.Stats) float64
}

// NewCollector returns a Collector of src's Stats whose metrics carry
// labels (say, the pipeline's name; nil for none).
func NewCollector(src fapilog.StatsSource, labels prometheus.Labels) *Collector {
	c := &Collector{src: src}
	add := func(name, help string, kind prometheus.ValueType, value func(fapilog.Stats) float64) {
		c.metrics = append(c.metrics, statMetric{prometheus.NewDesc(name, help, nil, labels), kind, value})
	}
	counter := func(name, help string, value func(fapilog.Stats) uint64) {
		add(name, help, prometheus.CounterValue, func(s fapilog.Stats) float64 { return float64(value(s)) })
	}
	gauge := func(name, help string, value func(fapilog.Stats) int) {
		add(name, help, prometheus.GaugeValue, func(s fapilog.Stats) float64 { return float64(value(s)) })
	}
	counter("fapilog_records_submitted_total", "Records that passed the level check.", func(s fapilog.Stats) uint64 { return s.Submitted })
	counter("fapilog_records_written_total", "Records every sink accepted.", func(s fapilog.Stats) uint64 { return s.Written })
	counter("fapilog_records_dropped_total", "Records dropped: queue full or closed, or abandoned by Close.", func(s fapilog.Stats) uint64 { return s.Dropped })
	counter("fapilog_records_failed_total", "Records in batches a sink failed.", func(s fapilog.Stats) uint64 { return s.Failed })
	counter("fapilog_records_sampled_total", "Records sampling dropped on the caller.", func(s fapilog.Stats) uint64 { return s.Sampled })
	counter("fapilog_records_deduped_total", "Records suppressed as repeats.", func(s fapilog.Stats) uint64 { return s.Deduped })
	counter("fapilog_records_truncated_total", "Records replaced because they encoded too large.", func(s fapilog.Stats) uint64 { return s.Truncated })
	counter("fapilog_batches_total", "Batches handed to the sinks.", func(s fapilog.Stats) uint64 { return s.Batches })
	counter("fapilog_enricher_errors_total", "Enricher panics and failures.", func(s fapilog.Stats) uint64 { return s.EnricherErrors })
	counter("fapilog_redactor_errors_total", "Redactor panics.", func(s fapilog.Stats) uint64 { return s.RedactorErrors })
	counter("fapilog_redaction_limited_total", "Records and With calls masked whole past the redaction limits.", func(s fapilog.Stats) uint64 { return s.RedactionLimited })
	gauge("fapilog_queue_length", "Records queued now.", func(s fapilog.Stats) int { return s.QueueLen })
	gauge("fapilog_queue_capacity", "Capacity of the queue.", func(s fapilog.Stats) int { return s.QueueCap })
	gauge("fapilog_queue_high_water", "Most records seen queued at once.", func(s fapilog.Stats) int { return s.QueueHighWater })
	counter("fapilog_summaries_total", "Records the pipeline wrote of its own (drop, sampling, repeat summaries).", func(s fapilog.Stats) uint64 { return s.Summaries })

	perSink := func(name, help string, kind prometheus.ValueType, value func(fapilog.SinkStats) float64) {
		c.sinks = append(c.sinks, sinkMetric{prometheus.NewDesc(name, help, []string{"sink"}, labels), kind, value})
	}
	perSink("fapilog_sink_records_written_total", "Records the sink accepted.", prometheus.CounterValue, func(s fapilog.SinkStats) float64 { return float64(s.Written) })
	perSink("fapilog_sink_records_failed_total", "Records in batches the sink failed.", prometheus.CounterValue, func(s fapilog.SinkStats) float64 { return float64(s.Failed) })
	perSink("fapilog_sink_records_dropped_total", "Records the sink never got.", prometheus.CounterValue, func(s fapilog.SinkStats) float64 { return float64(s.Dropped) })
	perSink("fapilog_sink_buffer_length", "Records waiting for the sink now.", prometheus.GaugeValue, func(s fapilog.SinkStats) float64 { return float64(s.BufferLen) })
	c.latency = prometheus.NewDesc("fapilog_sink_write_seconds", "How long the sink's batch writes took.", []string{"sink"}, labels)
	return c
}

// Describe sends every metric's description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range c.metrics {
		ch <- m.desc
	}
	for _, m := range c.sinks {
		ch <- m.desc
	}
	ch <- c.latency
}

// Collect reads Stats once and sends every metric.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	st := c.src.Stats()
	for _, m := range c.metrics {
		ch <- prometheus.MustNewConstMetric(m.desc, m.kind, m.value(st))
	}
	for _, s := range st.Sinks {
		for _, m := range c.sinks {
			ch <- prometheus.MustNewConstMetric(m.desc, m.kind, m.value(s), s.Name)
		}
		ch <- latencyHistogram(c.latency, s.WriteLatency, s.Name)
	}
}

// latencyHistogram turns a fapilog.Latency into a Prometheus histogram,
// whose buckets count cumulatively.
func latencyHistogram(desc *prometheus.Desc, l fapilog.Latency, sink string) prometheus.Metric {
	buckets := make(map[float64]uint64, len(fapilog.LatencyBounds))
	var cum uint64
	for i, bound := range fapilog.LatencyBounds {
		cum += l.Buckets[i]
		buckets[bound.Seconds()] = cum
	}
	return prometheus.MustNewConstHistogram(desc, l.Count, l.Sum.Seconds(), buckets, sink)
}
