package fapilog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"

	fapilog "github.com/fapilog/fapilog-go"
)

// keysOf is a Writer that prints the keys of each JSON line, sorted, for
// examples whose values differ from machine to machine.
type keysOf struct{}

func (keysOf) Write(p []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(p), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		fmt.Println(keys)
	}
	return len(p), nil
}

func ExampleStaticAttrs() {
	logger, _ := fapilog.NewSync(fapilog.Config{
		Sinks:     []fapilog.Sink{fapilog.NewWriterSink(stripTime{})},
		Enrichers: []fapilog.Enricher{fapilog.StaticAttrs(slog.String("team", "payments"), slog.String("region", "eu-west-1"))},
	})
	defer logger.Close(context.Background())
	logger.WithGroup("req").Info("charged", slog.Int("cents", 1299))
	// Output:
	// {"level":"INFO","msg":"charged","team":"payments","region":"eu-west-1","req":{"cents":1299}}
}

func ExampleServiceInfo() {
	// An empty argument falls back to FAPILOG_SERVICE, FAPILOG_ENV or
	// FAPILOG_VERSION; a field still empty is left out.
	logger, _ := fapilog.NewSync(fapilog.Config{
		Sinks:     []fapilog.Sink{fapilog.NewWriterSink(stripTime{})},
		Enrichers: []fapilog.Enricher{fapilog.ServiceInfo("checkout", "prod", "1.4.2")},
	})
	defer logger.Close(context.Background())
	logger.Info("started")
	// Output:
	// {"level":"INFO","msg":"started","service":"checkout","env":"prod","version":"1.4.2"}
}

func ExampleHostInfo() {
	logger, _ := fapilog.NewSync(fapilog.Config{
		Sinks:     []fapilog.Sink{fapilog.NewWriterSink(keysOf{})},
		Enrichers: []fapilog.Enricher{fapilog.HostInfo()},
	})
	defer logger.Close(context.Background())
	logger.Info("started")
	// Output:
	// [host level msg pid time]
}

func ExampleRuntimeInfo() {
	var line strings.Builder
	logger, _ := fapilog.NewSync(fapilog.Config{
		Sinks:     []fapilog.Sink{fapilog.NewWriterSink(&line)},
		Enrichers: []fapilog.Enricher{fapilog.RuntimeInfo()},
	})
	logger.Info("started")
	logger.Close(context.Background())
	var m map[string]any
	json.Unmarshal([]byte(line.String()), &m)
	fmt.Println(m["go_version"] == runtime.Version(), m["goos"] == runtime.GOOS, m["goarch"] == runtime.GOARCH)
	// Output:
	// true true true
}

func ExampleKubernetesInfo() {
	// In a pod, the downward API sets these; unset ones are left out.
	for name, value := range map[string]string{"POD_NAME": "checkout-7d9f", "POD_NAMESPACE": "shop", "NODE_NAME": "", "CONTAINER_NAME": ""} {
		old, had := os.LookupEnv(name)
		os.Setenv(name, value)
		defer func() {
			if had {
				os.Setenv(name, old)
			} else {
				os.Unsetenv(name)
			}
		}()
	}
	logger, _ := fapilog.NewSync(fapilog.Config{
		Sinks:     []fapilog.Sink{fapilog.NewWriterSink(stripTime{})},
		Enrichers: []fapilog.Enricher{fapilog.KubernetesInfo()},
	})
	defer logger.Close(context.Background())
	logger.Info("started")
	// Output:
	// {"level":"INFO","msg":"started","k8s":{"pod":"checkout-7d9f","namespace":"shop"}}
}
