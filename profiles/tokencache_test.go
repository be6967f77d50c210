package profiles

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// downKeyring is a keyring that is not there, as on a headless server.
type downKeyring struct{}

func (downKeyring) Get(string, string) (string, error) { return "", errors.New("no D-Bus session") }
func (downKeyring) Set(string, string, string) error   { return errors.New("no D-Bus session") }
func (downKeyring) Delete(string, string) error        { return errors.New("no D-Bus session") }

// filesUnder returns every file's content under dir.
func filesUnder(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, rerr := os.ReadFile(p)
			if rerr != nil {
				t.Fatal(rerr)
			}
			out[p] = b
			if fi, _ := d.Info(); fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s is open to others: %v", p, fi.Mode())
			}
		}
		return nil
	})
	return out
}

func TestTokenCacheSealsEntries(t *testing.T) {
	ctx := context.Background()
	secret := "at-" + strings.Repeat("s3cr3t", 4)
	entry := CachedToken{Body: []byte(`{"access_token":"` + secret + `","expires_in":3600}`), Received: time.Unix(1_700_000_000, 0).UTC(), RefreshToken: "rt-" + secret, For: "issuer client scopes"}
	for _, tc := range []struct {
		name    string
		secrets *Secrets
		keyFile bool
	}{
		{"keyring", testSecrets(nil), false},
		{"no keyring", &Secrets{Keyring: downKeyring{}, KeyringTimeout: time.Second}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := NewTokenCache(dir, tc.secrets)
			if got, note, err := c.Load(ctx, "acme", entry.For); got != nil || err != nil || note != "no cached token" {
				t.Fatalf("empty cache: %v, %q, %v", got, note, err)
			}
			if err := c.Save(ctx, "acme", entry); err != nil {
				t.Fatal(err)
			}
			files := filesUnder(t, dir)
			if _, ok := files[filepath.Join(dir, "token-cache.key")]; ok != tc.keyFile {
				t.Errorf("key file present: %v, want %v", ok, tc.keyFile)
			}
			for p, b := range files {
				if bytes.Contains(b, []byte(secret)) || bytes.Contains(b, []byte("access_token")) {
					t.Errorf("%s holds the token response in clear", p)
				}
			}
			if kr, err := tc.secrets.Keyring.Get(KeyringService, tokenCacheKeyAccount); err == nil && strings.Contains(kr, secret) {
				t.Error("the keyring item holds the token")
			}
			got, _, err := c.Load(ctx, "acme", entry.For)
			if err != nil || got == nil || !bytes.Equal(got.Body, entry.Body) || got.RefreshToken != entry.RefreshToken || !got.Received.Equal(entry.Received) {
				t.Fatalf("Load: %+v, %v", got, err)
			}
			if got, note, _ := c.Load(ctx, "acme", "another client"); got != nil || !strings.Contains(note, "other settings") {
				t.Errorf("an entry for other settings was used: %q", note)
			}
			// An entry moved to another profile's name does not open: the name is bound in.
			os.Rename(c.entryPath("acme"), c.entryPath("other"))
			if got, note, _ := c.Load(ctx, "other", entry.For); got != nil || !strings.Contains(note, "cannot be read") {
				t.Errorf("a renamed entry opened: %q", note)
			}
			os.Rename(c.entryPath("other"), c.entryPath("acme"))
			if had, err := c.Forget("acme"); !had || err != nil {
				t.Fatalf("Forget: %v, %v", had, err)
			}
			if got, _, _ := c.Load(ctx, "acme", entry.For); got != nil {
				t.Error("the entry outlived Forget")
			}
		})
	}
}
