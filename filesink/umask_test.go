//go:build unix

package filesink

import (
	"os"
	"syscall"
)

// currentUmask returns the process umask (tests do not run in parallel).
func currentUmask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}
