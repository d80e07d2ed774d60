package syslogsink

import (
	"io"
	"net"
	"testing"

	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
)

// BenchmarkWriteBatch sends batches of 256 realistic records to a local
// listener that reads and drops them: one datagram per record over UDP,
// one write per batch over TCP.
func BenchmarkWriteBatch(b *testing.B) {
	b.Run("udp", func(b *testing.B) {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer pc.Close()
		go func() {
			buf := make([]byte, 1<<16)
			for {
				if _, _, err := pc.ReadFrom(buf); err != nil {
					return
				}
			}
		}()
		run(b, "udp", pc.LocalAddr().String())
	})
	b.Run("tcp", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() { io.Copy(io.Discard, c); c.Close() }()
			}
		}()
		run(b, "tcp", ln.Addr().String())
	})
}

func run(b *testing.B, network, addr string) {
	s, err := New(network, addr, Options{MaxDatagram: 8192})
	if err != nil {
		b.Fatal(err)
	}
	shiptest.BenchWrite(b, s, shiptest.Realistic(256))
}
