package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/zalando/go-keyring"
)

// TestTokenCached: --cached signs in once and keeps the tokens sealed; the next call prints them
// with no HTTP request at all (the provider is stopped by then); an expired token is refreshed; a
// failed refresh falls back to a login; --print prints one member bare; --forget drops the entry.
func TestTokenCached(t *testing.T) {
	useMockKeyring()
	p, err := demoidp.Start(demoidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			p.Close()
		}
	})
	pe := newProfileEnv(t)
	state := filepath.Join(t.TempDir(), "state")
	pe.env["XDG_STATE_HOME"] = state
	secret := demoidptest.Secret(t, p, "demo-basic")
	pe.mustRun("profile", "add", "c", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--plain-secret", secret, "--scope", "openid offline_access")
	cache := profiles.NewTokenCache(filepath.Join(state, "tokenbench"), &profiles.Secrets{Keyring: profiles.OSKeyring(), KeyringTimeout: 5 * time.Second})
	key := profiles.CacheKey(flows.ClientConfig{Issuer: p.Issuer(), ClientID: "demo-basic", Scopes: []string{"openid", "offline_access"}}, flows.GrantAuthorizationCode)
	ctx := context.Background()
	entry := func() *profiles.CachedToken {
		t.Helper()
		e, note, err := cache.Load(ctx, "c", key)
		if err != nil || e == nil {
			t.Fatalf("no cached entry: %q, %v", note, err)
		}
		return e
	}
	expire := func(refresh string) {
		t.Helper()
		e := entry()
		e.Received = time.Now().Add(-2 * time.Hour) // the demo provider's access tokens live one hour
		if refresh != "" {
			e.RefreshToken = refresh
		}
		if err := cache.Save(ctx, "c", *e); err != nil {
			t.Fatal(err)
		}
	}

	// First call: a login, whose tokens are kept.
	r := pe.mustRun("token", "--profile", "c", "--cached")
	wantOut(t, "stderr", r.stderr, "no cached token: signing in", "Open this URL to sign in:")
	first := tokenResponse(t, r)
	at, rt := first["access_token"].(string), first["refresh_token"].(string)
	if rt == "" || entry().RefreshToken != rt {
		t.Fatalf("the refresh token was not kept: %v", first)
	}
	// Nothing in clear: not in the files, not in the keyring (which holds only the key).
	filepath.WalkDir(state, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			if bytes.Contains(b, []byte(at)) || bytes.Contains(b, []byte(rt)) || bytes.Contains(b, []byte("access_token")) {
				t.Errorf("%s holds a token in clear", path)
			}
		}
		return nil
	})
	if k, err := keyring.Get(profiles.KeyringService, "token cache key"); err != nil || strings.Contains(k, at) || len(k) > 64 {
		t.Errorf("keyring item: %q, %v", k, err)
	}

	// Expired: refreshed, and said so.
	expire("")
	r = pe.mustRun("token", "--profile", "c", "--cached", "--print", "access_token")
	wantOut(t, "stderr", r.stderr, "the cached access token has expired: refreshed it")
	wantNot(t, "stderr", r.stderr, "Open this URL")
	refreshed := strings.TrimSpace(r.stdout)
	if refreshed == "" || refreshed == at || strings.ContainsAny(refreshed, "{\"") {
		t.Fatalf("--print access_token printed %q", r.stdout)
	}

	// Expired with a refresh token the provider refuses: a new login.
	expire("not-a-refresh-token")
	r = pe.mustRun("token", "--profile", "c", "--cached")
	wantOut(t, "stderr", r.stderr, "refreshing it failed (unknown refresh token", "signing in", "Open this URL to sign in:")
	var third map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &third); err != nil || third["access_token"] == refreshed {
		t.Fatalf("after the failed refresh: %s", r.stdout)
	}
	latest := third["access_token"].(string)

	// Still valid: printed at once, without the provider.
	stopped = true
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	r = pe.mustRun("token", "--profile", "c", "--cached", "--print", "access_token", "-v")
	if strings.TrimSpace(r.stdout) != latest {
		t.Fatalf("printed %q, want the cached %q", r.stdout, latest)
	}
	wantOut(t, "stderr", r.stderr, "cached token of profile c: valid for")
	wantNot(t, "stderr", r.stderr, "POST ", "GET ")

	// --forget drops it: the next call needs the (stopped) provider.
	wantExit(t, pe.run("token", "--profile", "c", "--forget"), 0, "dropped the cached token of profile c")
	wantExit(t, pe.run("token", "--profile", "c", "--forget"), 0, "had no cached token")
	wantExit(t, pe.run("token", "--profile", "c", "--cached"), 1, "no cached token: signing in")
	wantExit(t, pe.run("token", "--cached", "--issuer", "http://127.0.0.1:9", "--client-id", "x"), 2, "give --profile NAME")
}
