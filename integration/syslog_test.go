package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/syslogsink"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rsyslog runs rsyslogd in the foreground with imudp and imtcp on
// loopback, writing every raw message it gets to one file.
type rsyslog struct {
	t        *testing.T
	dir      string
	udp, tcp int
	srv      *server
}

func newRsyslog(t *testing.T) *rsyslog {
	if _, err := exec.LookPath("rsyslogd"); err != nil {
		t.Skip("rsyslogd not installed (apt-get install rsyslog)")
	}
	r := &rsyslog{t: t, dir: t.TempDir(), udp: freePort(t, "udp"), tcp: freePort(t, "tcp")}
	conf := fmt.Sprintf(`global(workDirectory=%[1]q maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="%[2]d")
input(type="imtcp" address="127.0.0.1" port="%[3]d")
template(name="raw" type="string" string="%%rawmsg%%\n")
action(type="omfile" file=%[4]q template="raw")
`, r.dir, r.udp, r.tcp, r.out())
	require.NoError(t, os.WriteFile(filepath.Join(r.dir, "rsyslog.conf"), []byte(conf), 0o600))
	r.start()
	return r
}

func (r *rsyslog) out() string { return filepath.Join(r.dir, "out.log") }

func (r *rsyslog) start() {
	r.srv = start(r.t, filepath.Join(r.dir, "rsyslogd.log"), "rsyslogd", "-n",
		"-f", filepath.Join(r.dir, "rsyslog.conf"), "-i", filepath.Join(r.dir, "rsyslogd.pid"))
	waitListening(r.t, r.srv, fmt.Sprintf("127.0.0.1:%d", r.tcp))
}

// message is one line rsyslog wrote: the RFC 5424 header and the JSON.
type message struct {
	pri, version, host, app, procid, msgid, sd string
	record                                     map[string]any
}

func parseMessage(t *testing.T, line string) message {
	t.Helper()
	parts := strings.SplitN(line, " ", 8)
	require.Len(t, parts, 8, line)
	var m message
	var ts string
	m.pri, ts, m.host, m.app, m.procid, m.msgid, m.sd = parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]
	m.pri, m.version, _ = strings.Cut(m.pri, ">")
	m.pri = strings.TrimPrefix(m.pri, "<")
	_, err := time.Parse(time.RFC3339Nano, ts)
	require.NoError(t, err, line)
	require.NoError(t, json.Unmarshal([]byte(parts[7]), &m.record), line)
	return m
}

// levels cycles through the levels logged, with the PRI each must get
// at facility local3 (19): 19*8 + severity.
var levels = []struct {
	level slog.Level
	pri   string
}{
	{slog.LevelDebug, "159"},
	{slog.LevelInfo, "158"},
	{slog.LevelWarn, "156"},
	{slog.LevelError, "155"},
	{slog.LevelError + 4, "154"},
}

func newSyslogLogger(t *testing.T, network, addr string) (*fapilog.AsyncLogger, *syslogsink.Sink) {
	sink, err := syslogsink.New(network, addr, syslogsink.Options{
		Facility: syslogsink.Local3, Hostname: "itest", AppName: "fapilog-itest", ProcID: "42",
		Delivery: syslogsink.Delivery{InitialBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, BreakerCooldown: 500 * time.Millisecond},
	})
	require.NoError(t, err)
	// SyncLevel above FATAL: the test logs FATAL records while rsyslog is
	// down, and by default they would wait for their write (Config.SyncLevel).
	logger, err := fapilog.NewAsync(fapilog.Config{Level: slog.LevelDebug, Sinks: []fapilog.Sink{sink}, SyncLevel: fapilog.LevelFatal + 1})
	require.NoError(t, err)
	return logger, sink
}

func logSeq(logger *fapilog.AsyncLogger, from, to int) {
	for i := from; i < to; i++ {
		l := levels[i%len(levels)]
		logger.Log(context.Background(), l.level, "record "+strconv.Itoa(i), slog.Int("seq", i), slog.String("text", "é \"quoted\""))
	}
}

// checkSyslog checks that out holds records 0..n-1 exactly once, each
// with the PRI of its level and the header fields set.
func checkSyslog(t *testing.T, lines []string, n int) {
	t.Helper()
	seen := map[int]int{}
	for _, line := range lines {
		m := parseMessage(t, line)
		seq := int(m.record["seq"].(float64))
		seen[seq]++
		assert.Equal(t, levels[seq%len(levels)].pri, m.pri, line)
		assert.Equal(t, "1", m.version)
		assert.Equal(t, []string{"itest", "fapilog-itest", "42", "-", "-"}, []string{m.host, m.app, m.procid, m.msgid, m.sd})
		assert.Equal(t, "record "+strconv.Itoa(seq), m.record["msg"])
		assert.Equal(t, "é \"quoted\"", m.record["text"])
	}
	for i := range n {
		assert.Equal(t, 1, seen[i], "record %d arrived %d times", i, seen[i])
	}
	assert.Len(t, seen, n)
}

func TestSyslogUDP(t *testing.T) {
	r := newRsyslog(t)
	logger, sink := newSyslogLogger(t, "udp", fmt.Sprintf("127.0.0.1:%d", r.udp))
	const n, chunk = 500, 100
	// UDP has no flow control: log in chunks and let rsyslog keep up, as
	// the test is about the messages, not about losing datagrams.
	for from := 0; from < n; from += chunk {
		logSeq(logger, from, from+chunk)
		require.NoError(t, logger.Flush(context.Background()))
		waitFor(t, 10*time.Second, "rsyslog to write the chunk", func() bool { return len(readLines(t, r.out())) >= from+chunk })
	}
	// One record far over the datagram limit arrives cut, as valid JSON.
	big := strings.Repeat("x", 10000)
	logger.Info(big, slog.Int("seq", n))
	require.NoError(t, logger.Close(context.Background()))
	waitFor(t, 10*time.Second, "the long record", func() bool { return len(readLines(t, r.out())) >= n+1 })
	lines := readLines(t, r.out())
	checkSyslog(t, lines[:n], n)
	last := lines[n]
	assert.LessOrEqual(t, len(last), syslogsink.DefaultMaxDatagram)
	m := parseMessage(t, last)
	assert.Equal(t, true, m.record["truncated"])
	assert.Equal(t, "INFO", m.record["level"])
	assert.Greater(t, m.record["original_bytes"], float64(10000))
	assert.True(t, strings.HasPrefix(big, m.record["msg"].(string)))
	st := sink.Stats()
	assert.Equal(t, uint64(n+1), st.Sent)
	assert.Equal(t, uint64(1), st.Truncated)
}

func TestSyslogTCPAcrossRestart(t *testing.T) {
	r := newRsyslog(t)
	logger, sink := newSyslogLogger(t, "tcp", fmt.Sprintf("127.0.0.1:%d", r.tcp))
	const n = 3000
	logSeq(logger, 0, n/2)
	require.NoError(t, logger.Flush(context.Background()))
	waitFor(t, 10*time.Second, "the first half", func() bool { return len(readLines(t, r.out())) >= n/2 })

	// rsyslog goes away; records logged meanwhile wait in the sink's
	// retries and go out on a new connection once it is back.
	r.srv.stop()
	logSeq(logger, n/2, n)
	time.Sleep(300 * time.Millisecond) // the sink finds the server gone and retries
	r.start()
	require.NoError(t, logger.Close(context.Background()))
	waitFor(t, 10*time.Second, "every record", func() bool { return len(readLines(t, r.out())) >= n })
	time.Sleep(100 * time.Millisecond) // room for a duplicate to show up
	checkSyslog(t, readLines(t, r.out()), n)
	st := sink.Stats()
	assert.Equal(t, uint64(n), st.Sent)
	assert.Equal(t, uint64(0), st.Failed)
	assert.GreaterOrEqual(t, st.Reconnects, uint64(1))
	assert.Greater(t, st.Retries, uint64(0))
}
