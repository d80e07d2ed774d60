// Command prometheus serves a fapilog pipeline's Stats as Prometheus
// metrics (/metrics), as an expvar (/debug/vars) and its levels over HTTP
// (/loglevel). It is its own module, so that fapilog itself depends on
// nothing but the standard library.
package main

import (
	"context"
	"log"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	fapilog "github.com/fapilog/fapilog-go"
)

func main() {
	logger, err := fapilog.NewAsync(fapilog.Config{Levels: "info,http=debug"})
	if err != nil {
		log.Fatal(err)
	}
	defer logger.Close(context.Background())

	mux := newMux(logger, prometheus.NewRegistry())
	if err := fapilog.PublishExpvar("fapilog", logger); err != nil {
		log.Fatal(err)
	}
	go func() {
		for range time.Tick(time.Second) {
			logger.Named("http").Debug("tick", slog.Time("at", time.Now()))
		}
	}()
	log.Fatal(http.ListenAndServe("localhost:2112", mux))
}

// newMux registers logger's Collector with reg and serves /metrics,
// /debug/vars and /loglevel.
func newMux(logger *fapilog.AsyncLogger, reg *prometheus.Registry) *http.ServeMux {
	reg.MustRegister(NewCollector(logger, prometheus.Labels{"pipeline": "main"}))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/debug/vars", http.DefaultServeMux) // expvar registers itself there
	mux.Handle("/loglevel", fapilog.LevelHandler(logger))
	return mux
}
