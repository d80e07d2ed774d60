//go:build !unix

package filesink

import "os"

// currentUmask returns 0: there is no umask outside Unix.
func currentUmask() os.FileMode { return 0 }
