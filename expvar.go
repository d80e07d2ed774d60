package fapilog

import (
	"expvar"
	"fmt"
	"sync"
)

// A StatsSource reports a pipeline's counters. Both AsyncLogger and
// SyncLogger are StatsSources.
type StatsSource interface{ Stats() Stats }

var expvarMu sync.Mutex // makes PublishExpvar's check and publish one step

// PublishExpvar publishes l's Stats as the expvar name, read anew each time
// the variable is: /debug/vars (served by importing expvar) shows it as a
// JSON object with Stats' field names. It returns an error, rather than
// panicking as expvar.Publish does, if name is taken.
func PublishExpvar(name string, l StatsSource) error {
	expvarMu.Lock()
	defer expvarMu.Unlock()
	if expvar.Get(name) != nil {
		return fmt.Errorf("fapilog: PublishExpvar: expvar %q is already published", name)
	}
	expvar.Publish(name, expvar.Func(func() any { return l.Stats() }))
	return nil
}
