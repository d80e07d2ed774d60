package fapilog

import (
	"log/slog"
	"os"
	"runtime"
)

// An Enricher adds attributes to every record, at the top level of the
// line, after the message. Enrichers run on the worker, before the
// redactors, so what they add is redacted too.
//
// The built-in enrichers (StaticAttrs, ServiceInfo, HostInfo, RuntimeInfo,
// KubernetesInfo) are static: their attrs are computed when the
// enricher is made, then redacted and encoded once when the logger is
// made, so they cost each record a copy of bytes, and their fields come
// first. An Enricher of your own is called for every record, on the
// worker goroutine (one call at a time). If it panics, the record is written without its attrs and the
// panic is counted in Stats.EnricherErrors and reported to
// Config.Diagnostics.
type Enricher interface {
	// Enrich appends its attributes to dst and returns the result.
	Enrich(dst []slog.Attr) []slog.Attr
}

// staticEnricher holds attrs computed once. The worker encodes them once.
type staticEnricher struct {
	attrs []slog.Attr
	err   error // why some attrs could not be computed; reported once
}

// Enrich appends e's attrs to dst.
func (e *staticEnricher) Enrich(dst []slog.Attr) []slog.Attr { return append(dst, e.attrs...) }

// StaticAttrs returns an Enricher that adds attrs to every record. The
// attrs are captured now: values passed in slog.Any are encoded, and
// LogValuers resolved, once.
func StaticAttrs(attrs ...slog.Attr) Enricher {
	return &staticEnricher{attrs: capturedAttrs(attrs)}
}

// ServiceInfo returns an Enricher that adds "service", "env" and
// "version". An empty argument falls back to the environment variable
// FAPILOG_SERVICE, FAPILOG_ENV or FAPILOG_VERSION, read now; a field still
// empty is left out.
func ServiceInfo(name, env, version string) Enricher {
	return &staticEnricher{attrs: envAttrs(
		[]string{"service", "env", "version"},
		[]string{name, env, version},
		[]string{"FAPILOG_SERVICE", "FAPILOG_ENV", "FAPILOG_VERSION"},
	)}
}

// envAttrs returns a string attr for each key whose value, or else
// environment variable, is not empty.
func envAttrs(keys, values, vars []string) []slog.Attr {
	var attrs []slog.Attr
	for i, k := range keys {
		v := values[i]
		if v == "" {
			v = os.Getenv(vars[i])
		}
		if v != "" {
			attrs = append(attrs, slog.String(k, v))
		}
	}
	return attrs
}

// HostInfo returns an Enricher that adds "host", the host name, and
// "pid", the process id. If the host name cannot be read, "host" is left
// out and the logger reports why to Config.Diagnostics when it is made.
func HostInfo() Enricher {
	e := &staticEnricher{}
	host, err := os.Hostname()
	if err != nil {
		e.err = err
	} else {
		e.attrs = append(e.attrs, slog.String("host", host))
	}
	e.attrs = append(e.attrs, slog.Int("pid", os.Getpid()))
	return e
}

// RuntimeInfo returns an Enricher that adds "go_version", "goos" and
// "goarch": the Go release that built the program (runtime.Version) and
// the operating system and architecture it runs on.
func RuntimeInfo() Enricher {
	return &staticEnricher{attrs: []slog.Attr{
		slog.String("go_version", runtime.Version()),
		slog.String("goos", runtime.GOOS),
		slog.String("goarch", runtime.GOARCH),
	}}
}

// KubernetesInfo returns an Enricher that adds a group "k8s" with "pod",
// "namespace", "node" and "container", read now from the environment
// variables POD_NAME, POD_NAMESPACE, NODE_NAME and CONTAINER_NAME (set
// them with the downward API). Unset variables are left out, and the
// group too if all are.
func KubernetesInfo() Enricher {
	attrs := envAttrs(
		[]string{"pod", "namespace", "node", "container"},
		make([]string, 4),
		[]string{"POD_NAME", "POD_NAMESPACE", "NODE_NAME", "CONTAINER_NAME"},
	)
	if len(attrs) == 0 {
		return &staticEnricher{}
	}
	return &staticEnricher{attrs: []slog.Attr{slog.GroupAttrs("k8s", attrs...)}}
}
