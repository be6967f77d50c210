package profiles

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The token cache keeps the last token response of each profile, for `tokenbench token --cached`.
// Nothing about it is in clear: each profile's entry is a file sealed with AES-256-GCM (the
// profile's name as additional data, so an entry cannot be passed off as another profile's), under
// the state directory. The key is a random 256-bit key kept in the OS keyring, or, where there is
// no keyring, in a key file only the user can read (0600) beside the entries, which then guards
// against a copied cache directory without its key, not against someone who can read both. The
// keyring holds only the key, not the tokens: a token response (several JWTs) is often larger than
// what a keyring item may hold (2.5 KB in the Windows Credential Manager).

// tokenCacheKeyAccount is the keyring account of the cache's key; it has a space, which no
// profile name (the default keyring account of a client secret) may have.
const tokenCacheKeyAccount = "token cache key"

// tokenCacheVersion starts every sealed entry, so that a later format can be told apart.
const tokenCacheVersion = "tbc1"

// CachedToken is one profile's cached token response.
type CachedToken struct {
	// Body is the token response as the provider sent it.
	Body []byte `json:"body"`
	// Received is when it arrived; expires_in counts from there.
	Received time.Time `json:"received"`
	// RefreshToken is the refresh token to use: the response's, or the one before it when a
	// refresh returned none (RFC 6749 §6: keep using it).
	RefreshToken string `json:"refresh_token,omitempty"`
	// For says what the token was obtained for (the provider, client, grant and scopes, as the
	// caller writes them); an entry for something else is not used.
	For string `json:"for"`
}

// TokenCache is the cache of token responses. Its zero value is not ready: use NewTokenCache.
type TokenCache struct {
	dir     string
	secrets *Secrets
}

// NewTokenCache returns the cache kept in dir (StateDirFrom), reaching the keyring through secrets
// (its keyring and timeout).
func NewTokenCache(dir string, secrets *Secrets) *TokenCache {
	return &TokenCache{dir: dir, secrets: secrets}
}

// StateDirFrom is tokenbench's state directory: $TOKENBENCH_STATE_HOME, else
// $XDG_STATE_HOME/tokenbench, else ~/.local/state/tokenbench (the XDG Base Directory default).
func StateDirFrom(getenv func(string) string) (string, error) {
	if d := getenv("TOKENBENCH_STATE_HOME"); d != "" {
		return filepath.Clean(d), nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "tokenbench"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("no state directory: set $TOKENBENCH_STATE_HOME (" + err.Error() + ")")
	}
	return filepath.Join(home, ".local", "state", "tokenbench"), nil
}

// entryPath is the file of a profile's entry; profile names are safe file names (ValidateName).
func (c *TokenCache) entryPath(name string) string {
	return filepath.Join(c.dir, "tokens", name+".sealed")
}

// keyFilePath is the key file used where there is no keyring.
func (c *TokenCache) keyFilePath() string { return filepath.Join(c.dir, "token-cache.key") }

// Load returns the profile's entry, or nil when there is none, it was made for something else than
// what, or it cannot be opened (another key, a damaged file): the caller then gets new tokens.
// Why an entry was not used is in the returned note.
func (c *TokenCache) Load(ctx context.Context, name, what string) (*CachedToken, string, error) {
	if err := ValidateName(name); err != nil {
		return nil, "", err
	}
	sealed, err := os.ReadFile(c.entryPath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "no cached token", nil
	}
	if err != nil {
		return nil, "", err
	}
	key, err := c.key(ctx, false)
	if err != nil {
		return nil, "", err
	}
	if key == nil {
		return nil, "the cache's key is gone, so the cached token cannot be read", nil
	}
	plain, err := open(key, name, sealed)
	if err != nil {
		return nil, "the cached token cannot be read (" + err.Error() + ")", nil
	}
	var t CachedToken
	if err := json.Unmarshal(plain, &t); err != nil {
		return nil, "the cached token cannot be read (" + err.Error() + ")", nil
	}
	if t.For != what {
		return nil, "the cached token was obtained with other settings", nil
	}
	return &t, "", nil
}

// Save seals t as the profile's entry, replacing any.
func (c *TokenCache) Save(ctx context.Context, name string, t CachedToken) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	key, err := c.key(ctx, true)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(t)
	if err != nil {
		return err
	}
	sealed, err := seal(key, name, plain)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.entryPath(name)), 0o700); err != nil {
		return err
	}
	return writeAtomic(c.entryPath(name), ".token.tmp-", sealed, nil)
}

// Forget removes the profile's entry; it reports whether there was one.
func (c *TokenCache) Forget(name string) (bool, error) {
	if err := ValidateName(name); err != nil {
		return false, err
	}
	err := os.Remove(c.entryPath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// key returns the cache's key: the keyring's, else the key file's. With create, a missing key is
// made and kept in the keyring, or in the key file when the keyring is not available; without, a
// missing key is nil.
func (c *TokenCache) key(ctx context.Context, create bool) ([]byte, error) {
	var encoded string
	err := c.secrets.keyringCall(ctx, func(kr Keyring) error {
		var err error
		encoded, err = kr.Get(KeyringService, tokenCacheKeyAccount)
		return err
	})
	switch {
	case err == nil:
		return decodeKey(encoded, "the keyring's")
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	keyring := errors.Is(err, ErrSecretNotFound) // it answered: the key is just not there yet
	if data, ferr := os.ReadFile(c.keyFilePath()); ferr == nil {
		return decodeKey(string(data), "the key file's")
	} else if !errors.Is(ferr, fs.ErrNotExist) {
		return nil, ferr
	}
	if !create {
		return nil, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	encoded = base64.StdEncoding.EncodeToString(key)
	if keyring {
		err := c.secrets.keyringCall(ctx, func(kr Keyring) error { return kr.Set(KeyringService, tokenCacheKeyAccount, encoded) })
		if err == nil {
			return key, nil
		}
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, err
	}
	return key, writeAtomic(c.keyFilePath(), ".key.tmp-", []byte(encoded+"\n"), nil)
}

func decodeKey(encoded, whose string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%s token cache key is not 32 bytes of base64; remove it to start the cache anew", whose)
	}
	return key, nil
}

// seal encrypts plain with AES-256-GCM under a random nonce, binding it to the profile name.
func seal(key []byte, name string, plain []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte(tokenCacheVersion), nonce...)
	return aead.Seal(out, nonce, plain, []byte(name)), nil
}

// open reverses seal.
func open(key []byte, name string, sealed []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	rest, ok := strings.CutPrefix(string(sealed), tokenCacheVersion)
	if !ok || len(rest) < aead.NonceSize() {
		return nil, errors.New("not a sealed entry of this version")
	}
	plain, err := aead.Open(nil, []byte(rest[:aead.NonceSize()]), []byte(rest[aead.NonceSize():]), []byte(name))
	if err != nil {
		return nil, errors.New("sealed with another key, or altered")
	}
	return plain, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
