//go:build !unix

package syslogsink

import "net"

// peerClosed cannot peek without blocking here: a connection the server
// closed is found by the write that fails, and that batch is resent.
func peerClosed(net.Conn) bool { return false }
