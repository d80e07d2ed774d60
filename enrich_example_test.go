package fapilog_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/fapilogtest"
)

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
	rec := fapilogtest.NewRecorder()
	logger, _ := fapilog.NewSync(fapilog.Config{
		Sinks:     []fapilog.Sink{rec},
		Enrichers: []fapilog.Enricher{fapilog.HostInfo()},
	})
	defer logger.Close(context.Background())
	logger.Info("started")
	e := rec.Entries()[0] // the values differ from machine to machine
	fmt.Println(e.Attrs["host"] != "", e.Attrs["pid"] == float64(os.Getpid()), len(e.Attrs))
	// Output:
	// true true 2
}

func ExampleRuntimeInfo() {
	rec := fapilogtest.NewRecorder()
	logger, _ := fapilog.NewSync(fapilog.Config{
		Sinks:     []fapilog.Sink{rec},
		Enrichers: []fapilog.Enricher{fapilog.RuntimeInfo()},
	})
	defer logger.Close(context.Background())
	logger.Info("started")
	e := rec.Entries()[0]
	fmt.Println(e.Attrs["go_version"] == runtime.Version(), e.Attrs["goos"] == runtime.GOOS, e.Attrs["goarch"] == runtime.GOARCH)
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
