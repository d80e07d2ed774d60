package benchmarks

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/rs/zerolog"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// A shape is the record a scenario logs. Every logger writes the same
// information for a shape, each with its own idiomatic API.
type shape int

const (
	// fields10 is zap's "a message and 10 fields": an int, 10 ints, a
	// string, 10 strings, a time, 10 times, two user objects, 10 users and
	// an error.
	fields10 shape = iota
	// context10 is a static message from a logger carrying the same 10
	// fields as accumulated context (With).
	context10
	// static is a message alone.
	static
	// request is a message and 5 scalar fields, about 200 bytes a line:
	// the record of the file, slow-sink and group-commit scenarios.
	request
	// ten is the hot-path record of the root module's BenchmarkTenAttrs:
	// tenMsg and ten primitive fields (3 strings, 3 ints, 2 floats, a bool
	// and a duration), logged with a direct call.
	ten
	// tenVia is ten logged through a func value, so that the fields are
	// built per call and escape to the heap (see the loggers' cases).
	tenVia
	// child is a request's child logger: With a request id and a user,
	// then the request record on it, a new child per record.
	child
)

// requestIDs are the child shape's request ids, 1000 distinct.
var requestIDs = func() (ids [1000]string) {
	for i := range ids {
		ids[i] = fmt.Sprintf("req-%08x", i*2654435761)
	}
	return ids
}()

// requestID returns the request id of record i.
func requestID(i int) string { return requestIDs[i%len(requestIDs)] }

// messages are zap's benchmark messages: realistic length, 1000 distinct.
var messages = func() (m [1000]string) {
	for i := range m {
		m[i] = fmt.Sprintf("Test logging, but use a somewhat realistic message length. (#%d)", i)
	}
	return m
}()

// message returns the message of record i.
func message(i int) string { return messages[i%len(messages)] }

var (
	tenInts    = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	tenStrings = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	tenTimes   = func() (ts []time.Time) {
		for i := range 10 {
			ts = append(ts, time.Date(2026, 1, 1, 12, i, 0, 0, time.UTC))
		}
		return ts
	}()
	oneUser = &user{
		Name:      "Jane Doe",
		Email:     "jane@example.com",
		CreatedAt: time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC),
	}
	tenUsers   = users{oneUser, oneUser, oneUser, oneUser, oneUser, oneUser, oneUser, oneUser, oneUser, oneUser}
	errExample = errors.New("fail")
)

// A user is the "user object" of zap's benchmarks. Each logger encodes it
// with its own no-reflection interface (zap's ObjectMarshaler, zerolog's
// LogObjectMarshaler, slog's LogValuer); logrus, which has none, uses
// encoding/json through the struct tags.
type user struct {
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"createdAt"`
}

// MarshalLogObject encodes u for zap.
func (u *user) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("name", u.Name)
	enc.AddString("email", u.Email)
	enc.AddInt64("createdAt", u.CreatedAt.UnixNano())
	return nil
}

// MarshalZerologObject encodes u for zerolog.
func (u *user) MarshalZerologObject(e *zerolog.Event) {
	e.Str("name", u.Name).Str("email", u.Email).Int64("createdAt", u.CreatedAt.UnixNano())
}

// LogValue encodes u for slog and fapilog: a group resolved at call time.
func (u *user) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", u.Name),
		slog.String("email", u.Email),
		slog.Int64("createdAt", u.CreatedAt.UnixNano()),
	)
}

type users []*user

// MarshalLogArray encodes us for zap.
func (us users) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for _, u := range us {
		if err := enc.AppendObject(u); err != nil {
			return err
		}
	}
	return nil
}

// MarshalZerologArray encodes us for zerolog.
func (us users) MarshalZerologArray(a *zerolog.Array) {
	for _, u := range us {
		a.Object(u)
	}
}

// indexKeys are the keys of users' group members.
var indexKeys = func() (k [10]string) {
	for i := range k {
		k[i] = strconv.Itoa(i)
	}
	return k
}()

// LogValue encodes us for slog and fapilog. slog has no array kind, so the
// list is a group keyed by index ({"0":{…},"1":{…}}), a few bytes longer
// than the arrays the other loggers write.
func (us users) LogValue() slog.Value {
	as := make([]slog.Attr, len(us))
	for i, u := range us {
		as[i] = slog.Any(indexKeys[i%len(indexKeys)], u)
	}
	return slog.GroupValue(as...)
}

// zapFields10 returns the fields10 fields for zap, built per call as at a
// real call site (zap's fields escape to the heap either way).
func zapFields10() []zap.Field {
	return []zap.Field{
		zap.Int("int", tenInts[0]),
		zap.Ints("ints", tenInts),
		zap.String("string", tenStrings[0]),
		zap.Strings("strings", tenStrings),
		zap.Time("time", tenTimes[0]),
		zap.Times("times", tenTimes),
		zap.Object("user1", oneUser),
		zap.Object("user2", oneUser),
		zap.Array("users", tenUsers),
		zap.Error(errExample),
	}
}

func zapRequest(l *zap.Logger, msg string) {
	l.Info(msg,
		zap.String("method", "GET"),
		zap.String("path", "/api/v1/orders/1042"),
		zap.Int("status", 200),
		zap.Int("bytes", 5120),
		zap.Bool("cached", true),
	)
}

// zerologFields10 adds the fields10 fields to e.
func zerologFields10(e *zerolog.Event) *zerolog.Event {
	return e.
		Int("int", tenInts[0]).
		Ints("ints", tenInts).
		Str("string", tenStrings[0]).
		Strs("strings", tenStrings).
		Time("time", tenTimes[0]).
		Times("times", tenTimes).
		Object("user1", oneUser).
		Object("user2", oneUser).
		Array("users", tenUsers).
		Err(errExample)
}

// zerologContext10 embeds the fields10 fields in a zerolog context.
type zerologContext10 struct{}

func (zerologContext10) MarshalZerologObject(e *zerolog.Event) { zerologFields10(e) }

func zerologRequest(e *zerolog.Event) *zerolog.Event {
	return e.
		Str("method", "GET").
		Str("path", "/api/v1/orders/1042").
		Int("status", 200).
		Int("bytes", 5120).
		Bool("cached", true)
}

// slogFields10 fills a with the fields10 attrs. The caller's array stays
// on its stack, so the attrs are built per call, as at a real call site,
// without a heap slice. Slices go through slog.Any (slog has no array
// constructors); the users are LogValuers.
func slogFields10(a *[10]slog.Attr) []slog.Attr {
	a[0] = slog.Int("int", tenInts[0])
	a[1] = slog.Any("ints", tenInts)
	a[2] = slog.String("string", tenStrings[0])
	a[3] = slog.Any("strings", tenStrings)
	a[4] = slog.Time("time", tenTimes[0])
	a[5] = slog.Any("times", tenTimes)
	a[6] = slog.Any("user1", oneUser)
	a[7] = slog.Any("user2", oneUser)
	a[8] = slog.Any("users", tenUsers)
	a[9] = slog.Any("error", errExample)
	return a[:]
}

// slogRequest fills a with the request attrs, as slogFields10 does.
func slogRequest(a *[5]slog.Attr) []slog.Attr {
	a[0] = slog.String("method", "GET")
	a[1] = slog.String("path", "/api/v1/orders/1042")
	a[2] = slog.Int("status", 200)
	a[3] = slog.Int("bytes", 5120)
	a[4] = slog.Bool("cached", true)
	return a[:]
}

// tenMsg is the message of the ten shape, the same for every record.
const tenMsg = "Test logging, but use a somewhat realistic message length."

// The ten shape's values.
const (
	tenMethod = "GET"
	tenPath   = "/api/v1/orders/1042"
	tenUser   = "ann"
	tenStatus = 200
	tenBytes  = 5120
	tenItems  = 3
	tenRatio  = 0.875
	tenCost   = 12.5
	tenCached = true
	tenTook   = 1500 * time.Microsecond
)

// slogTen fills a with the ten attrs, as slogFields10 does: at a direct
// call the array stays on the caller's stack.
func slogTen(a *[10]slog.Attr) []slog.Attr {
	a[0] = slog.String("method", tenMethod)
	a[1] = slog.String("path", tenPath)
	a[2] = slog.String("user", tenUser)
	a[3] = slog.Int("status", tenStatus)
	a[4] = slog.Int("bytes", tenBytes)
	a[5] = slog.Int("items", tenItems)
	a[6] = slog.Float64("ratio", tenRatio)
	a[7] = slog.Float64("cost", tenCost)
	a[8] = slog.Bool("cached", tenCached)
	a[9] = slog.Duration("took", tenTook)
	return a[:]
}

// zapTen returns the ten fields for zap, built per call. zap's fields
// escape to the heap at a direct call too: zap.Logger.Info hands them to
// its Core, an interface.
func zapTen() []zap.Field {
	return []zap.Field{
		zap.String("method", tenMethod),
		zap.String("path", tenPath),
		zap.String("user", tenUser),
		zap.Int("status", tenStatus),
		zap.Int("bytes", tenBytes),
		zap.Int("items", tenItems),
		zap.Float64("ratio", tenRatio),
		zap.Float64("cost", tenCost),
		zap.Bool("cached", tenCached),
		zap.Duration("took", tenTook),
	}
}

// zerologTen adds the ten fields to e, zerolog's way: a chain of typed
// calls, each appending to the event's pooled buffer.
func zerologTen(e *zerolog.Event) *zerolog.Event {
	return e.
		Str("method", tenMethod).
		Str("path", tenPath).
		Str("user", tenUser).
		Int("status", tenStatus).
		Int("bytes", tenBytes).
		Int("items", tenItems).
		Float64("ratio", tenRatio).
		Float64("cost", tenCost).
		Bool("cached", tenCached).
		Dur("took", tenTook)
}

// tenFields are the ten fields as a value, for zerolog's func-value row:
// zerolog has no field values (a field is a call on the event), so the
// record's fields travel as a struct built per call, and are encoded by
// the same typed calls as zerologTen's.
type tenFields struct {
	method, path, user   string
	status, bytes, items int
	ratio, cost          float64
	cached               bool
	took                 time.Duration
}

// newTenFields returns the ten fields, on the heap if they escape.
func newTenFields() *tenFields {
	return &tenFields{
		tenMethod, tenPath, tenUser,
		tenStatus, tenBytes, tenItems,
		tenRatio, tenCost, tenCached, tenTook,
	}
}

// MarshalZerologObject adds f to e.
func (f *tenFields) MarshalZerologObject(e *zerolog.Event) {
	e.Str("method", f.method).Str("path", f.path).Str("user", f.user).
		Int("status", f.status).Int("bytes", f.bytes).Int("items", f.items).
		Float64("ratio", f.ratio).Float64("cost", f.cost).
		Bool("cached", f.cached).Dur("took", f.took)
}

func logrusFields10() logrus.Fields {
	return logrus.Fields{
		"int":     tenInts[0],
		"ints":    tenInts,
		"string":  tenStrings[0],
		"strings": tenStrings,
		"time":    tenTimes[0],
		"times":   tenTimes,
		"user1":   oneUser,
		"user2":   oneUser,
		"users":   tenUsers,
		"error":   errExample,
	}
}

func logrusRequest() logrus.Fields {
	return logrus.Fields{
		"method": "GET",
		"path":   "/api/v1/orders/1042",
		"status": 200,
		"bytes":  5120,
		"cached": true,
	}
}
