package profiles

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the keyring service under which tokenbench keeps client secrets.
const KeyringService = "tokenbench"

// DefaultKeyringTimeout bounds one keyring operation.
const DefaultKeyringTimeout = 30 * time.Second

// Keyring is an OS keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on
// Windows. Get returns ErrSecretNotFound (or an error wrapping it) when there is no such entry.
type Keyring interface {
	Get(service, account string) (string, error)
	Set(service, account, secret string) error
	Delete(service, account string) error
}

// ErrSecretNotFound is a keyring with no entry for the account.
var ErrSecretNotFound = keyring.ErrNotFound

// ErrKeyringUnavailable is matched (errors.Is) by every failure to reach the OS keyring.
var ErrKeyringUnavailable = errors.New("the OS keyring is not available")

// OSKeyring returns the OS keyring through github.com/zalando/go-keyring. Its calls are serialized,
// which also makes keyring.MockInit's in-memory stand-in safe for concurrent tests.
func OSKeyring() Keyring { return osKeyring{} }

type osKeyring struct{}

// keyringMu serializes calls into go-keyring, whose mock is a plain map.
var keyringMu sync.Mutex

func (osKeyring) Get(service, account string) (string, error) {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	return keyring.Get(service, account)
}

func (osKeyring) Set(service, account, secret string) error {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	return keyring.Set(service, account, secret)
}

func (osKeyring) Delete(service, account string) error {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	return keyring.Delete(service, account)
}

// keyringError is a keyring that could not be reached; its message offers the other kinds of
// reference.
type keyringError struct{ err error }

func (e *keyringError) Error() string {
	where := "the OS keyring"
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		where = "the Secret Service (D-Bus) keyring"
	case "darwin":
		where = "the macOS Keychain"
	case "windows":
		where = "the Windows Credential Manager"
	}
	return fmt.Sprintf("%s is not available (%v); there is usually none on a headless server, over SSH without a desktop session, or in CI: keep the secret in an environment variable (env:NAME), a file only you can read (file:PATH) or a password manager (cmd:COMMAND) instead", where, e.err)
}

func (e *keyringError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrKeyringUnavailable) true.
func (e *keyringError) Is(target error) bool { return target == ErrKeyringUnavailable }

// keyringCall runs op against the keyring, giving up after the timeout or when ctx ends: an
// unanswered D-Bus call must not hang the command. op keeps running in the background then.
func (s *Secrets) keyringCall(ctx context.Context, op func(Keyring) error) error {
	kr := s.Keyring
	if kr == nil {
		kr = OSKeyring()
	}
	timeout := s.KeyringTimeout
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	done := make(chan error, 1)
	go func() { done <- op(kr) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return &keyringError{err: fmt.Errorf("no answer within %s", timeout)}
	}
}

// keyringGet reads account's secret.
func (s *Secrets) keyringGet(ctx context.Context, account, profileName string) (string, error) {
	var v string
	err := s.keyringCall(ctx, func(kr Keyring) error {
		var err error
		v, err = kr.Get(KeyringService, account)
		return err
	})
	switch {
	case errors.Is(err, ErrSecretNotFound):
		return "", &notFoundError{msg: fmt.Sprintf("the OS keyring has no secret for service %q, account %q; store it with: tokenbench profile edit %s --client-secret-ref %s", KeyringService, account, profileName, keyringRefFor(account, profileName))}
	case err != nil:
		return "", classifyKeyringError(ctx, err)
	case v == "":
		return "", fmt.Errorf("the OS keyring holds an empty secret for account %q", account)
	}
	return v, nil
}

// notFoundError is a keyring without the entry, said with what to do; it matches
// ErrSecretNotFound.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }
func (e *notFoundError) Unwrap() error { return ErrSecretNotFound }

// keyringRefFor is the reference naming account from a profile called profileName.
func keyringRefFor(account, profileName string) string {
	if account == profileName {
		return "keyring:"
	}
	return "keyring:" + account
}

// classifyKeyringError turns a keyring failure other than "not found" into one saying the keyring
// is unavailable, unless the context ended.
func classifyKeyringError(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return err
	}
	var ke *keyringError
	if errors.As(err, &ke) {
		return err
	}
	return &keyringError{err: err}
}

// StoreKeyring saves secret in the OS keyring under the account ref names (ref must be a keyring:
// reference; profileName is the account of a bare keyring:).
func (s *Secrets) StoreKeyring(ctx context.Context, ref SecretRef, profileName, secret string) error {
	if ref.Kind() != SecretKeyring {
		return fmt.Errorf("%s is not a keyring: reference", ref.Masked())
	}
	if secret == "" {
		return errors.New("refusing to store an empty secret")
	}
	account := ref.KeyringAccount(profileName)
	err := s.keyringCall(ctx, func(kr Keyring) error { return kr.Set(KeyringService, account, secret) })
	if err != nil {
		return classifyKeyringError(ctx, err)
	}
	return nil
}

// HasKeyring reports whether the keyring holds a secret for the account ref names.
func (s *Secrets) HasKeyring(ctx context.Context, ref SecretRef, profileName string) (bool, error) {
	_, err := s.keyringGet(ctx, ref.KeyringAccount(profileName), profileName)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrSecretNotFound):
		return false, nil
	}
	return false, err
}

// DeleteKeyring removes the secret ref names from the OS keyring; a missing entry is not an error.
func (s *Secrets) DeleteKeyring(ctx context.Context, ref SecretRef, profileName string) error {
	if ref.Kind() != SecretKeyring {
		return nil
	}
	account := ref.KeyringAccount(profileName)
	err := s.keyringCall(ctx, func(kr Keyring) error { return kr.Delete(KeyringService, account) })
	if err == nil || errors.Is(err, ErrSecretNotFound) {
		return nil
	}
	return classifyKeyringError(ctx, err)
}

// keyringProbeAccount is the account ProbeKeyring asks for; no secret is ever stored under it.
const keyringProbeAccount = "tokenbench-probe"

// ProbeKeyring reports whether the OS keyring answers: nil when it does (a probe account it does
// not hold is an answer), else an error matching ErrKeyringUnavailable that says what to use
// instead. Over SSH without a desktop session, or in a container, there is usually no Secret
// Service and the probe fails at once. It reads nothing and writes nothing.
func (s *Secrets) ProbeKeyring(ctx context.Context) error {
	err := s.keyringCall(ctx, func(kr Keyring) error {
		_, err := kr.Get(KeyringService, keyringProbeAccount)
		return err
	})
	if err == nil || errors.Is(err, ErrSecretNotFound) {
		return nil
	}
	return classifyKeyringError(ctx, err)
}
