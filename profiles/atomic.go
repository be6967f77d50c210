package profiles

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/gofrs/flock"
)

// tempPrefix starts the name of the temporary file a save writes before renaming it into place.
const tempPrefix = ".profiles.yaml.tmp-"

// mutate applies one change to the file: under the lock it reads the file as it is now, refuses
// if it does not load, applies change, and writes the result atomically with a backup of the
// previous version. The store then holds what was written.
func (s *Store) mutate(change func(*document) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the configuration directory: %w", err)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()

	old, err := os.ReadFile(s.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("cannot read %s: %w", s.path, err)
	}
	d, err := parseDocument(s.path, old)
	if err != nil {
		s.profiles, s.loadErr, s.unread = nil, err, false
		return fmt.Errorf("not saved: %w", err)
	}
	if err := change(d); err != nil {
		return err
	}
	data, err := d.marshal()
	if err != nil {
		return fmt.Errorf("cannot encode the profiles: %w", err)
	}
	// Never write what could not be read back.
	fresh, err := parseDocument(s.path, data)
	if err != nil {
		return fmt.Errorf("not saved: the new file would not load (a bug in tokenbench): %w", err)
	}
	s.removeStaleTemps()
	if old != nil {
		backup, err := backupOf(s.path, old, fresh)
		if err != nil {
			return fmt.Errorf("not saved: cannot keep the backup: %w", err)
		}
		if err := writeAtomic(s.BackupPath(), tempPrefix, backup, nil); err != nil {
			return fmt.Errorf("not saved: cannot keep the backup: %w", err)
		}
	}
	if err := writeAtomic(s.path, tempPrefix, data, s.afterTemp); err != nil {
		return fmt.Errorf("not saved: %w", err)
	}
	s.profiles, s.loadErr, s.unread = fresh.profiles, nil, false
	s.warnings = permissionWarnings(s.dir, s.path)
	return nil
}

// lock takes the exclusive lock on profiles.yaml.lock, waiting up to LockTimeout for another
// writer. The lock file stays: removing it would let two writers lock two different files.
func (s *Store) lock() (func(), error) {
	timeout := s.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	l := flock.New(s.path+".lock", flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, 10*time.Millisecond)
	switch {
	case err != nil && ctx.Err() == nil:
		return nil, fmt.Errorf("cannot lock %s: %w", l.Path(), err)
	case !ok:
		return nil, fmt.Errorf("another tokenbench has been saving profiles for %s (it holds the lock %s); try again", timeout, l.Path())
	}
	return func() { l.Unlock() }, nil //nolint:errcheck // closing the descriptor releases the lock anyway
}

// WritePrivateFile writes data to path for the user alone, for a file that holds secrets or
// tokens (a trace, a generated key): a new temporary file in the same directory, created
// exclusively (O_EXCL) with mode 0600, is renamed over path, so that an existing file of any mode
// ends 0600 and no symbolic link is ever written through. A path that is a symbolic link, dangling
// or not, is refused: its target is not a file the user asked to have replaced.
func WritePrivateFile(path string, data []byte) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		return fmt.Errorf("%s is a symbolic link (to %s): not written, so that nothing is written through it; give the path of a regular file", path, target)
	} else if err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file: not written", path)
	}
	return writeAtomic(path, "."+filepath.Base(path)+".tmp-", data, nil)
}

// writeAtomic replaces path with data: a temporary file in the same directory (its name starting
// with prefix), mode 0600, synced, then renamed over path, and the directory synced. hook, when
// set, runs before the rename.
func writeAtomic(path, prefix string, data []byte, hook func(tmp string)) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), prefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if hook != nil {
		hook(tmp)
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename in dir durable; where directories cannot be synced (Windows) it does
// nothing.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync() //nolint:errcheck // best effort: the rename itself has happened
	d.Close()
}

// removeStaleTemps deletes temporary files left by a save that crashed before its rename. It runs
// under the lock, when no other save can be writing one.
func (s *Store) removeStaleTemps() {
	matches, _ := filepath.Glob(filepath.Join(s.dir, tempPrefix+"*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

// permissionWarnings says when the directory or the file is open to other users. Windows has no
// such mode bits.
func permissionWarnings(dir, path string) []string {
	if runtime.GOOS == "windows" {
		return nil
	}
	var w []string
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		w = append(w, fmt.Sprintf("the configuration directory %s is open to other users (mode %04o): chmod 700 %s", dir, fi.Mode().Perm(), dir))
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		w = append(w, fmt.Sprintf("the profile file %s can be read by other users (mode %04o): chmod 600 %s (the next save also fixes it)", path, fi.Mode().Perm(), path))
	}
	return w
}

// backupOf is what profiles.yaml.bak keeps of the previous file old, given the file about to be
// written: old as it was, except that a plain secret the new file no longer holds is dropped. The
// backup is for undoing a mistake, not a place where a secret the user just moved out of the file
// (profile edit --client-secret-ref env:X, as tokenbench itself advises) lives on.
func backupOf(path string, old []byte, fresh *document) ([]byte, error) {
	kept := map[string]bool{}
	for _, p := range fresh.profiles {
		if p.ClientSecret.Kind() == SecretPlain {
			kept[p.ClientSecret.Target()] = true
		}
	}
	prev, err := parseDocument(path, old)
	if err != nil {
		return nil, err
	}
	if !prev.dropPlainSecrets(kept) {
		return old, nil
	}
	return prev.marshal()
}
