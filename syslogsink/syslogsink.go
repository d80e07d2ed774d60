// Package syslogsink ships log records to a syslog server (rsyslog,
// syslog-ng, journald's /dev/log) as RFC 5424 messages whose MSG is the
// record's JSON line.
package syslogsink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/internal/ship"
)

// Delivery sets retries and the circuit breaker; see the fields' comments
// for the defaults. The syslog sink has no spool: SpoolDir must be empty.
type Delivery = ship.Delivery

// Stats are the sink's counters; see Sink.Stats.
type Stats = ship.Stats

// A Facility is a syslog facility, 0..23 (RFC 5424 section 6.2.1).
type Facility int

// The facilities a program usually logs to.
const (
	User   Facility = 1
	Daemon Facility = 3
	Local0 Facility = 16
	Local1 Facility = 17
	Local2 Facility = 18
	Local3 Facility = 19
	Local4 Facility = 20
	Local5 Facility = 21
	Local6 Facility = 22
	Local7 Facility = 23
)

// DefaultMaxDatagram is the default Options.MaxDatagram: the size RFC
// 5424 (section 6.1) says every receiver SHOULD accept. rsyslog accepts
// 8 KiB by default; raise it to match your relay, keeping in mind that a
// datagram over the path's MTU is fragmented and more easily lost.
const DefaultMaxDatagram = 2048

// Options configure a Sink. The zero value is usable.
type Options struct {
	// Facility of every message; 0 means User (the kernel facility cannot
	// be chosen).
	Facility Facility
	// Hostname, AppName and ProcID fill the header fields of the same
	// names; defaults: os.Hostname(), the program's base name and its pid.
	// Spaces and other characters not allowed there become '_'.
	Hostname string
	AppName  string
	ProcID   string
	// MsgID and StructuredData fill those fields; default "-" (none).
	// StructuredData must be "-" or RFC 5424 SD-ELEMENTs ("[id k=\"v\"]").
	MsgID          string
	StructuredData string
	// MaxDatagram bounds a message over udp and unixgram (default
	// DefaultMaxDatagram, at least 480). A longer record is replaced by a
	// shorter JSON object: its time, level, start of msg, "truncated":true
	// and "original_bytes"; it is never split.
	MaxDatagram int
	// Timeout bounds each dial and each write; default 5s.
	Timeout time.Duration
	Delivery

	hooks ship.Config // tests: clock, sleep, jitter
}

// A Sink sends each record as one syslog message: over udp and unixgram
// one datagram each, over tcp and unix (stream) with octet-counting
// framing (RFC 6587). A stream connection that broke, or that the server
// closed (found before each batch), is dialed again, with backoff, and
// the batch is sent again whole on the new connection. Its methods follow
// fapilog.Sink: never called concurrently, except Interrupt and Stats.
type Sink struct {
	network, addr string
	stream        bool
	maxDatagram   int
	timeout       time.Duration
	facility      int
	header        string // " HOSTNAME APP-NAME PROCID MSGID SD "

	conn   net.Conn
	dialed bool
	buf    []byte
	ends   []int // datagram ends in buf
	sender *ship.Sender
}

var _ fapilog.Sink = (*Sink)(nil)

// New returns a Sink sending to addr over network: "udp", "tcp" (also
// "udp4", "tcp6"...) with a host:port, or "unix", "unixgram" with a
// socket path such as /dev/log. It does not connect yet.
func New(network, addr string, opts Options) (*Sink, error) {
	s := &Sink{network: network, addr: addr, maxDatagram: ship.Or(opts.MaxDatagram, DefaultMaxDatagram)}
	switch network {
	case "tcp", "tcp4", "tcp6", "unix":
		s.stream = true
	case "udp", "udp4", "udp6", "unixgram":
	default:
		return nil, fmt.Errorf("syslogsink: network %q: want udp, tcp, unix or unixgram", network)
	}
	switch {
	case addr == "":
		return nil, errors.New("syslogsink: empty address")
	case opts.Facility < 0 || opts.Facility > 23:
		return nil, fmt.Errorf("syslogsink: facility %d: want 0..23", opts.Facility)
	case s.maxDatagram < 480:
		return nil, fmt.Errorf("syslogsink: MaxDatagram %d: want at least 480", s.maxDatagram)
	case opts.Timeout < 0:
		return nil, errors.New("syslogsink: negative Timeout")
	case opts.SpoolDir != "":
		return nil, errors.New("syslogsink: no spool: SpoolDir must be empty")
	case !validSD(ship.Or(opts.StructuredData, "-")):
		return nil, fmt.Errorf("syslogsink: StructuredData %q: want - or SD-ELEMENTs such as [id param=\"value\"]", opts.StructuredData)
	}
	s.facility = int(ship.Or(opts.Facility, User))
	s.timeout = ship.Or(opts.Timeout, 5*time.Second)
	host := opts.Hostname
	if host == "" {
		host, _ = os.Hostname()
	}
	s.header = " " + field(host, 255) + " " +
		field(ship.Or(opts.AppName, filepath.Base(os.Args[0])), 48) + " " +
		field(ship.Or(opts.ProcID, strconv.Itoa(os.Getpid())), 128) + " " +
		field(opts.MsgID, 32) + " " + ship.Or(opts.StructuredData, "-") + " "
	cfg := opts.hooks
	cfg.Delivery = opts.Delivery
	var err error
	if s.sender, err = ship.NewSender(cfg, s.attempt); err != nil {
		return nil, fmt.Errorf("syslogsink: %w", err)
	}
	return s, nil
}

// field returns v fit for a header field: printable ASCII without spaces,
// at most n bytes, "-" if empty.
func field(v string, n int) string {
	if v == "" {
		return "-"
	}
	b := []byte(v[:min(len(v), n)])
	for i, c := range b {
		if c <= ' ' || c > '~' {
			b[i] = '_'
		}
	}
	return string(b)
}

// validSD checks the shape of STRUCTURED-DATA: "-" or bracketed elements
// whose quoted values escape '"', '\' and ']'.
func validSD(sd string) bool {
	if sd == "-" {
		return true
	}
	if len(sd) < 3 || sd[0] != '[' || sd[len(sd)-1] != ']' {
		return false
	}
	in, quoted := false, false
	for i := 0; i < len(sd); i++ {
		c := sd[i]
		switch {
		case quoted && c == '\\':
			i++
		case c == '"' && in:
			quoted = !quoted
		case quoted:
		case c == '[':
			if in {
				return false
			}
			in = true
		case c == ']':
			if !in {
				return false
			}
			in = false
		case !in:
			return false
		}
	}
	return !in && !quoted
}

// Severity returns the syslog severity of a slog level: Debug 7, Info 6,
// Warn 4, Error 3, above Error 2 (critical).
func Severity(l slog.Level) int {
	switch {
	case l > slog.LevelError:
		return 2
	case l >= slog.LevelError:
		return 3
	case l >= slog.LevelWarn:
		return 4
	case l >= slog.LevelInfo:
		return 6
	}
	return 7
}

// WriteBatch sends every record of b. It returns once they are written to
// the connection, or an error if they failed (retries exhausted, breaker
// open, interrupted).
func (s *Sink) WriteBatch(b *fapilog.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	s.buf, s.ends = s.buf[:0], s.ends[:0]
	truncated := 0
	for i := range b.Len() {
		start := len(s.buf)
		if s.stream {
			s.buf = append(s.buf, "0000000000 "...) // length, filled below
		}
		msgAt := len(s.buf)
		s.buf = s.appendMessage(s.buf, b, i)
		if !s.stream && len(s.buf)-msgAt > s.maxDatagram {
			s.buf = s.buf[:msgAt]
			s.buf = s.appendTruncated(s.buf, b, i)
			truncated++
		}
		if s.stream {
			// Octet counting: "LEN SP MSG"; LEN has no leading zeros, so
			// the message is moved left over the unused digits.
			n := strconv.Itoa(len(s.buf) - msgAt)
			pad := 10 - len(n)
			copy(s.buf[start+pad:], n)
			s.buf = append(s.buf[:start], s.buf[start+pad:]...)
		}
		s.ends = append(s.ends, len(s.buf))
	}
	s.sender.CountTruncated(truncated)
	return s.sender.Send(&ship.Payload{Body: s.buf, Records: b.Len()})
}

// appendMessage appends record i of b as an RFC 5424 message.
func (s *Sink) appendMessage(dst []byte, b *fapilog.Batch, i int) []byte {
	dst = s.appendHeader(dst, b, i)
	return append(dst, bytes.TrimSuffix(b.Record(i), []byte("\n"))...)
}

func (s *Sink) appendHeader(dst []byte, b *fapilog.Batch, i int) []byte {
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(s.facility*8+Severity(b.Level(i))), 10)
	dst = append(dst, ">1 "...)
	if t := b.Time(i); t.IsZero() {
		dst = append(dst, '-')
	} else {
		// RFC 5424 allows at most six digits of fractional seconds.
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05.999999Z07:00")
	}
	return append(dst, s.header...)
}

// appendTruncated appends a message for record i of b that fits a
// datagram: `{"time":…,"level":…,"msg":<start of msg>,"truncated":true,
// "original_bytes":N}`, N the size of the JSON line.
func (s *Sink) appendTruncated(dst []byte, b *fapilog.Batch, i int) []byte {
	rec := bytes.TrimSuffix(b.Record(i), []byte("\n"))
	start := len(dst)
	dst = s.appendHeader(dst, b, i)
	var head []byte
	head = append(head, '{')
	if t := b.Time(i); !t.IsZero() {
		head = append(head, `"time":"`...)
		head = t.AppendFormat(head, time.RFC3339Nano)
		head = append(head, `",`...)
	}
	head = append(head, `"level":`...)
	head = ship.AppendString(head, b.Level(i).String())
	head = append(head, `,"msg":`...)
	tail := `,"truncated":true,"original_bytes":` + strconv.Itoa(len(rec)) + `}`
	room := s.maxDatagram - (len(dst) - start) - len(head) - len(tail) // for the quoted msg
	msg := recordMsg(rec)
	for cut := max(room-2, 0); ; {
		cut = min(cut, len(msg))
		for cut > 0 && cut < len(msg) && msg[cut]&0xC0 == 0x80 {
			cut-- // not inside a UTF-8 sequence
		}
		enc := ship.AppendString(nil, msg[:cut])
		if len(enc) <= room || cut == 0 {
			head = append(head, enc...)
			break
		}
		// Escapes took more room than the bytes: cut in proportion, which
		// keeps more than cutting by the excess would.
		cut = min(cut-1, cut*room/len(enc))
	}
	dst = append(dst, head...)
	return append(dst, tail...)
}

// recordMsg returns the "msg" of a JSON line: the first such key, which
// fapilog writes before any attribute.
func recordMsg(line []byte) string {
	var m struct {
		Msg string `json:"msg"`
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return ""
		}
		if key == "msg" {
			if dec.Decode(&m.Msg) != nil {
				return ""
			}
			return m.Msg
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return ""
		}
	}
	return ""
}

// Flush does nothing: WriteBatch writes before it returns.
func (s *Sink) Flush() error { return nil }

// Close closes the connection.
func (s *Sink) Close() error {
	s.sender.Close()
	if s.conn != nil {
		err := s.conn.Close()
		s.conn = nil
		return err
	}
	return nil
}

// Interrupt makes a pending WriteBatch give up its waits. Safe to call at
// any time.
func (s *Sink) Interrupt() {
	s.sender.Interrupt()
}

// Stats returns the sink's counters. Safe to call at any time.
func (s *Sink) Stats() Stats { return s.sender.Stats() }

// String names the sink, e.g. "syslog:tcp:127.0.0.1:514".
func (s *Sink) String() string { return "syslog:" + s.network + ":" + s.addr }

// attempt sends the payload's messages once. Datagrams already sent are
// not sent again (p.Done counts them); a stream sends the whole batch on a fresh
// connection after an error, so messages the server got before the
// error arrive twice.
func (s *Sink) attempt(ctx context.Context, p *ship.Payload) error {
	if s.conn != nil && s.stream && peerClosed(s.conn) {
		s.drop()
	}
	if s.conn == nil {
		d := net.Dialer{Timeout: s.timeout}
		conn, err := d.DialContext(ctx, s.network, s.addr)
		if err != nil {
			return &ship.RetryableError{Err: err}
		}
		if s.dialed {
			s.sender.CountReconnect()
		}
		s.conn, s.dialed = conn, true
	}
	// Interrupt ends the wait of a stuck write.
	conn := s.conn
	stop := context.AfterFunc(ctx, func() { conn.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	conn.SetWriteDeadline(time.Now().Add(s.timeout))
	if s.stream {
		if _, err := s.conn.Write(p.Body); err != nil {
			s.drop()
			return &ship.RetryableError{Err: err}
		}
		return nil
	}
	for ; p.Done < len(s.ends); p.Done++ {
		start := 0
		if p.Done > 0 {
			start = s.ends[p.Done-1]
		}
		if _, err := s.conn.Write(p.Body[start:s.ends[p.Done]]); err != nil {
			// ECONNREFUSED from an earlier datagram's ICMP answer, a full
			// socket buffer: retry from this datagram on a new socket.
			s.drop()
			return &ship.RetryableError{Err: err}
		}
	}
	return nil
}

func (s *Sink) drop() {
	s.conn.Close()
	s.conn = nil
}
