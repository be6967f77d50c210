package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrNotFound is matched (errors.Is) by an error about a profile that does not exist.
var ErrNotFound = errors.New("no such profile")

// ErrExists is matched (errors.Is) by an error about a profile name already taken.
var ErrExists = errors.New("profile already exists")

// nameError is ErrNotFound or ErrExists said with the name and the file.
type nameError struct {
	kind       error
	name, path string
}

func (e *nameError) Error() string {
	if e.kind == ErrExists {
		return fmt.Sprintf("a profile named %q already exists in %s", e.name, e.path)
	}
	return fmt.Sprintf("no profile named %q in %s", e.name, e.path)
}

func (e *nameError) Is(target error) bool { return target == e.kind }

// DefaultLockTimeout is how long a write waits for another tokenbench's write to finish.
const DefaultLockTimeout = 10 * time.Second

// Store is the profile file, profiles.yaml in a configuration directory. It reads the file when
// opened (opened by OpenProfile, on first use) and on Reload; each change takes an exclusive lock
// on profiles.yaml.lock, reads the file again, applies that one change, and replaces the file
// atomically, keeping the previous version as profiles.yaml.bak. Two processes saving at once
// therefore lose nothing. A file that does not load is never written. A Store is safe for
// concurrent use.
type Store struct {
	dir, path string
	// LockTimeout bounds the wait for the lock; DefaultLockTimeout when zero.
	LockTimeout time.Duration

	mu       sync.Mutex
	profiles []Profile
	loadErr  error
	warnings []string
	// unread is set by OpenProfile: the file is read on the first call that needs it.
	unread bool
	// afterTemp, when set (by tests), runs after the new file is written and synced under its
	// temporary name and before it is renamed into place: a crash there must leave the old file.
	afterTemp func(tmp string)
}

// Open reads the profile file in dir; a missing file (or directory) is an empty store, created on
// the first change. When the file cannot be loaded Open returns a *LoadError together with a
// usable, empty Store that refuses every change until the file is fixed.
func Open(dir string) (*Store, error) {
	s := &Store{dir: dir, path: filepath.Join(dir, FileName)}
	return s, s.Reload()
}

// Path is the profile file's path.
func (s *Store) Path() string { return s.path }

// Dir is the configuration directory.
func (s *Store) Dir() string { return s.dir }

// BackupPath is where the previous version of the file is kept.
func (s *Store) BackupPath() string { return s.path + ".bak" }

// Warnings are what the last load or save found worth telling the user: a directory or file that
// others can read (checked also by OpenProfile before the file is read).
func (s *Store) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.warnings)
}

// Err is the reason the file could not be loaded (a *LoadError), or nil.
func (s *Store) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readOnce()
	return s.loadErr
}

// Reload reads the file again.
func (s *Store) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reload()
}

// readOnce reads the file when the Store was opened without reading it (OpenProfile); s.mu is held.
func (s *Store) readOnce() {
	if s.unread {
		_ = s.reload() // the error stays in loadErr
	}
}

// reload reads the file; s.mu is held.
func (s *Store) reload() error {
	s.unread = false
	d, err := s.read()
	s.warnings = permissionWarnings(s.dir, s.path)
	if err != nil {
		s.profiles, s.loadErr = nil, err
		return err
	}
	s.profiles, s.loadErr = d.profiles, nil
	return nil
}

// read parses the file as it is on disk.
func (s *Store) read() (*document, error) {
	data, err := os.ReadFile(s.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, &LoadError{Path: s.path, Msg: "cannot be read: " + msg, Err: err}
	}
	return parseDocument(s.path, data)
}

// List returns every profile, sorted by name.
func (s *Store) List() []Profile {
	profiles, order := s.byName()
	out := make([]Profile, len(order))
	for i, j := range order {
		out[i] = profiles[j]
		out[i].detach()
	}
	return out
}

// All yields what List returns, one profile at a time: for a caller that looks at each once (a
// listing of thousands, which spares copying them all into one large slice).
func (s *Store) All() iter.Seq[Profile] {
	profiles, order := s.byName()
	return func(yield func(Profile) bool) {
		for _, j := range order {
			p := profiles[j]
			p.detach()
			if !yield(p) {
				return
			}
		}
	}
}

// byName returns the profiles and their order by name. A change replaces s.profiles whole and
// never writes into it, so the slice may be read after s.mu is released.
func (s *Store) byName() ([]Profile, []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readOnce()
	order := make([]int, len(s.profiles))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(s.profiles[a].Name, s.profiles[b].Name) })
	return s.profiles, order
}

// Names returns the profiles' names, sorted.
func (s *Store) Names() []string {
	var names []string
	for _, p := range s.List() {
		names = append(names, p.Name)
	}
	return names
}

// Get returns the named profile; the error matches ErrNotFound when there is none.
func (s *Store) Get(name string) (Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readOnce()
	if s.loadErr != nil {
		return Profile{}, s.loadErr
	}
	for _, p := range s.profiles {
		if p.Name == name {
			return p.Clone(), nil
		}
	}
	return Profile{}, &nameError{kind: ErrNotFound, name: name, path: s.path}
}

// Add saves a new profile; the error matches ErrExists when the name is taken. The profile is
// checked as an imported one is (see Import): a missing secret reference is allowed, since the
// caller may store the secret afterwards; `profile add` runs the full Validate first.
func (s *Store) Add(p Profile) error {
	if err := p.validate(false); err != nil {
		return err
	}
	return s.mutate(func(d *document) error {
		if d.index(p.Name) >= 0 {
			return &nameError{kind: ErrExists, name: p.Name, path: s.path}
		}
		return d.add(p)
	})
}

// Put saves p, replacing the profile of the same name or adding it. A replaced profile keeps its
// comments, and the keys this version does not know.
func (s *Store) Put(p Profile) error {
	if err := p.validate(false); err != nil {
		return err
	}
	return s.mutate(func(d *document) error {
		if i := d.index(p.Name); i >= 0 {
			return d.replace(i, p)
		}
		return d.add(p)
	})
}

// Delete removes the named profile; the error matches ErrNotFound when there is none. It returns
// the profile removed, so that the caller can clean up after it (a keyring entry).
func (s *Store) Delete(name string) (Profile, error) {
	var removed Profile
	err := s.mutate(func(d *document) error {
		i := d.index(name)
		if i < 0 {
			return &nameError{kind: ErrNotFound, name: name, path: s.path}
		}
		removed = d.profiles[i].Clone()
		d.remove(i)
		return nil
	})
	return removed, err
}

// Copy saves a copy of profile oldName as newName and returns it. A bare keyring: reference
// (whose account is the profile's name) becomes keyring:OLDNAME, so the copy uses the same secret.
func (s *Store) Copy(oldName, newName string) (Profile, error) {
	if err := ValidateName(newName); err != nil {
		return Profile{}, err
	}
	var p Profile
	err := s.mutate(func(d *document) error {
		i := d.index(oldName)
		if i < 0 {
			return &nameError{kind: ErrNotFound, name: oldName, path: s.path}
		}
		if d.index(newName) >= 0 {
			return &nameError{kind: ErrExists, name: newName, path: s.path}
		}
		p = d.profiles[i].Clone()
		p.Name = newName
		if p.ClientSecret.Kind() == SecretKeyring && p.ClientSecret.Target() == "" {
			p.ClientSecret = SecretRef("keyring:" + oldName)
		}
		return d.add(p)
	})
	return p, err
}

// UsesKeyringAccount lists the profiles, other than except, whose keyring: reference names account.
func (s *Store) UsesKeyringAccount(account, except string) []string {
	var names []string
	for _, p := range s.List() {
		if p.Name != except && p.ClientSecret.Kind() == SecretKeyring && p.ClientSecret.KeyringAccount(p.Name) == account {
			names = append(names, p.Name)
		}
	}
	return names
}
