// Package filesink is a fapilog Sink that writes JSON lines to a file and
// rotates it by size and by local wall-clock time, keeps a bounded number of
// gzipped or plain backups, and reopens its path on demand for an external
// logrotate.
//
// A Sink writes each batch with one write call per run of records that fit
// in the current file, straight to the file: it buffers nothing of its own,
// so a process that is killed loses only what it had not yet handed to the
// Sink. A record is never split across files.
//
// Backups sit next to the file as <name>-<UTC time>.<ext>, with the time
// as 2006-01-02T15-04-05.000 (milliseconds; two rotations in the same
// millisecond get consecutive milliseconds), plus .gz when compressed:
// app.log rotates to app-2026-11-27T14-05-09.123.log(.gz).
//
// To let logrotate (or any tool that renames the file) own rotation, wire
// Reopen to SIGHUP:
//
//	hup := make(chan os.Signal, 1)
//	signal.Notify(hup, syscall.SIGHUP)
//	go func() {
//		for range hup {
//			if err := sink.Reopen(); err != nil {
//				fmt.Fprintln(os.Stderr, "reopen log:", err)
//			}
//		}
//	}()
//
// Records written between the rename and Reopen land in the renamed file,
// as logrotate's create mode expects. One Sink owns a path: two Sinks (or
// processes) writing and rotating the same path are not supported.
package filesink
