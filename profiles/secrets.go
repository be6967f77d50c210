package profiles

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultCmdTimeout bounds a cmd: reference's command: long enough for a password manager to ask
// for its passphrase, short enough that a stuck command does not hang tokenbench.
const DefaultCmdTimeout = 60 * time.Second

// Secrets resolves secret references to the secrets they name, and stores secrets in the OS
// keyring. Its zero value is not ready: use NewSecrets. It is safe for concurrent use.
type Secrets struct {
	// Keyring is the OS keyring, or a stand-in in tests.
	Keyring Keyring
	// Getenv reads env: references; the command line passes its own, tests a map.
	Getenv func(string) string
	// CmdTimeout bounds a cmd: reference's command.
	CmdTimeout time.Duration
	// KeyringTimeout bounds one keyring operation: a Secret Service that never answers (a locked
	// collection whose unlock prompt nobody sees) must not hang the command.
	KeyringTimeout time.Duration

	mu       sync.Mutex
	warnings []string
}

// NewSecrets returns a resolver using the OS keyring and the process's environment.
func NewSecrets() *Secrets {
	return &Secrets{Keyring: OSKeyring(), Getenv: os.Getenv, CmdTimeout: DefaultCmdTimeout, KeyringTimeout: DefaultKeyringTimeout}
}

// Warnings returns what resolving found worth saying (a secret file readable by others), each
// once, in order.
func (s *Secrets) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.warnings)
}

func (s *Secrets) warn(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.warnings, msg) {
		s.warnings = append(s.warnings, msg)
	}
}

// SecretError is a secret that could not be had: which reference, and why. Its message never
// holds the secret.
type SecretError struct {
	Ref SecretRef
	Err error
}

// Error names the reference, masked, and the cause.
func (e *SecretError) Error() string {
	return fmt.Sprintf("client secret %s: %v", e.Ref.Masked(), e.Err)
}

// Unwrap returns the cause.
func (e *SecretError) Unwrap() error { return e.Err }

// Resolve returns the secret ref names; profileName is the keyring account of a bare keyring:.
// A plain: reference is returned as it is: whether it is allowed is the profile's business
// (Validate).
func (s *Secrets) Resolve(ctx context.Context, ref SecretRef, profileName string) (string, error) {
	v, err := s.resolve(ctx, ref, profileName)
	if err != nil {
		return "", &SecretError{Ref: ref, Err: err}
	}
	return v, nil
}

func (s *Secrets) resolve(ctx context.Context, ref SecretRef, profileName string) (string, error) {
	target := ref.Target()
	switch ref.Kind() {
	case SecretKeyring:
		return s.keyringGet(ctx, ref.KeyringAccount(profileName), profileName)
	case SecretEnv:
		if err := ref.check(false); err != nil {
			return "", err
		}
		getenv := s.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		v := getenv(target)
		if v == "" {
			return "", fmt.Errorf("the environment variable %s is not set or empty", target)
		}
		return v, nil
	case SecretFile:
		return s.readSecretFile(target)
	case SecretCmd:
		return s.runSecretCmd(ctx, target)
	case SecretPlain:
		if target == "" {
			return "", errors.New("plain: holds no secret")
		}
		return target, nil
	}
	return "", ref.check(false)
}

// readSecretFile reads a file: reference, warning when others may read the file.
func (s *Secrets) readSecretFile(path string) (string, error) {
	path = ExpandHome(path)
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		s.warn(fmt.Sprintf("the secret file %s can be read by other users (mode %04o): chmod 600 %s", path, fi.Mode().Perm(), path))
	}
	data, err := readLimited(f, maxSecretSize)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	v := trimNewline(string(data))
	if v == "" {
		return "", fmt.Errorf("the file %s is empty", path)
	}
	return v, nil
}

// maxSecretSize bounds what a file: or cmd: reference may produce.
const maxSecretSize = 64 << 10

// trimNewline drops one trailing newline (\n or \r\n), as editors and `echo` add one.
func trimNewline(s string) string {
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		return strings.TrimSuffix(t, "\r")
	}
	return s
}

// ExpandHome replaces a leading ~/ by the user's home directory.
func ExpandHome(path string) string {
	rest, ok := strings.CutPrefix(path, "~/")
	if !ok && path != "~" {
		return path
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return path
	}
	if !ok {
		return home
	}
	return filepath.Join(home, rest)
}
