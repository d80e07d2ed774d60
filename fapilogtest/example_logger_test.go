package fapilogtest_test

import (
	"log/slog"
	"testing"

	"github.com/fapilog/fapilog-go/fapilogtest"
)

// checkout is the code under test: it logs through the logger it is given.
func checkout(logger interface {
	Info(string, ...slog.Attr)
}, items int) {
	logger.Info("checkout", slog.Int("items", items))
}

// testCheckout is what a TestCheckout(t *testing.T) in your _test.go file
// would hold. (TestNewLoggerExample runs it.)
func testCheckout(t *testing.T) {
	rec := fapilogtest.NewRecorder()
	// Lines go to t.Log; the logger is closed when the test ends.
	logger := fapilogtest.NewLogger(t, fapilogtest.Sinks(rec))

	checkout(logger, 3)

	got := rec.Filter("checkout")
	if len(got) != 1 || got[0].Attrs["items"] != 3.0 { // JSON numbers decode as float64
		t.Errorf("logged %+v, want one checkout with 3 items", got)
	}
}

func ExampleNewLogger() {
	// See testCheckout: NewLogger needs the test's t.
}
