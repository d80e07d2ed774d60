package filesink_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/filesink"
)

func ExampleNew() {
	dir, err := os.MkdirTemp("", "filesink-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	sink, err := filesink.New(filepath.Join(dir, "app.log"), filesink.Options{
		MaxSize:    1 << 10, // tiny, to rotate
		MaxBackups: 3,
		Compress:   true,
	})
	if err != nil {
		panic(err)
	}
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{sink}})
	if err != nil {
		panic(err)
	}
	for i := range 100 {
		logger.Info("order placed", slog.Int("order_id", 1000+i))
	}
	logger.Close(context.Background()) // closes the sink, which waits for compression

	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if name != "app.log" {
			name = "app-<UTC time>" + name[strings.Index(name, ".log"):]
		}
		fmt.Println(name)
	}
	// Output:
	// app-<UTC time>.log.gz
	// app-<UTC time>.log.gz
	// app-<UTC time>.log.gz
	// app.log
}

// Reopen lets logrotate, or any tool that renames the file, own rotation:
// after renaming, it signals the process (postrotate: kill -HUP <pid>).
func ExampleSink_Reopen() {
	sink, err := filesink.New("/var/log/app/app.log", filesink.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			if err := sink.Reopen(); err != nil {
				fmt.Fprintln(os.Stderr, "reopen log:", err)
			}
		}
	}()

	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{sink}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer func() {
		logger.Close(context.Background())
		signal.Stop(hup)
		close(hup)
	}()
	logger.Info("serving")
}
