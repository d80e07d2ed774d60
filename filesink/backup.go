package filesink

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// backupLayout is the UTC time in a backup's name: sortable, free of ':'
// (which Windows forbids) and precise to the millisecond.
const backupLayout = "2006-01-02T15-04-05.000"

// Suffixes a backup's name may end with, after the log file's extension.
const (
	gzSuffix  = ".gz"
	tmpSuffix = ".gz.tmp" // a compression in progress, or cut short by a crash
)

// backups names and finds the rotated files of one log file: for
// /var/log/app.log they are /var/log/app-<time>.log, .log.gz and .log.gz.tmp.
type backups struct {
	dir, prefix, ext string
}

func newBackups(path string) backups {
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	return backups{dir: filepath.Dir(path), prefix: strings.TrimSuffix(base, ext) + "-", ext: ext}
}

// name returns the path of the uncompressed backup rotated at t.
func (b backups) name(t time.Time) string {
	return filepath.Join(b.dir, b.prefix+t.UTC().Format(backupLayout)+b.ext)
}

// exists reports whether a backup rotated at t exists, compressed or not.
func (b backups) exists(t time.Time) bool {
	name := b.name(t)
	for _, p := range []string{name, name + gzSuffix, name + tmpSuffix} {
		if _, err := os.Lstat(p); err == nil {
			return true
		}
	}
	return false
}

// A backup is the files rotated at one time: the plain file, its .gz, or
// both while it is being compressed.
type backup struct {
	time  time.Time
	plain string // "" if absent
	gz    string // "" if absent
	tmp   string // "" if absent
}

// list returns the backups in the directory, oldest first. Only names that
// match the pattern exactly, with a time that parses, are listed: nothing
// else in the directory is ever touched.
func (b backups) list() ([]backup, error) {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return nil, err
	}
	var found []backup
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		t, kind, ok := b.parse(e.Name())
		if !ok {
			continue
		}
		i := slices.IndexFunc(found, func(x backup) bool { return x.time.Equal(t) })
		if i < 0 {
			found = append(found, backup{time: t})
			i = len(found) - 1
		}
		path := filepath.Join(b.dir, e.Name())
		switch kind {
		case "":
			found[i].plain = path
		case gzSuffix:
			found[i].gz = path
		default:
			found[i].tmp = path
		}
	}
	slices.SortFunc(found, func(x, y backup) int { return x.time.Compare(y.time) })
	return found, nil
}

// parse splits a file name into a backup's time and suffix ("", ".gz" or
// ".gz.tmp").
func (b backups) parse(name string) (t time.Time, suffix string, ok bool) {
	rest, found := strings.CutPrefix(name, b.prefix)
	if !found {
		return t, "", false
	}
	for _, suffix = range []string{"", gzSuffix, tmpSuffix} {
		stamp, found := strings.CutSuffix(rest, b.ext+suffix)
		if !found || len(stamp) != len(backupLayout) {
			continue
		}
		if t, err := time.Parse(backupLayout, stamp); err == nil {
			return t, suffix, true
		}
	}
	return t, "", false
}

// prune removes the backups beyond the newest maxBackups and those rotated
// before cutoff (zero values: no limit). Temporary files are left to the
// compressor, which may be writing them.
func (b backups) prune(maxBackups int, cutoff time.Time) error {
	list, err := b.list()
	if err != nil {
		return err
	}
	list = slices.DeleteFunc(list, func(x backup) bool { return x.plain == "" && x.gz == "" })
	var errs []error
	for i, x := range list {
		newer := len(list) - 1 - i // backups newer than x
		if (maxBackups > 0 && newer >= maxBackups) || x.time.Before(cutoff) {
			for _, p := range []string{x.plain, x.gz} {
				if p != "" {
					errs = append(errs, removeIfExists(p))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
