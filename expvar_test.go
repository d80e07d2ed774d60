package fapilog

import (
	"encoding/json"
	"expvar"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPublishExpvar(t *testing.T) {
	l, err := NewSync(Config{Sinks: []Sink{&memSink{}}})
	require.NoError(t, err)
	defer closeLogger(t, l)
	require.NoError(t, PublishExpvar("fapilog_test", l))
	require.ErrorContains(t, PublishExpvar("fapilog_test", l), "already published")

	read := func() Stats {
		t.Helper()
		rec := httptest.NewRecorder()
		expvar.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/vars", nil))
		var vars map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &vars))
		var st Stats
		require.NoError(t, json.Unmarshal(vars["fapilog_test"], &st), "%s", vars["fapilog_test"])
		return st
	}
	require.Equal(t, uint64(0), read().Written)
	l.Info("one")
	l.Info("two")
	st := read()
	require.Equal(t, uint64(2), st.Submitted, "read live")
	require.Equal(t, uint64(2), st.Written)
	require.Equal(t, l.Stats().QueueCap, st.QueueCap)
}
