package syslogsink

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var opts = Options{Facility: Local3, Hostname: "host one", AppName: "app", ProcID: "7"}

func newSink(t *testing.T, network, addr string, o Options) *Sink {
	t.Helper()
	o.hooks = shiptest.NewClock().Config()
	s, err := New(network, addr, o)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// udpServer returns a loopback UDP socket and a function reading the
// next datagram.
func udpServer(t *testing.T, network string) (net.PacketConn, func() string) {
	addr := "127.0.0.1:0"
	if network == "unixgram" {
		addr = filepath.Join(t.TempDir(), "log.sock")
	}
	pc, err := net.ListenPacket(network, addr)
	require.NoError(t, err)
	t.Cleanup(func() { pc.Close() })
	buf := make([]byte, 1<<16)
	return pc, func() string {
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		require.NoError(t, err)
		return string(buf[:n])
	}
}

func TestSeverity(t *testing.T) {
	for l, want := range map[slog.Level]int{
		slog.LevelDebug - 4: 7, slog.LevelDebug: 7, slog.LevelInfo: 6, slog.LevelInfo + 2: 6,
		slog.LevelWarn: 4, slog.LevelError: 3, slog.LevelError + 1: 2, slog.LevelError + 8: 2,
	} {
		assert.Equal(t, want, Severity(l), l.String())
	}
}

func TestUDPMessageFormat(t *testing.T) {
	for _, network := range []string{"udp", "unixgram"} {
		t.Run(network, func(t *testing.T) {
			pc, next := udpServer(t, network)
			s := newSink(t, network, pc.LocalAddr().String(), opts)
			b := shiptest.Batch(0, 2)
			b.Append(time.Time{}, slog.LevelError+4, []byte(`{"level":"ERROR+4","msg":"no time"}`+"\n"))
			require.NoError(t, s.WriteBatch(b))
			assert.Equal(t, `<158>1 2026-01-02T03:04:05.123456Z host_one app 7 - - `+strings.TrimSuffix(string(b.Record(0)), "\n"), next())
			assert.Contains(t, next(), `"seq":1}`)
			assert.Equal(t, `<154>1 - host_one app 7 - - {"level":"ERROR+4","msg":"no time"}`, next())
			assert.Equal(t, uint64(3), s.Stats().Sent)
		})
	}
}

func TestLongDatagramTruncatedAsJSON(t *testing.T) {
	pc, next := udpServer(t, "udp")
	s := newSink(t, "udp", pc.LocalAddr().String(), Options{MaxDatagram: 480, StructuredData: `[meta x="1"]`})
	msg := strings.Repeat(`é"\`, 400)
	line, _ := json.Marshal(map[string]any{"msg": msg, "pad": strings.Repeat("p", 1000)})
	b := &fapilog.Batch{}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	b.Append(when, slog.LevelWarn, append(line, '\n'))
	require.NoError(t, s.WriteBatch(b))
	got := next()
	assert.LessOrEqual(t, len(got), 480)
	assert.Greater(t, len(got), 400, "the room is used")
	_, body, ok := strings.Cut(got, `[meta x="1"] `)
	require.True(t, ok, got)
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &rec), body)
	assert.Equal(t, true, rec["truncated"])
	assert.Equal(t, float64(len(line)), rec["original_bytes"])
	assert.Equal(t, "WARN", rec["level"])
	assert.Equal(t, "2026-01-02T03:04:05Z", rec["time"])
	assert.True(t, strings.HasPrefix(msg, rec["msg"].(string)))
	assert.Equal(t, uint64(1), s.Stats().Truncated)
}

// tcpServer accepts connections and sends each octet-counted frame it
// reads to frames. closeAll closes the connections it holds.
type tcpServer struct {
	ln     net.Listener
	frames chan string
	conns  chan net.Conn
}

func newTCPServer(t *testing.T, network string) *tcpServer {
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "log.sock")
	}
	ln, err := net.Listen(network, addr)
	require.NoError(t, err)
	s := &tcpServer{ln: ln, frames: make(chan string, 100), conns: make(chan net.Conn, 10)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns <- c
			go s.read(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-s.conns:
				c.Close()
			default:
				return
			}
		}
	})
	return s
}

func (s *tcpServer) read(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		n, err := r.ReadString(' ')
		if err != nil {
			return
		}
		size, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil {
			s.frames <- "bad length " + n
			return
		}
		buf := make([]byte, size)
		if _, err := io.ReadFull(r, buf); err != nil {
			return
		}
		s.frames <- string(buf)
	}
}

func (s *tcpServer) next(t *testing.T) string {
	select {
	case f := <-s.frames:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no frame")
		return ""
	}
}

func TestStreamOctetCountingAndReconnect(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			srv := newTCPServer(t, network)
			s := newSink(t, network, srv.ln.Addr().String(), opts)
			require.NoError(t, s.WriteBatch(shiptest.Batch(0, 3)))
			for i := range 3 {
				assert.True(t, strings.HasSuffix(srv.next(t), fmt.Sprintf(`"seq":%d}`, i)))
			}
			// The server drops the connection: the next batch finds it
			// closed before writing, and goes out whole on a new one.
			(<-srv.conns).Close()
			time.Sleep(20 * time.Millisecond) // the FIN reaches the client
			require.NoError(t, s.WriteBatch(shiptest.Batch(3, 2)))
			assert.True(t, strings.HasSuffix(srv.next(t), `"seq":3}`))
			assert.True(t, strings.HasSuffix(srv.next(t), `"seq":4}`))
			st := s.Stats()
			assert.Equal(t, uint64(5), st.Sent)
			assert.Equal(t, uint64(1), st.Reconnects)
			assert.Equal(t, "syslog:"+network+":"+srv.ln.Addr().String(), s.String())
		})
	}
}

func TestTCPServerDownRetriesThenFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nobody listens there now
	s := newSink(t, "tcp", addr, Options{Delivery: Delivery{MaxElapsed: 10 * time.Second, BreakerFailures: -1}})
	err = s.WriteBatch(shiptest.Batch(0, 2))
	require.ErrorContains(t, err, "refused")
	st := s.Stats()
	assert.Equal(t, uint64(2), st.Failed)
	assert.Positive(t, st.Retries)
}

func TestInterruptStopsRetrying(t *testing.T) {
	s := newSink(t, "tcp", "127.0.0.1:1", Options{})
	s.Interrupt()
	require.Error(t, s.WriteBatch(shiptest.Batch(0, 1)))
	assert.Equal(t, uint64(1), s.Stats().Failed)
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, c := range []struct {
		network, addr string
		o             Options
	}{
		{"sctp", "x:1", Options{}},
		{"udp", "", Options{}},
		{"udp", "x:1", Options{Facility: 24}},
		{"udp", "x:1", Options{MaxDatagram: 100}},
		{"udp", "x:1", Options{Timeout: -1}},
		{"tcp", "x:1", Options{Delivery: Delivery{SpoolDir: "/tmp"}}},
		{"tcp", "x:1", Options{StructuredData: "no brackets"}},
		{"tcp", "x:1", Options{StructuredData: `[a b="unterminated]`}},
	} {
		_, err := New(c.network, c.addr, c.o)
		assert.Error(t, err, "%+v", c)
	}
	_, err := New("tcp", "x:1", Options{StructuredData: `[a b="x\]y"][c]`})
	assert.NoError(t, err)
}

func TestHeaderFieldsAreSanitized(t *testing.T) {
	assert.Equal(t, "-", field("", 10))
	assert.Equal(t, "a_b_c", field("a b\x01c", 10))
	assert.Equal(t, "abc", field("abcdef", 3))
}
