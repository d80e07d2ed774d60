//go:build unix

package syslogsink

import (
	"net"
	"syscall"
)

// peerClosed reports whether the server closed the stream connection c.
// A syslog server never writes, so a non-blocking peek that finds EOF or
// an error (not "would block") means the connection is dead, and a batch
// written to it would be lost. A read deadline cannot do this: Go fails
// a read whose deadline has passed without trying it.
func peerClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	err = raw.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n == 0 && err == nil || err != nil && err != syscall.EAGAIN && err != syscall.EWOULDBLOCK && err != syscall.EINTR
		return true // never wait
	})
	return closed || err != nil
}
