package filesink

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// errInterrupted stops a compression cut short by Interrupt.
var errInterrupted = errors.New("filesink: compression interrupted")

// A compressor gzips backups on a goroutine of its own, oldest first.
// Enqueueing never blocks the writer.
type compressor struct {
	dirMu  *sync.Mutex // the Sink's: held while a result is renamed into place
	report func(error)

	mu    sync.Mutex
	queue []string

	wake        chan struct{} // 1-buffered: there is work
	stop        chan struct{} // closed by close: finish the queue, then exit
	stopOnce    sync.Once
	done        chan struct{} // closed when the goroutine exits
	interrupted atomic.Bool   // abandon the queue and the file in hand
}

func startCompressor(dirMu *sync.Mutex, report func(error), pending []string) *compressor {
	c := &compressor{
		dirMu:  dirMu,
		report: report,
		queue:  pending,
		wake:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	go c.run()
	return c
}

// add queues the backup at path.
func (c *compressor) add(path string) {
	c.mu.Lock()
	c.queue = append(c.queue, path)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// close compresses what is queued (unless interrupted) and waits for the
// goroutine to exit.
func (c *compressor) close() {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
}

// interrupt makes the goroutine exit soon, leaving what it has not
// compressed as plain backups (the next Sink on the path compresses them).
func (c *compressor) interrupt() {
	c.interrupted.Store(true)
	c.stopOnce.Do(func() { close(c.stop) })
}

func (c *compressor) next() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) == 0 {
		return "", false
	}
	path := c.queue[0]
	c.queue = c.queue[1:]
	return path, true
}

func (c *compressor) run() {
	defer close(c.done)
	for !c.interrupted.Load() {
		path, ok := c.next()
		if !ok {
			select {
			case <-c.wake:
				continue
			case <-c.stop:
				// add happens under the Sink's lock before close sets
				// closed, so the queue is complete once stop is closed.
				if path, ok = c.next(); !ok {
					return
				}
			}
		}
		if err := c.compress(path); err != nil && !errors.Is(err, errInterrupted) {
			c.report(err)
		}
	}
}

// compress writes path's gzip to a temporary name, then renames it to
// path+".gz" and removes path, so the .gz is never seen half-written.
func (c *compressor) compress(path string) (err error) {
	in, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // pruned before its turn
	}
	if err != nil {
		return fmt.Errorf("filesink: compress: %w", err)
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return fmt.Errorf("filesink: compress: %w", err)
	}
	tmp := path + tmpSuffix
	if err := c.write(tmp, in, info); err != nil {
		removeIfExists(tmp)
		return err
	}
	c.dirMu.Lock()
	defer c.dirMu.Unlock()
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return removeIfExists(tmp) // pruned while being compressed
	}
	if err := os.Rename(tmp, path+gzSuffix); err != nil {
		removeIfExists(tmp)
		return fmt.Errorf("filesink: compress: %w", err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("filesink: compressed, but: %w", err)
	}
	return nil
}

// write gzips in into a new file at tmp and syncs it.
func (c *compressor) write(tmp string, in *os.File, info fs.FileInfo) error {
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return fmt.Errorf("filesink: compress: %w", err)
	}
	zw := gzip.NewWriter(out)
	zw.Name = filepath.Base(in.Name())
	zw.ModTime = info.ModTime()
	_, err = io.Copy(zw, interruptible{in, &c.interrupted})
	err = errors.Join(err, zw.Close(), out.Sync(), out.Close())
	if err != nil && !errors.Is(err, errInterrupted) {
		err = fmt.Errorf("filesink: compress %s: %w", tmp, err)
	}
	return err
}

// interruptible reads from r until flag is set.
type interruptible struct {
	r    io.Reader
	flag *atomic.Bool
}

func (r interruptible) Read(p []byte) (int, error) {
	if r.flag.Load() {
		return 0, errInterrupted
	}
	return r.r.Read(p)
}
