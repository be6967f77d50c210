package tuitest

import (
	"errors"
	"sync"

	"github.com/tokenbench/tokenbench/profiles"
)

// Stand-ins for the OS keyring (an outside service: Secret Service, Keychain), so that what a
// screen does with it does not depend on the machine the tests run on.

// MemoryKeyring is a keyring that answers, holding its secrets in memory.
type MemoryKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

// Get is the secret of service/account, or profiles.ErrSecretNotFound.
func (k *MemoryKeyring) Get(service, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[service+"/"+account]
	if !ok {
		return "", profiles.ErrSecretNotFound
	}
	return v, nil
}

// Set stores a secret.
func (k *MemoryKeyring) Set(service, account, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[service+"/"+account] = secret
	return nil
}

// Delete removes a secret.
func (k *MemoryKeyring) Delete(service, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, service+"/"+account)
	return nil
}

// NoKeyring is a machine without one, as over SSH or in a container: every call fails as
// go-keyring fails when there is no D-Bus session.
type NoKeyring struct{}

var errNoDBus = errors.New("failed to connect to the session bus: DBUS_SESSION_BUS_ADDRESS is not set")

// Get fails.
func (NoKeyring) Get(string, string) (string, error) { return "", errNoDBus }

// Set fails.
func (NoKeyring) Set(string, string, string) error { return errNoDBus }

// Delete fails.
func (NoKeyring) Delete(string, string) error { return errNoDBus }

// Secrets are profiles.Secrets on the keyring kr, with no environment.
func Secrets(kr profiles.Keyring) *profiles.Secrets {
	sec := profiles.NewSecrets()
	sec.Keyring = kr
	sec.Getenv = func(string) string { return "" }
	return sec
}
