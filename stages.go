package fapilog

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
)

// stages is the worker's work on each record between the queue and the
// sinks — enrich, redact, encode in each format in use — and the
// redaction of With context, which is encoded once when the child logger
// is made, so it is redacted then.
//
// A record is enriched and redacted once (begin), encoded once per format
// (encode), and accounted once (end). Fused, each encoding redacts as it
// goes, with the same verdicts; only the first format's are counted.
type stages struct {
	formats []Format     // the distinct formats of the sinks, in order
	fmts    []*formatter // one per format
	names   names
	static  []slog.Attr // the static enrichers' attrs, redacted
	dynamic []Enricher  // called for each record
	red     *redaction  // nil: redaction is off
	diag    *diagnostics

	// Owned by the worker's lock holder.
	st     redactState   // the record's; counted
	again  redactState   // a later format's fused redaction; not counted
	walk   bool          // redaction is on but not fused: walk each record first
	extra  []slog.Attr   // the dynamic enrichers' attrs for the current record
	ctx    []slog.Attr   // a record's context attrs, copied to be walked
	curCtx []slog.Attr   // the current record's context attrs
	uniq   *uniqueKeys   // non-nil: Config.UniqueKeys
	heads  [4]uniqueKeys // UniqueKeys: see heads
	tree   []slog.Attr   // UniqueKeys: a record's members, to deduplicate

	withStates sync.Pool // *redactState: With's, on callers' goroutines

	enricherErrors   atomic.Uint64
	redactorErrors   atomic.Uint64
	redactionLimited atomic.Uint64
}

// formatIndex is a format's index in stages.formats.
type formatIndex = int

// A formatter is the encoding of records in one format.
type formatter struct {
	head   *lineHead
	enc    encoder
	keys   keyCache
	msgs   msgCache
	static []byte // the static enrichers' attrs, encoded: `,"k":v…`
}

func newStages(set settings, diag *diagnostics) *stages {
	p := &stages{red: set.redaction, diag: diag, names: set.names, formats: set.formats}
	if len(p.formats) == 0 {
		p.formats = jsonOnly
	}
	for _, e := range set.enrichers {
		se, ok := e.(*staticEnricher)
		if !ok {
			p.dynamic = append(p.dynamic, e)
			continue
		}
		p.static = append(p.static, se.attrs...)
		if se.err != nil {
			p.enricherErrors.Add(1)
			diag.report("enrich", "an enricher left out some fields", se.err)
		}
	}
	if p.red != nil {
		var st redactState
		st.begin(p.red)
		st.attrs(p.static, nil)
		p.account(&st)
		p.walk = !p.red.fused()
	}
	if set.uniqueKeys {
		p.uniq = new(uniqueKeys)
		p.static = uniqueAttrs(p.static, 0)
		p.heads = heads(&p.names, p.static)
	}
	if p.red != nil {
		// The formats take turns: one pair of caches serves.
		fields, kv := new(verdictCache), new(verdictCache)
		p.st.verdicts, p.again.verdicts, p.st.kvVerdicts, p.again.kvVerdicts = fields, fields, kv, kv
	}
	for i, f := range p.formats {
		fm := &formatter{head: newLineHead(f, &p.names)}
		fm.enc = rootScope.encoder(f)
		fm.static, _ = fm.enc.appendAttrs(nil, p.static, true)
		fm.enc.h, fm.enc.fi, fm.enc.keys, fm.enc.msgs, fm.enc.st, fm.enc.uniq = fm.head, i, &fm.keys, &fm.msgs, &p.st, p.uniq
		fm.enc.slow = fm.enc.text || p.uniq != nil
		if i > 0 {
			fm.enc.st = &p.again
		}
		if f.kind == kindConsole {
			fm.enc.tail = make([]byte, 0, 256)
		}
		fm.keys.text = fm.enc.text
		if p.red != nil && !p.walk {
			fm.enc.red, fm.keys.red = p.red, p.red
		}
		p.fmts = append(p.fmts, fm)
	}
	return p
}

// appendRecord enriches, redacts and encodes r in the first format,
// appending its line to b.
// appendOwn appends r, a record the pipeline writes of its own (a
// summary), in format fi, as it is: no enrichment, no redaction. It uses
// an encoder of its own, so that a lane's goroutine may call it while
// the worker encodes.
func (p *stages) appendOwn(fi formatIndex, b []byte, r *record) []byte {
	e := rootScope.encoder(p.formats[fi])
	e.h, e.fi = p.fmts[fi].head, fi
	if e.console {
		e.tail = make([]byte, 0, 64)
	}
	return e.record(b, r, nil, nil, nil)
}

func (p *stages) appendRecord(b []byte, r *record) []byte {
	p.begin(r)
	b = p.encode(0, b, r)
	p.end()
	return b
}

// begin enriches r and, unless redaction is fused, redacts it.
func (p *stages) begin(r *record) {
	for _, e := range p.dynamic {
		p.extra = p.enrich(e, p.extra)
	}
	p.curCtx = r.ctx
	if p.red == nil {
		return
	}
	st := &p.st
	st.begin(p.red)
	if p.walk {
		st.attrs(p.extra, nil)
		// r.ctx may be ContextWithAttrs' slice, shared: walk a copy.
		p.ctx = append(p.ctx[:0], r.ctx...)
		p.curCtx = p.ctx
		st.attrs(p.curCtx, nil)
		st.attrs(r.attrs, r.scope.groups)
		r.msg = st.message(r.msg)
	}
}

// encode appends r's line in format fi to b; begin has run.
func (p *stages) encode(fi formatIndex, b []byte, r *record) []byte {
	fm := p.fmts[fi]
	e := &fm.enc
	if fi > 0 && e.red != nil {
		p.again.begin(p.red)
	}
	if p.uniq == nil {
		return e.record(b, r, fm.static, p.extra, p.curCtx)
	}
	u := p.uniq
	u.reset(head(&p.heads, r))
	start, msg := len(b), r.msg
	b = e.record(b, r, fm.static, p.extra, p.curCtx)
	if !u.dup {
		return b
	}
	r.msg = msg // as it was, not masked twice
	// A key repeats: encode the line again from its members, rid of the
	// earlier duplicates.
	if e.red != nil {
		e.st.begin(p.red)
	}
	e.tail = e.tail[:0:cap(e.tail)]
	top := append(p.tree[:0], p.static...)
	top = append(top, p.extra...)
	top = append(top, p.curCtx...)
	top = r.scope.nested(top, r.attrs)
	p.tree = top
	whole := *r
	whole.scope, whole.attrs = rootScope, nil
	e.uniq = nil
	b = e.record(b[:start], &whole, nil, nil, dropBuiltins(uniqueAttrs(top, 0), r, &p.names))
	e.uniq = u
	r.msg = whole.msg
	clear(p.tree)
	return b
}

// end accounts for what redacting the record ran into and clears what
// begin made.
func (p *stages) end() {
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
	p.curCtx = nil
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
		return sc.withAttrsIn(p.formats, p.uniq, nil, attrs)
	}
	// The scope keeps the attrs' encoding, not them: a few are captured
	// on the stack.
	var buf [8]slog.Attr
	attrs = appendCaptured(buf[:0], attrs...)
	st, _ := p.withStates.Get().(*redactState)
	if st == nil {
		// Keys' verdicts are cached as the worker's are: a service makes
		// its child loggers with the same few keys, over and over.
		st = &redactState{verdicts: new(verdictCache), kvVerdicts: new(verdictCache)}
	}
	defer p.withStates.Put(st)
	st.begin(p.red)
	if !p.walk && p.uniq == nil {
		// Redacted as encoded, in one pass, as the worker's records are.
		sc = sc.withAttrsIn(p.formats, nil, st, attrs)
		p.account(st)
		return sc
	}
	// The walk masks the copy in place.
	st.attrs(attrs, sc.groups)
	p.account(st)
	return sc.withAttrsIn(p.formats, p.uniq, nil, attrs)
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
