package ship

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// A Spool keeps batches that could not be delivered in a directory, one
// file per batch, oldest first. A file is written to a temporary name and
// renamed into place, so a crash leaves either a whole batch or none; the
// names carry a sequence number, the record count and the idempotency key,
// so a Spool opened on a directory left by an earlier process resumes it
// in order. One process at a time may use a directory.
//
// A Spool is not safe for concurrent use.
type Spool struct {
	dir   string
	limit int64 // bytes; the oldest files are dropped beyond it
	files []spoolFile
	size  int64
	next  uint64
}

type spoolFile struct {
	name    string
	size    int64
	records int
	key     string
}

const (
	spoolExt    = ".batch"
	spoolTmpPfx = ".tmp-"
)

// OpenSpool opens (creating it, mode 0700) the spool directory dir, with
// a byte limit, and lists the batches already in it. Leftover temporary
// files of an interrupted write are removed.
func OpenSpool(dir string, limit int64) (*Spool, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("spool limit %d: must be positive", limit)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	s := &Spool{dir: dir, limit: limit}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, spoolTmpPfx) {
			os.Remove(filepath.Join(dir, name))
			continue
		}
		seq, records, key, ok := parseSpoolName(name)
		if !ok || !e.Type().IsRegular() {
			continue // not ours
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		s.files = append(s.files, spoolFile{name, info.Size(), records, key})
		s.size += info.Size()
		s.next = max(s.next, seq+1)
	}
	// ReadDir sorts by name and the sequence is zero-padded: oldest first.
	return s, nil
}

func spoolName(seq uint64, records int, key string) string {
	return fmt.Sprintf("%020d-%d-%s%s", seq, records, key, spoolExt)
}

func parseSpoolName(name string) (seq uint64, records int, key string, ok bool) {
	base, found := strings.CutSuffix(name, spoolExt)
	if !found {
		return 0, 0, "", false
	}
	parts := strings.SplitN(base, "-", 3)
	if len(parts) != 3 || len(parts[0]) != 20 {
		return 0, 0, "", false
	}
	seq, err1 := strconv.ParseUint(parts[0], 10, 64)
	records, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || records < 0 || !validKey(parts[2]) {
		return 0, 0, "", false
	}
	return seq, records, parts[2], true
}

// Len returns the number of batches in the spool.
func (s *Spool) Len() int { return len(s.files) }

// Size returns the bytes held by the spool.
func (s *Spool) Size() int64 { return s.size }

// Put adds p as the newest batch. To stay within the limit it first drops
// the oldest batches (or p itself, if p alone is over the limit) and
// returns the number of records dropped.
func (s *Spool) Put(p *Payload) (dropped int, err error) {
	n := int64(len(p.Body))
	if n > s.limit {
		return p.Records, nil
	}
	for len(s.files) > 0 && s.size+n > s.limit {
		dropped += s.files[0].records
		if err := s.Pop(); err != nil {
			return dropped, err
		}
	}
	name := spoolName(s.next, p.Records, p.Key)
	if err := writeFileAtomic(filepath.Join(s.dir, name), p.Body); err != nil {
		return dropped, err
	}
	s.next++
	s.files = append(s.files, spoolFile{name, n, p.Records, p.Key})
	s.size += n
	return dropped, nil
}

// Peek reads the oldest batch. The returned error is about that one file
// (unreadable, removed by hand); the caller should Pop it and go on.
func (s *Spool) Peek() (*Payload, error) {
	if len(s.files) == 0 {
		return nil, errors.New("spool is empty")
	}
	f := s.files[0]
	p := &Payload{Records: f.records, Key: f.key}
	body, err := os.ReadFile(filepath.Join(s.dir, f.name))
	p.Body = body
	return p, err
}

// Pop removes the oldest batch.
func (s *Spool) Pop() error {
	f := s.files[0]
	s.files = slices.Delete(s.files, 0, 1)
	s.size -= f.size
	err := os.Remove(filepath.Join(s.dir, f.name))
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	return err
}

// writeFileAtomic writes data to path through a temporary file in the
// same directory and a rename, mode 0600, synced before the rename.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), spoolTmpPfx+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
