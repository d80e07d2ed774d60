package fapilog_test

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"

	fapilog "github.com/fapilog/fapilog-go"
)

func ExampleDefaultRedactors() {
	// Config.Redactors nil means DefaultRedactors().
	logger, _ := fapilog.NewSync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})}})
	defer logger.Close(context.Background())
	logger.With(slog.String("Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l")).Info("login",
		slog.Any("form", map[string]string{"user": "ann", "password": "hunter2"}),
		slog.String("db", "postgres://app:s3cr3t@db:5432/shop"))
	// Output:
	// {"level":"INFO","msg":"login","Authorization":"***","form":{"password":"***","user":"ann"},"db":"postgres://***@db:5432/shop"}
}

func ExampleRedactFields() {
	type card struct {
		Number string `json:"number"`
		Expiry string `json:"expiry"`
	}
	logger, _ := fapilog.NewSync(fapilog.Config{
		Sinks:     []fapilog.Sink{fapilog.NewWriterSink(stripTime{})},
		Redactors: []fapilog.Redactor{fapilog.RedactFields("pin", "user.card.number", "*_ref*")},
		// A mask of your own, for every redactor.
		RedactMask: "[redacted]",
	})
	defer logger.Close(context.Background())
	logger.WithGroup("user").Info("paid",
		slog.Any("card", card{Number: "4111111111111111", Expiry: "12/29"}),
		slog.Group("auth", slog.String("PIN", "1234")), slog.String("bank_ref_id", "77-1"))
	// Output:
	// {"level":"INFO","msg":"paid","user":{"card":{"number":"[redacted]","expiry":"12/29"},"auth":{"PIN":"[redacted]"},"bank_ref_id":"[redacted]"}}
}

func ExampleRedactURLCredentials() {
	r := fapilog.RedactURLCredentials()
	s, _ := r.MaskString("cache at redis://default:pa55@cache:6379/0, queue at amqp://guest:guest@mq/", "***")
	fmt.Println(s)
	// Output:
	// cache at redis://***@cache:6379/0, queue at amqp://***@mq/
}

func ExampleRedactPatterns() {
	logger, _ := fapilog.NewSync(fapilog.Config{
		Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})},
		Redactors: append(fapilog.DefaultRedactors(), fapilog.RedactPatterns(
			fapilog.CardNumbers(), fapilog.EmailAddresses(), fapilog.JWTs(),
			fapilog.BearerTokens(), fapilog.AWSAccessKeyIDs(), fapilog.SSNs())),
	})
	defer logger.Close(context.Background())
	logger.Info("receipt sent to ann@example.com", slog.String("note", "paid with 4111 1111 1111 1111"))
	// Output:
	// {"level":"INFO","msg":"receipt sent to ***","note":"paid with ***"}
}

func ExampleNewPattern() {
	// Go regexps are RE2: linear time, whatever the input. Only the
	// subexpression named "secret" is masked.
	otp := fapilog.NewPattern(regexp.MustCompile(`(?i)\botp[:= ]+(?P<secret>\d{6})\b`))
	r := fapilog.RedactPatterns(otp)
	s, _ := r.MaskString("sent OTP: 482913 to the user", "***")
	fmt.Println(s)
	// Output:
	// sent OTP: *** to the user
}

// maskWith prints s as the single pattern p masks it.
func maskWith(p fapilog.Pattern, s string) {
	out, _ := fapilog.RedactPatterns(p).MaskString(s, "***")
	fmt.Println(out)
}

func ExampleCardNumbers() {
	maskWith(fapilog.CardNumbers(), "visa 4111-1111-1111-1111, amex 3782 822463 10005, order 1234567890123")
	// Output:
	// visa ***, amex ***, order 1234567890123
}

func ExampleEmailAddresses() {
	maskWith(fapilog.EmailAddresses(), "from ann.lee+billing@example.co.uk to @team")
	// Output:
	// from *** to @team
}

func ExampleJWTs() {
	maskWith(fapilog.JWTs(), "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.SflKxwRJSMeKKF2QT4fwpM expired")
	// Output:
	// token *** expired
}

func ExampleBearerTokens() {
	maskWith(fapilog.BearerTokens(), "Authorization: Bearer mF_9.B5f-4.1JqM")
	// Output:
	// Authorization: Bearer ***
}

func ExampleAWSAccessKeyIDs() {
	maskWith(fapilog.AWSAccessKeyIDs(), "using key AKIAIOSFODNN7EXAMPLE")
	// Output:
	// using key ***
}

func ExampleSSNs() {
	maskWith(fapilog.SSNs(), "ssn 078-05-1120 on file")
	// Output:
	// ssn *** on file
}

func ExampleCredentials() {
	// Credentials is the default: keys that name a secret, in any style,
	// and secrets inside strings, keeping the text around them.
	logger, _ := fapilog.NewSync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})}})
	defer logger.Close(context.Background())
	logger.Info("retry with password=hunter2",
		slog.String("DBPassword", "s3cr3t"), slog.String("X-Api-Key", "k3y"), slog.Int("token_count", 812),
		slog.String("dsn", "app:s3cr3t@tcp(db:3306)/shop"),
		slog.String("req", "Authorization: Bearer abc.def"))
	// Output:
	// {"level":"INFO","msg":"retry with password=***","DBPassword":"***","X-Api-Key":"***","token_count":812,"dsn":"***@tcp(db:3306)/shop","req":"Authorization: Bearer ***"}
}

func ExamplePCI() {
	r := fapilog.PCI()
	s, _ := r.MaskString("card 4111 1111 1111 1111, cvv=123, track ;4111111111111111=25121010000?", "***")
	fmt.Println(s)
	fmt.Println(r.MaskField([]string{"payment", "cvv2"}))
	// Output:
	// card ***, cvv=***, track ***
	// true
}

func ExamplePII() {
	r := fapilog.PII()
	s, _ := r.MaskString("ann@example.com called +1 (555) 123-4567 from 192.168.1.20, IBAN GB82 WEST 1234 5698 7654 32", "***")
	fmt.Println(s)
	// Output:
	// *** called *** from ***, IBAN ***
}
