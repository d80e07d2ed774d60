//go:build !linux

package fapilog

import "time"

// threadCPU returns 0: CPU time per thread is read on Linux only.
func threadCPU() time.Duration { return 0 }
