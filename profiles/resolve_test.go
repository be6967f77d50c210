package profiles_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// TestResolveDefaults: one set of defaults for every run, whatever its profile leaves out.
func TestResolveDefaults(t *testing.T) {
	env := map[string]string{"SECRET": "s3cret"}
	secrets := profiles.NewSecrets()
	secrets.Getenv = func(k string) string { return env[k] }
	bare := profiles.Profile{Name: "bare", Issuer: "https://idp.example.com", ClientID: "app", ClientSecret: "env:SECRET"}
	withScopes := bare
	withScopes.Scopes = []string{"api.read"}
	withScopes.RedirectURI = "https://app.example.com/cb"
	forCC := withScopes
	forCC.Grant = "client_credentials"
	keycloak := profiles.Profile{Name: "kc", Preset: "keycloak", Params: map[string]string{"host": "sso.example.com", "realm": "acme"}, ClientID: "app", AuthMethod: flows.AuthNone}
	for _, tc := range []struct {
		name         string
		p            profiles.Profile
		run          profiles.Run
		wantRedirect string
		wantScopes   []string
	}{
		{"no redirect, no scopes", bare, profiles.Run{}, profiles.DefaultRedirectURI, profiles.DefaultUserScopes},
		{"device code too", bare, profiles.Run{Grant: flows.GrantDeviceCode}, profiles.DefaultRedirectURI, profiles.DefaultUserScopes},
		{"the profile's own", withScopes, profiles.Run{}, "https://app.example.com/cb", []string{"api.read"}},
		{"the run's scopes win", withScopes, profiles.Run{Scopes: []string{"openid"}}, "https://app.example.com/cb", []string{"openid"}},
		{"an empty run scope asks for none", withScopes, profiles.Run{Scopes: []string{}}, "https://app.example.com/cb", nil},
		{"client credentials: none unless asked", withScopes, profiles.Run{Grant: flows.GrantClientCredentials}, "https://app.example.com/cb", nil},
		{"refresh: none unless asked", bare, profiles.Run{Grant: flows.GrantRefreshToken}, profiles.DefaultRedirectURI, nil},
		{"a profile saved for client credentials", forCC, profiles.Run{}, "https://app.example.com/cb", []string{"api.read"}},
		{"the preset's scopes for a user flow", keycloak, profiles.Run{}, profiles.DefaultRedirectURI, []string{"openid", "profile", "email"}},
		{"not the preset's for client credentials", keycloak, profiles.Run{Grant: flows.GrantClientCredentials}, profiles.DefaultRedirectURI, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, err := profiles.Resolve(context.Background(), tc.p, secrets, tc.run)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.RedirectURI != tc.wantRedirect {
				t.Errorf("redirect_uri %q, want %q", cfg.RedirectURI, tc.wantRedirect)
			}
			if !slices.Equal(cfg.Scopes, tc.wantScopes) {
				t.Errorf("scopes %q, want %q", cfg.Scopes, tc.wantScopes)
			}
		})
	}
}

// TestResolveRunSecret: a secret given for the run is used, and the profile's reference is not read.
func TestResolveRunSecret(t *testing.T) {
	secrets := profiles.NewSecrets()
	secrets.Getenv = func(string) string { return "" }
	p := profiles.Profile{Name: "x", Issuer: "https://idp.example.com", ClientID: "app", ClientSecret: "env:UNSET"}
	if _, _, err := profiles.Resolve(context.Background(), p, secrets, profiles.Run{}); err == nil {
		t.Fatal("an unset env: reference resolved")
	}
	cfg, _, err := profiles.Resolve(context.Background(), p, secrets, profiles.Run{ClientSecret: "given"})
	if err != nil || cfg.ClientSecret != "given" {
		t.Fatalf("secret %q, err %v; want the run's", cfg.ClientSecret, err)
	}
}
