package fapilog

import (
	"log/slog"
	"runtime"
	"strings"
	"testing"
)

// reportCPU runs bench, which loops with b.Loop, and reports the CPU
// time its thread used per op as "cpu-ns/op" (where threadCPU can tell).
func reportCPU(b *testing.B, bench func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadCPU()
	bench()
	if used := threadCPU() - start; start > 0 && b.N > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// shortLogStrings are typical short strings of log lines: messages and
// values with nothing secret in them.
var shortLogStrings = []string{
	"Test logging, but use a somewhat realistic message length.", "four!", "a somewhat longer string value",
	"user 42 logged in from web", "GET /api/v1/items?page=2 200 12ms", "error: connection refused",
	"order 1042 placed by ann", "cache miss for key user:42", "retrying in 250ms (attempt 3 of 5)",
	"worker started", "ok", "eu-west-1",
}

// triggeringValues are values with nothing secret in them that hold a
// scanner's trigger byte: timestamps (':'), capitalised words ('J', 'A',
// 'K'), an e-mail address and a host:port.
var triggeringValues = []string{
	"2026-01-01T12:00:00Z", "2026-11-27 21:43:36.123456", "Jane Doe", "jane@example.com", "Accepted",
	"db.internal:5432", "KB5034441", "OK",
}

// BenchmarkScanners is the built-in scanners alone on typical short log
// strings (the op is all of them): Credentials (the default), every preset, and a
// string holding a secret.
func BenchmarkScanners(b *testing.B) {
	for _, c := range []struct {
		name    string
		r       Redactor
		strings []string
	}{
		{"credentials/nomatch", Credentials(), shortLogStrings},
		{"all/nomatch", newScanSet(1<<numScanners-1, wordCredential|wordPCI|wordPII, true), shortLogStrings},
		{"credentials/triggered", Credentials(), triggeringValues},
		{"credentials/match", Credentials(), []string{"login failed for ann password=hunter2 retry"}},
		{"all/match", newScanSet(1<<numScanners-1, wordCredential|wordPCI|wordPII, true), []string{"login failed for ann password=hunter2 retry"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			reportCPU(b, func() {
				for b.Loop() {
					for _, s := range c.strings {
						c.r.MaskString(s, DefaultMask)
					}
				}
			})
			b.ReportMetric(float64(len(c.strings)), "strings/op")
		})
	}
}

// BenchmarkTriggers is the trigger-table pass alone over the same strings: what an
// encoder that escapes and tests bytes in one pass adds.
func BenchmarkTriggers(b *testing.B) {
	var seen uint16
	reportCPU(b, func() {
		for b.Loop() {
			for _, s := range shortLogStrings {
				seen |= triggersOf(s)
			}
		}
	})
	b.ReportMetric(float64(len(shortLogStrings)), "strings/op")
	_ = seen
}

// BenchmarkSensitiveKey is the key verdict on ordinary keys and
// on secret ones.
func BenchmarkSensitiveKey(b *testing.B) {
	for _, c := range []struct {
		name string
		keys []string
	}{
		{"ordinary", []string{"int", "string", "bool", "float", "time", "int64", "uint64", "dur", "string2", "int2", "user_id", "requestDuration"}},
		{"secret", []string{"password", "X-Api-Key", "aws_secret_access_key", "DBPassword", "token_count"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			reportCPU(b, func() {
				for b.Loop() {
					for _, k := range c.keys {
						sensitiveKey(k, wordCredential|wordPCI|wordPII)
					}
				}
			})
			b.ReportMetric(float64(len(c.keys)), "keys/op")
		})
	}
}

// BenchmarkRedactPresets is the worker's cost of a 10-attr record (in a
// With scope of 5) through today's pipeline stages: redaction off, the
// names and URLs that were the default before Credentials, the default
// (Credentials), and every preset, when nothing matches and when two
// fields match.
func BenchmarkRedactPresets(b *testing.B) {
	match := append(attrs10()[:8], slog.String("user_password", "hunter2"), slog.String("note", "retry with password=hunter2"))
	all := []Redactor{Credentials(), PCI(), PII()}
	// The default before Credentials: 15 names matched whole, and URLs.
	names := []Redactor{RedactFields("password", "passwd", "pwd", "secret", "token", "api_key", "apikey",
		"authorization", "cookie", "set-cookie", "private_key", "client_secret", "access_token",
		"refresh_token", "session_id"), RedactURLCredentials()}
	for _, c := range []struct {
		name      string
		redactors []Redactor
		attrs     []slog.Attr
	}{
		{"off", []Redactor{}, attrs10()},
		{"names/nomatch", names, attrs10()},
		{"default/nomatch", nil, attrs10()},
		{"default/match", nil, match},
		{"all/nomatch", all, attrs10()},
		{"all/match", all, match},
	} {
		b.Run(c.name, func(b *testing.B) {
			p, r := benchStages(b, Config{Redactors: c.redactors})
			reportCPU(b, func() { benchRecordStages(b, p, r, c.attrs) })
		})
	}
}

// BenchmarkScannersHostile is every scanner on 64 KiB strings built to
// make a careless scanner quadratic: each must stay linear.
func BenchmarkScannersHostile(b *testing.B) {
	set := newScanSet(1<<numScanners-1, wordCredential|wordPCI|wordPII, true)
	const size = 64 << 10
	fill := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	for _, c := range []struct{ name, s string }{
		{"kv", fill("password=x ")},
		{"keys", fill("aaaaaaaaaaaaaaa=")},
		{"colons", fill("1:")},
		{"at", fill("a:b@")},
		{"jwt", fill("eyJ")},
		{"pem", fill("-----BEGIN PRIVATE KEY")},
		{"digits", fill("4111 ")},
		{"iban", fill("DE89")},
		{"track", fill("B4111111111111111^")},
		{"dots", fill("1.")},
		{"quote", "token=\"" + fill("a")},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.s)))
			for b.Loop() {
				set.MaskString(c.s, DefaultMask)
			}
		})
	}
}
