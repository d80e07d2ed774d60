package fapilog

import (
	"fmt"
	"log/slog"
	"sync/atomic"
)

// stages is the worker's work on each record between the queue and the
// sinks — enrich, redact, encode — and the redaction of With context,
// which is encoded once when the child logger is made, so it is redacted
// then.
type stages struct {
	static  []byte     // the static enrichers' attrs, redacted and encoded once: `,"k":v…`
	dynamic []Enricher // called for each record
	red     *redaction // nil: redaction is off
	diag    *diagnostics

	// Owned by the worker's lock holder.
	enc   encoder
	keys  keyCache
	st    redactState
	walk  bool        // redaction is on but not fused: walk each record first
	extra []slog.Attr // the dynamic enrichers' attrs for the current record
	ctx   []slog.Attr // a record's context attrs, copied to be walked

	enricherErrors   atomic.Uint64
	redactorErrors   atomic.Uint64
	redactionLimited atomic.Uint64
}

func newStages(set settings, diag *diagnostics) *stages {
	p := &stages{red: set.redaction, diag: diag}
	var attrs []slog.Attr
	for _, e := range set.enrichers {
		se, ok := e.(*staticEnricher)
		if !ok {
			p.dynamic = append(p.dynamic, e)
			continue
		}
		attrs = append(attrs, se.attrs...)
		if se.err != nil {
			p.enricherErrors.Add(1)
			diag.report("enrich", "an enricher left out some fields", se.err)
		}
	}
	if p.red != nil {
		var st redactState
		st.begin(p.red)
		st.attrs(attrs, nil)
		p.account(&st)
	}
	p.static, _ = appendAttrs(nil, attrs, true)
	p.enc = encoder{keys: &p.keys, st: &p.st}
	if p.red != nil {
		if p.red.fused() {
			p.enc.red = p.red
			p.keys.red = p.red
		} else {
			p.walk = true
		}
	}
	return p
}

// appendRecord enriches, redacts and encodes r, appending its line to b.
func (p *stages) appendRecord(b []byte, r *record) []byte {
	for _, e := range p.dynamic {
		p.extra = p.enrich(e, p.extra)
	}
	ctx := r.ctx
	if p.red != nil {
		st := &p.st
		st.begin(p.red)
		if p.walk {
			st.attrs(p.extra, nil)
			// r.ctx may be ContextWithAttrs' slice, shared: walk a copy.
			p.ctx = append(p.ctx[:0], ctx...)
			ctx = p.ctx
			st.attrs(ctx, nil)
			st.attrs(r.attrs, r.scope.groups)
			r.msg = st.message(r.msg)
		}
	}
	b = p.enc.record(b, r, p.static, p.extra, ctx)
	if p.red != nil {
		p.account(&p.st)
	}
	if len(p.extra) > 0 {
		clear(p.extra)
		p.extra = p.extra[:0]
	}
	if len(p.ctx) > 0 {
		clear(p.ctx)
		p.ctx = p.ctx[:0]
	}
	return b
}

// enrich appends e's attrs to dst. If e panics, they are left out and the
// panic is counted and reported.
func (p *stages) enrich(e Enricher, dst []slog.Attr) (out []slog.Attr) {
	n := len(dst)
	defer func() {
		if r := recover(); r != nil {
			out = dst[:n]
			p.enricherErrors.Add(1)
			p.diag.report("enrich", fmt.Sprintf("enricher %T panicked; the record is written without its fields", e), fmt.Errorf("%v", r))
		}
	}()
	return e.Enrich(dst)
}

// withAttrs returns the child of sc that holds attrs, redacted. Values
// are captured first, so that redaction sees inside slog.Any values.
func (p *stages) withAttrs(sc *scope, attrs []slog.Attr) *scope {
	if p.red == nil || len(attrs) == 0 {
		return sc.withAttrs(attrs)
	}
	attrs = capturedAttrs(attrs)
	var st redactState
	st.begin(p.red)
	st.attrs(attrs, sc.groups)
	p.account(&st)
	return sc.withAttrs(attrs)
}

// account counts and reports what a redaction walk ran into.
func (p *stages) account(st *redactState) {
	if st.limited {
		p.redactionLimited.Add(1)
		p.diag.report("redact", "values nested deeper than RedactMaxDepth, past RedactMaxKeys, or unreadable were masked", nil)
	}
	if st.failures > 0 {
		p.redactorErrors.Add(uint64(st.failures))
		p.diag.report("redact", "a redactor panicked; the value it was looking at was masked", fmt.Errorf("%v", st.failure))
		st.failure = nil
	}
}
