package fapilog

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"
)

// Backpressure says what a log call does when the queue is full.
type Backpressure int

const (
	// DropNewest drops the new record and counts it in Stats.Dropped.
	// The caller never waits. It is the default.
	DropNewest Backpressure = iota
	// Block makes the caller wait for room, up to Config.BlockTimeout,
	// then drops and counts the record.
	Block
)

// String returns "DropNewest" or "Block".
func (b Backpressure) String() string {
	switch b {
	case DropNewest:
		return "DropNewest"
	case Block:
		return "Block"
	}
	return fmt.Sprintf("Backpressure(%d)", int(b))
}

// Defaults for the zero values of Config.
const (
	DefaultQueueSize    = 16384
	DefaultBatchSize    = 256
	DefaultBlockTimeout = time.Second
	// DefaultMaxRecordBytes is the largest encoded record written as is.
	DefaultMaxRecordBytes = 256 << 10
	// MinMaxRecordBytes is the smallest MaxRecordBytes: the length of the
	// line that replaces a too-large record with an empty msg, a time
	// with nanoseconds and a zone offset, a level named in up to seven
	// characters ("ERROR+3") and a 19-digit original_bytes. A longer
	// level name may exceed it; a source that does not fit is left out.
	MinMaxRecordBytes = 128
	// DefaultExitTimeout bounds how long Fatal waits for the pipeline to
	// close before it exits.
	DefaultExitTimeout = 5 * time.Second
	// DefaultShedAt is the queue fill fraction above which records below
	// Config.ShedBelow are shed.
	DefaultShedAt = 0.8
	maxQueueSize  = 1 << 30
)

// Config configures a logger. The zero Config is ready to use: JSON lines
// to os.Stdout at slog.LevelInfo, the default queue and batch sizes,
// dropping new records when the queue is full, secrets masked by the
// Credentials preset.
type Config struct {
	// Level is the minimum level logged; nil means slog.LevelInfo.
	// A *slog.LevelVar changes it while the logger runs.
	Level slog.Leveler
	// Sinks receive every batch; nil means one sink writing JSON lines to
	// os.Stdout. An empty non-nil slice is an error, and so is a nil
	// element (a typed nil such as a (*T)(nil) too). Each sink has its
	// own buffer and goroutine: see SinkOptions, WithOptions and MinLevel.
	// A lone sink that takes bytes at memory speed (an in-memory writer)
	// is written by the worker itself.
	Sinks []Sink
	// Fallback receives, already redacted, every batch a sink fails on
	// (after the sink's own retries, if it has any); nil means JSON lines
	// to os.Stderr. A failing fallback is contained and counted in
	// Stats.FallbackFailed. It is called for one sink at a time.
	Fallback Sink
	// QueueSize is the ring capacity, rounded up to a power of two;
	// 0 means DefaultQueueSize. Each slot keeps its record's attr buffer
	// for the next record (up to 64 attrs): with ten-attr records a
	// default-sized pipeline holds about 12 MB once every slot has been
	// used, memory that every GC cycle marks. A smaller queue costs a
	// program that allocates much less GC work and absorbs shorter bursts.
	QueueSize int
	// BatchSize is the most records handed to a sink in one write;
	// 0 means DefaultBatchSize.
	BatchSize int
	// Backpressure is what a full queue does to a new record;
	// the default is DropNewest.
	Backpressure Backpressure
	// BlockTimeout is the longest a call waits for room under Block (or
	// for a protected record); 0 means DefaultBlockTimeout, negative
	// means no limit.
	BlockTimeout time.Duration
	// ProtectedLevel: records at or above it wait for room like Block under
	// either policy; nil means slog.LevelError.
	ProtectedLevel slog.Leveler
	// AddSource records the caller's function, file and line as "source".
	AddSource bool
	// Diagnostics receives the logger's own errors (failing sinks, dropped
	// records) as rate-limited JSON lines; nil means os.Stderr.
	Diagnostics io.Writer
	// ContextExtractors pull attrs out of the context of each log call
	// (say, a trace id an OpenTelemetry span carries), after the attrs
	// ContextWithAttrs put there. They run on the caller's goroutine for
	// every record that passes the level check, so they should be cheap;
	// what they return is copied. One that panics is skipped for that
	// record and reported to Diagnostics. nil means none.
	ContextExtractors []func(ctx context.Context) []slog.Attr
	// Enrichers add attrs to every record, at the top level after the
	// message; none by default. See Enricher.
	Enrichers []Enricher
	// Redactors mask secrets before anything is encoded; nil means
	// DefaultRedactors() (the Credentials preset), an empty non-nil slice
	// turns redaction off. See Redactor.
	Redactors []Redactor
	// RedactMask replaces what the redactors mask; "" means DefaultMask.
	RedactMask string
	// RedactMaxDepth is the deepest nesting of groups, objects and arrays
	// that redaction scans; deeper values are masked whole. 0 means
	// DefaultRedactMaxDepth.
	RedactMaxDepth int
	// RedactMaxKeys is the most keys redaction scans in one record (or
	// one With call); the values after them are masked whole. 0 means
	// DefaultRedactMaxKeys.
	RedactMaxKeys int
	// MaxRecordBytes bounds an encoded record, newline included; 0 means
	// DefaultMaxRecordBytes. A larger record is replaced by one that keeps its time,
	// level, source (if it fits) and as much of its msg as fits, and says
	// "truncated":true,"original_bytes":N. It is counted in
	// Stats.Truncated and written like any other record. It must be at
	// least MinMaxRecordBytes, so that the replacement fits.
	MaxRecordBytes int
	// DropSummaryEvery is the least time between two drop summaries in a
	// sink's stream: while records are dropped, each sink gets, ahead of
	// what waits for it, a WARN record DropSummaryMsg with "dropped" (since
	// its previous summary), "dropped_by_level", "reasons" ("queue":
	// the queue was full or closed, "shed", "sink": its buffer was full)
	// and "dropped_total"; and once more at Close if anything was dropped
	// since. A summary is never dropped for want of room and is counted
	// in Stats.Summaries, not Submitted. 0 means DefaultDropSummaryEvery,
	// negative turns them off.
	DropSummaryEvery time.Duration
	// Fields renames the built-in fields (time, level, msg, source) and
	// chooses the time encoding and level names, in every format; nil
	// keeps slog's. GoogleCloudLogging() and ElasticECS() are presets.
	Fields *FieldNames
	// UniqueKeys, when set, makes sure that no line holds two members of
	// one object with the same key: the later one wins, at every group
	// depth, With context and call attrs alike, and the built-in fields
	// win over attrs named like them. It costs little when no key repeats.
	UniqueKeys bool
	// ExitTimeout bounds how long Fatal waits for queued records to be
	// written and the sinks closed before it exits; 0 means
	// DefaultExitTimeout, negative means no limit.
	ExitTimeout time.Duration
	// SyncLevel: records at or above it wait for their write on the
	// AsyncLogger too, as on a SyncLogger; nil means LevelFatal. Set it to
	// slog.LevelError to have every error durable before the call
	// returns, at the price of a sync call (the batch write, and the
	// sinks' WriteBatch, on the caller's time) for each of them. Levels
	// below it pay one comparison.
	SyncLevel slog.Leveler
	// ShedBelow: when the queue holds more than ShedAt of its capacity,
	// records below this level are dropped at once (counted in
	// Stats.Dropped and Stats.Shed) so that the room left goes to more
	// important ones. nil means slog.LevelWarn under DropNewest and no
	// shedding under Block. Records at or above ProtectedLevel are never
	// shed.
	ShedBelow slog.Leveler
	// ShedAt is the queue fill fraction, in (0, 1], above which records
	// below ShedBelow are shed; 0 means DefaultShedAt, negative turns
	// shedding off.
	ShedAt float64
	// Levels sets levels by logger name (see Named), as
	// "info,http=debug,db.pool=warn": a logger takes the level of the
	// longest prefix of its name, on '.' boundaries, that the spec names;
	// the bare level, if given, is the default and replaces Level.
	// Entries are comma-separated; names and levels are case-insensitive;
	// levels are log/slog's names with an optional offset ("debug-4",
	// "ERROR+2"). The environment variable FAPILOG_LEVEL, when set,
	// replaces Levels; SetLevels replaces both at run time. "" means
	// Level for every logger.
	Levels string
	// Sampling, if set, samples out repeated records on the caller and
	// counts them in Stats.Sampled; nil means off. See Sampling.
	Sampling *Sampling
	// DedupeWindow, if positive, suppresses a record whose level, message
	// and attrs (everything but its time) repeat one written less than
	// DedupeWindow ago, and counts it in Stats.Deduped; when the window
	// closes, a record RepeatedMsg says how many were suppressed. 0 means
	// off.
	DedupeWindow time.Duration
}

// settings is a validated Config with its defaults filled in.
type settings struct {
	level            slog.Leveler
	protected        slog.Leveler
	sinks            []sinkConfig
	fallback         Sink
	queueSize        int
	batchSize        int
	block            bool
	blockTimeout     time.Duration // < 0: no limit
	addSource        bool
	diagnostics      io.Writer
	extractors       []func(context.Context) []slog.Attr
	enrichers        []Enricher
	redaction        *redaction // nil: off
	maxRecord        int
	names            names
	formats          []Format // the distinct formats of sinks, in order
	sinkFormats      []int    // sinkFormats[i] is the index of sinks[i]'s format
	uniqueKeys       bool
	exitTimeout      time.Duration // < 0: no limit
	dropSummaryEvery time.Duration // < 0: off
	syncLevel        threshold
	shed             shedPolicy
	levels           *levelSpec
	sampler          *sampler // nil: off
	dedupeWindow     time.Duration
}

// configError names the Config field that is wrong.
func configError(field string, format string, args ...any) error {
	return fmt.Errorf("fapilog: Config.%s: %s", field, fmt.Sprintf(format, args...))
}

func (c Config) settings() (s settings, err error) {
	s = settings{
		level:        c.Level,
		protected:    c.ProtectedLevel,
		fallback:     c.Fallback,
		queueSize:    c.QueueSize,
		batchSize:    c.BatchSize,
		blockTimeout: c.BlockTimeout,
		addSource:    c.AddSource,
		diagnostics:  c.Diagnostics,
		extractors:   append([]func(context.Context) []slog.Attr(nil), c.ContextExtractors...),
		maxRecord:    c.MaxRecordBytes,
		uniqueKeys:   c.UniqueKeys,
		enrichers:    append([]Enricher(nil), c.Enrichers...),
	}
	for _, step := range []func(*settings) error{c.queueSettings, c.sinkSettings, c.funcSettings, c.controlSettings, c.redactionSettings} {
		if err = step(&s); err != nil {
			return s, err
		}
	}
	return s, nil
}

// queueSettings checks and fills in the queue's and the records' bounds
// and the backpressure policy.
func (c Config) queueSettings(s *settings) error {
	switch c.Backpressure {
	case DropNewest:
	case Block:
		s.block = true
	default:
		return configError("Backpressure", "unknown value %d", int(c.Backpressure))
	}
	switch {
	case s.queueSize == 0:
		s.queueSize = DefaultQueueSize
	case s.queueSize < 0 || s.queueSize > maxQueueSize:
		return configError("QueueSize", "%d is outside 0..%d", s.queueSize, maxQueueSize)
	}
	switch {
	case s.batchSize == 0:
		s.batchSize = DefaultBatchSize
	case s.batchSize < 0:
		return configError("BatchSize", "%d is negative", s.batchSize)
	}
	switch {
	case s.maxRecord == 0:
		s.maxRecord = DefaultMaxRecordBytes
	case s.maxRecord < MinMaxRecordBytes:
		return configError("MaxRecordBytes", "%d is below the minimum, %d, that holds a truncated record", s.maxRecord, MinMaxRecordBytes)
	}
	if s.blockTimeout == 0 {
		s.blockTimeout = DefaultBlockTimeout
	}
	return nil
}

// sinkSettings checks the sinks and the fallback, and finds the distinct
// formats the sinks use.
func (c Config) sinkSettings(s *settings) (err error) {
	sinks := c.Sinks
	if sinks == nil {
		sinks = []Sink{NewWriterSink(os.Stdout)}
	} else if len(sinks) == 0 {
		return configError("Sinks", "empty; use nil for the default stdout sink")
	}
	if s.sinks, err = sinkConfigs(sinks); err != nil {
		return err
	}
	switch {
	case s.fallback == nil:
		s.fallback = NewWriterSink(os.Stderr)
	case isNil(s.fallback):
		return configError("Fallback", "a nil %T", s.fallback)
	}
	for _, sc := range s.sinks {
		f := sinkFormat(sc.sink)
		i := slices.Index(s.formats, f)
		if i < 0 {
			i = len(s.formats)
			s.formats = append(s.formats, f)
		}
		s.sinkFormats = append(s.sinkFormats, i)
	}
	s.names, err = c.Fields.resolve()
	if s.diagnostics == nil {
		s.diagnostics = os.Stderr
	}
	return err
}

// funcSettings checks the functions and interfaces Config holds lists of.
func (c Config) funcSettings(s *settings) error {
	for i, f := range s.extractors {
		if f == nil {
			return configError("ContextExtractors", "element %d is nil", i)
		}
	}
	for i, e := range s.enrichers {
		if e == nil {
			return configError("Enrichers", "element %d is nil", i)
		}
	}
	return nil
}

// controlSettings fills in the levels, exit, overload and sampling
// settings.
func (c Config) controlSettings(s *settings) (err error) {
	if s.level == nil {
		s.level = slog.LevelInfo
	}
	if s.protected == nil {
		s.protected = slog.LevelError
	}
	if s.exitTimeout = c.ExitTimeout; s.exitTimeout == 0 {
		s.exitTimeout = DefaultExitTimeout
	}
	if s.dropSummaryEvery = c.DropSummaryEvery; s.dropSummaryEvery == 0 {
		s.dropSummaryEvery = DefaultDropSummaryEvery
	}
	s.syncLevel = newThreshold(c.SyncLevel, LevelFatal)
	if s.shed, err = c.shedPolicy(s.protected); err != nil {
		return err
	}
	if s.levels, err = parseLevels(c.Levels); err != nil {
		return configError("Levels", "%v", err)
	}
	if c.Sampling != nil {
		if s.sampler, err = newSampler(c.Sampling); err != nil {
			return err
		}
	}
	if s.dedupeWindow = c.DedupeWindow; s.dedupeWindow < 0 {
		return configError("DedupeWindow", "%v is negative", s.dedupeWindow)
	}
	return nil
}

// redactionSettings checks the redactors and their guardrails and
// compiles them.
func (c Config) redactionSettings(s *settings) error {
	redactors := c.Redactors
	if redactors == nil {
		redactors = DefaultRedactors()
	}
	for i, r := range redactors {
		if r == nil {
			return configError("Redactors", "element %d is nil", i)
		}
	}
	mask, depth, keys := c.RedactMask, c.RedactMaxDepth, c.RedactMaxKeys
	if mask == "" {
		mask = DefaultMask
	}
	switch {
	case depth == 0:
		depth = DefaultRedactMaxDepth
	case depth < 0:
		return configError("RedactMaxDepth", "%d is negative", depth)
	}
	switch {
	case keys == 0:
		keys = DefaultRedactMaxKeys
	case keys < 0:
		return configError("RedactMaxKeys", "%d is negative", keys)
	}
	s.redaction = newRedaction(redactors, mask, depth, keys)
	return nil
}
