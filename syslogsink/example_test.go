package syslogsink_test

import (
	"context"
	"fmt"
	"net"
	"strings"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/syslogsink"
)

func ExampleNew() {
	// A stand-in for a syslog relay listening on UDP.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer pc.Close()

	sink, err := syslogsink.New("udp", pc.LocalAddr().String(), syslogsink.Options{
		Facility: syslogsink.Local0, Hostname: "web1", AppName: "shop", ProcID: "42",
	})
	if err != nil {
		panic(err)
	}
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{sink}})
	if err != nil {
		panic(err)
	}
	logger.Error("payment failed")
	logger.Close(context.Background())

	buf := make([]byte, 2048)
	n, _, _ := pc.ReadFrom(buf)
	msg := string(buf[:n])
	// Leave out the timestamp and the record's time, which change.
	pri, rest, _ := strings.Cut(msg, " ")
	_, rest, _ = strings.Cut(rest, " ")
	fmt.Println(pri, strings.TrimSpace(rest[:strings.Index(rest, "{")]))
	fmt.Println(strings.Contains(rest, `"level":"ERROR","msg":"payment failed"`))
	// Output:
	// <131>1 web1 shop 42 - -
	// true
}
