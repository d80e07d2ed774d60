package filesink

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
)

// ErrClosed is returned by a Sink's methods after Close.
var ErrClosed = errors.New("filesink: sink closed")

// A Sink is a fapilog.Sink writing to a file it rotates. Its methods are
// safe for concurrent use: Rotate and Reopen may be called from any
// goroutine (a signal handler's, say) while batches are written.
//
// Rotation and pruning run on the goroutine that calls WriteBatch, Rotate
// or Reopen; compression on a goroutine of the Sink's own, which Close
// waits for.
type Sink struct {
	path    string
	opts    Options
	backups backups
	now     func() time.Time // the clock; tests drive it

	mu      sync.Mutex // held across every use of the file
	file    *os.File   // nil after a failure: the next batch reopens
	size    int64      // bytes in file
	next    time.Time  // when RotateEvery next rotates; zero if it does not
	rotated time.Time  // the time in the newest backup's name
	closed  bool
	writes  int // write calls made, for tests

	dirMu sync.Mutex // held while backups are pruned or a .gz renamed into place
	comp  *compressor

	errMu  sync.Mutex
	bgErr  error // the first from work no caller waits on, returned by Flush
	bgMore int   // errors since bgErr
}

var _ fapilog.Sink = (*Sink)(nil)

// New opens (creating it and its directories as needed) the file at path
// for appending and returns a Sink writing to it. A directory that cannot
// be made, a file that cannot be opened for writing, or invalid opts are
// errors. New also removes temporary files a crash left mid-compression,
// queues backups left uncompressed for compression (when opts.Compress is
// set) and prunes old backups.
func New(path string, opts Options) (*Sink, error) {
	return newSink(path, opts, time.Now)
}

func newSink(path string, opts Options, now func() time.Time) (*Sink, error) {
	if path == "" {
		return nil, errors.New("filesink: empty path")
	}
	opts, err := opts.validate()
	if err != nil {
		return nil, err
	}
	s := &Sink{path: path, opts: opts, backups: newBackups(path), now: now}
	if err := s.open(); err != nil {
		return nil, err
	}
	list, err := s.backups.list()
	if err != nil {
		s.file.Close()
		return nil, fmt.Errorf("filesink: %w", err)
	}
	var pending []string
	for _, b := range list {
		s.rotated = b.time // list is oldest first: new names sort after these
		if b.tmp != "" {
			removeIfExists(b.tmp) // no compressor runs yet: a crash's leftover
		}
		if opts.Compress && b.plain != "" {
			pending = append(pending, b.plain)
		}
	}
	if opts.Compress {
		s.comp = startCompressor(&s.dirMu, s.report, pending)
	}
	s.prune()
	return s, nil
}

// String returns "file:" and the path.
func (s *Sink) String() string { return "file:" + s.path }

// Format returns Options.Format: the worker encodes the Sink's records in
// it.
func (s *Sink) Format() fapilog.Format { return s.opts.Format }

// WriteBatch appends the records of b to the file, rotating before any
// record that would take the file past MaxSize and before the first record
// once RotateEvery's time has come. Each run of records that fit is one
// write call. If the file cannot be opened or written, WriteBatch returns
// the error, cuts the file back to its last whole record when it can, and
// reopens the file on the next call; the batch's records before the
// failing run (in files rotated meanwhile) stay written.
func (s *Sink) WriteBatch(b *fapilog.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.file == nil {
		if err := s.open(); err != nil {
			return err
		}
	}
	if !s.next.IsZero() && !s.now().Before(s.next) {
		if s.size == 0 {
			s.next = nextRotation(s.now(), s.opts.RotateEvery)
		} else if err := s.rotate(); err != nil {
			return err
		}
	}
	buf := b.Bytes()
	if s.opts.MaxSize == 0 {
		return s.write(buf)
	}
	// A batch's records lie end to end in b.Bytes(): buf[start:end] is the
	// run that goes into the current file.
	start, end := 0, 0
	for i := range b.Len() {
		n := len(b.Record(i))
		if run := s.size + int64(end-start); run > 0 && run+int64(n) > s.opts.MaxSize {
			if err := s.write(buf[start:end]); err != nil {
				return err
			}
			if err := s.rotate(); err != nil {
				return err
			}
			start = end
		}
		end += n
	}
	return s.write(buf[start:end])
}

// Flush returns (once) any error from work done off the write path since
// the last call: compression, pruning, syncing a rotated file. It does not
// fsync: the Sink buffers nothing, so what WriteBatch wrote is in the
// operating system's hands and survives the process being killed. Call
// Sync to survive the machine crashing too.
func (s *Sink) Flush() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	err, more := s.bgErr, s.bgMore
	s.bgErr, s.bgMore = nil, 0
	if more > 0 {
		return fmt.Errorf("%w (and %d more errors)", err, more)
	}
	return err
}

// Sync commits the file's contents to stable storage (fsync).
func (s *Sink) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.file == nil {
		return nil
	}
	return syncFile(s.file)
}

// Close syncs and closes the file, waits for the backups queued for
// compression to be compressed, and returns any error from these or
// pending from earlier background work. Later calls return nil.
func (s *Sink) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.closeFile()
	s.mu.Unlock()
	if s.comp != nil {
		s.comp.close()
	}
	return errors.Join(err, s.Flush())
}

// Interrupt makes a Close that is waiting for compression return soon:
// backups not yet compressed stay plain, and the next Sink opened on the
// path compresses them. The logger calls it when its Close deadline
// passes.
func (s *Sink) Interrupt() {
	if s.comp != nil {
		s.comp.interrupt()
	}
}

// Rotate renames the file to a backup now and opens a new, empty one (even
// if the file was empty).
func (s *Sink) Rotate() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return s.rotate()
}

// Reopen closes the file and opens the path again, creating it if it is
// gone. Call it after a tool such as logrotate renamed the file, for
// instance on SIGHUP (see the package documentation); until then records
// keep going to the renamed file.
func (s *Sink) Reopen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.report(s.closeFile())
	return s.open()
}

// open opens the path for appending, creating its directories. Under s.mu.
func (s *Sink) open() error {
	if err := os.MkdirAll(filepath.Dir(s.path), dirMode(s.opts.Mode)); err != nil {
		return fmt.Errorf("filesink: directory of %s: %w", s.path, err)
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, s.opts.Mode)
	if err != nil {
		return fmt.Errorf("filesink: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("filesink: %w", err)
	}
	s.file, s.size = f, info.Size()
	if s.opts.RotateEvery > 0 {
		now := s.now()
		from := now
		if s.size > 0 {
			from = info.ModTime().In(now.Location())
		}
		s.next = nextRotation(from, s.opts.RotateEvery)
	}
	return nil
}

// write appends p, one record or more, to the file. Under s.mu.
func (s *Sink) write(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	s.writes++
	n, err := s.file.Write(p)
	if err == nil {
		s.size += int64(n)
		return nil
	}
	// Cut off the part of a record a failed write may have left, unless
	// someone else changed the file meanwhile.
	if info, serr := s.file.Stat(); serr == nil && info.Mode().IsRegular() && info.Size() == s.size+int64(n) {
		s.file.Truncate(s.size)
	}
	s.file.Close()
	s.file = nil
	return fmt.Errorf("filesink: %w", err)
}

// rotate renames the file to a new backup, opens a new file at the path,
// queues the backup for compression and prunes. Under s.mu.
func (s *Sink) rotate() error {
	s.report(s.closeFile()) // what was written is written; a sync error is news, not a failed batch
	t := s.now().UTC().Truncate(time.Millisecond)
	// Names must be unique and in order even if the clock stands still or
	// steps back: take the next free millisecond.
	if !t.After(s.rotated) {
		t = s.rotated.Add(time.Millisecond)
	}
	for s.backups.exists(t) {
		t = t.Add(time.Millisecond)
	}
	backup := s.backups.name(t)
	// Only a regular file is backed up: a missing path, a directory or a
	// device (/dev/stdout) is just opened again.
	var renamed bool
	if info, err := os.Stat(s.path); err == nil && info.Mode().IsRegular() {
		if err := os.Rename(s.path, backup); err != nil {
			return fmt.Errorf("filesink: rotate: %w", err)
		}
		renamed = true
	}
	if renamed {
		s.rotated = t
		if s.comp != nil {
			s.comp.add(backup)
		}
		s.prune()
	}
	return s.open()
}

// prune removes the backups MaxBackups and MaxAge no longer allow.
func (s *Sink) prune() {
	if s.opts.MaxBackups == 0 && s.opts.MaxAge == 0 {
		return
	}
	var cutoff time.Time
	if s.opts.MaxAge > 0 {
		cutoff = s.now().Add(-s.opts.MaxAge)
	}
	s.dirMu.Lock()
	defer s.dirMu.Unlock()
	if err := s.backups.prune(s.opts.MaxBackups, cutoff); err != nil {
		s.report(fmt.Errorf("filesink: prune: %w", err))
	}
}

// closeFile syncs and closes the file, if open. Under s.mu.
func (s *Sink) closeFile() error {
	if s.file == nil {
		return nil
	}
	err := errors.Join(syncFile(s.file), s.file.Close())
	s.file = nil
	if err != nil {
		return fmt.Errorf("filesink: %w", err)
	}
	return nil
}

// syncFile fsyncs f; files that cannot be synced (devices, pipes) are not
// an error.
func syncFile(f *os.File) error {
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// report keeps err, if not nil, for the next Flush: the first error since
// the last Flush, and how many more there were.
func (s *Sink) report(err error) {
	if err == nil {
		return
	}
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.bgErr == nil {
		s.bgErr = err
	} else {
		s.bgMore++
	}
}
