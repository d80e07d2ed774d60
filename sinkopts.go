package fapilog

import (
	"fmt"
	"log/slog"
	"reflect"
)

// DefaultSinkBuffer is the most records waiting for one sink when
// SinkOptions.Buffer is 0.
const DefaultSinkBuffer = 8192

// SinkOptions are the pipeline's settings for one sink, set with
// WithOptions. Each sink has its own bounded buffer and its own
// goroutine, so that a slow or failing sink holds back no other.
type SinkOptions struct {
	// Name names the sink in Stats and Diagnostics. "" means the sink's
	// String method, if it has one, else its type and its position in
	// Config.Sinks.
	Name string
	// Level is the least level the sink receives, on top of
	// Config.Level; nil means every record logged. A *slog.LevelVar
	// changes it live.
	Level slog.Leveler
	// Buffer is the most records waiting for the sink; 0 means
	// DefaultSinkBuffer. A batch larger than Buffer is taken whole when
	// nothing else waits.
	Buffer int
	// Backpressure says what a full buffer does to a new batch:
	// SinkFollowsLogger (the default) does what Config.Backpressure says,
	// SinkDropNewest drops the batch for this sink alone, and SinkBlock
	// makes the worker wait for room, which holds back every other sink
	// too. Records at or above Config.ProtectedLevel always wait.
	Backpressure SinkBackpressure
}

// SinkBackpressure says what a sink's full buffer does to a new batch.
type SinkBackpressure int

const (
	// SinkFollowsLogger drops under DropNewest and waits under Block.
	SinkFollowsLogger SinkBackpressure = iota
	// SinkDropNewest drops the batch for this sink, counted in its
	// SinkStats.Dropped.
	SinkDropNewest
	// SinkBlock makes the worker wait for room.
	SinkBlock
)

// WithOptions returns s with opts. Fields of opts that are zero leave
// what s already had (if s came from WithOptions or MinLevel) as it was.
func WithOptions(s Sink, opts SinkOptions) Sink {
	if o, ok := s.(*optionsSink); ok {
		merged := o.opts
		if opts.Name != "" {
			merged.Name = opts.Name
		}
		if opts.Level != nil {
			merged.Level = opts.Level
		}
		if opts.Buffer != 0 {
			merged.Buffer = opts.Buffer
		}
		if opts.Backpressure != SinkFollowsLogger {
			merged.Backpressure = opts.Backpressure
		}
		return &optionsSink{o.Sink, merged}
	}
	return &optionsSink{s, opts}
}

// MinLevel returns s receiving only records at or above level: errors to
// a pager, everything to a file. A *slog.LevelVar changes it live.
func MinLevel(level slog.Leveler, s Sink) Sink {
	return WithOptions(s, SinkOptions{Level: level})
}

// optionsSink is a Sink with its SinkOptions. The pipeline takes it apart;
// used directly, it filters by level itself.
type optionsSink struct {
	Sink
	opts SinkOptions
}

// WriteBatch writes the records of b at or above the sink's level.
func (s *optionsSink) WriteBatch(b *Batch) error {
	if s.opts.Level == nil {
		return s.Sink.WriteBatch(b)
	}
	min := s.opts.Level.Level()
	var kept Batch
	for i := range b.Len() {
		if b.Level(i) >= min {
			kept.buf = append(kept.buf, b.Record(i)...)
			kept.commit(b.Time(i), b.Level(i))
		}
	}
	if kept.Len() == 0 {
		return nil
	}
	return s.Sink.WriteBatch(&kept)
}

// sinkConfig is one sink of Config.Sinks, unwrapped and named.
type sinkConfig struct {
	sink Sink
	name string
	opts SinkOptions
}

// sinkConfigs checks and unwraps sinks. A nil sink, or a typed nil such
// as a (*T)(nil), is an error naming its position.
func sinkConfigs(sinks []Sink) ([]sinkConfig, error) {
	var out []sinkConfig
	for i, s := range sinks {
		var opts SinkOptions
		if o, ok := s.(*optionsSink); ok {
			s, opts = o.Sink, o.opts
		}
		if isNil(s) {
			return nil, configError("Sinks", "element %d is a nil %T", i, s)
		}
		switch {
		case opts.Buffer == 0:
			opts.Buffer = DefaultSinkBuffer
		case opts.Buffer < 0:
			return nil, configError("Sinks", "element %d: SinkOptions.Buffer %d is negative", i, opts.Buffer)
		}
		if opts.Backpressure < SinkFollowsLogger || opts.Backpressure > SinkBlock {
			return nil, configError("Sinks", "element %d: unknown SinkOptions.Backpressure %d", i, opts.Backpressure)
		}
		name := opts.Name
		if name == "" {
			name = sinkName(s, i)
		}
		out = append(out, sinkConfig{sink: s, name: name, opts: opts})
	}
	return out, nil
}

// sinkName is s's String(), or its type and position.
func sinkName(s Sink, i int) string {
	if st, ok := s.(fmt.Stringer); ok {
		if name := safeString(st); name != "" {
			return name
		}
	}
	return fmt.Sprintf("%T#%d", s, i)
}

// safeString is st.String(), or "" if it panics.
func safeString(st fmt.Stringer) (s string) {
	defer func() {
		if recover() != nil {
			s = ""
		}
	}()
	return st.String()
}

// isNil reports whether s is nil or holds a nil pointer, map, slice,
// channel or func.
func isNil(s any) bool {
	if s == nil {
		return true
	}
	switch v := reflect.ValueOf(s); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Func, reflect.Interface:
		return v.IsNil()
	}
	return false
}
