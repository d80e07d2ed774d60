package fapilog

import "strconv"

// A LossError is part of the error Close returns (joined with any sink's
// error and ctx's) when records were lost during the logger's life: find
// it with errors.As. Its counts are those of Stats when Close returned.
type LossError struct {
	// Dropped counts records never written (Stats.Dropped), Shed those
	// of them shed (Stats.Shed).
	Dropped, Shed uint64
	// Failed counts records a sink failed on (Stats.Failed).
	Failed uint64
}

// Error says how many records were lost, for example
// "fapilog: records lost: 12 dropped (10 shed), 3 failed".
func (e *LossError) Error() string {
	b := []byte("fapilog: records lost: ")
	b = strconv.AppendUint(b, e.Dropped, 10)
	b = append(b, " dropped ("...)
	b = strconv.AppendUint(b, e.Shed, 10)
	b = append(b, " shed), "...)
	b = strconv.AppendUint(b, e.Failed, 10)
	return string(append(b, " failed"...))
}

// loss returns a *LossError if st counts lost records, else nil.
func loss(st Stats) error {
	if st.Dropped == 0 && st.Failed == 0 {
		return nil
	}
	return &LossError{Dropped: st.Dropped, Shed: st.Shed, Failed: st.Failed}
}
