package tuitest

import (
	"path/filepath"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Profile stores in temporary directories and the profiles they hold.

// Store is a profile store in a temporary configuration directory, holding ps.
func Store(t *testing.T, ps ...profiles.Profile) *profiles.Store {
	t.Helper()
	st, err := profiles.Open(filepath.Join(t.TempDir(), "config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if err := st.Add(p); err != nil {
			t.Fatalf("adding %s: %v", p.Name, err)
		}
	}
	return st
}

// AcmeProfile and BetaProfile are two customer tenants.
func AcmeProfile() profiles.Profile {
	return profiles.Profile{
		Name: "acme-prod", Preset: "keycloak", Params: map[string]string{"host": "sso.acme.test", "realm": "acme"},
		ClientID: "acme-web", ClientSecret: "env:ACME_SECRET", Notes: "ticket 4711",
	}
}

func BetaProfile() profiles.Profile {
	return profiles.Profile{
		Name: "beta", Issuer: "https://login.beta.test/oauth2/default", ClientID: "beta-cli",
		AuthMethod: flows.AuthNone, RedirectURI: "http://127.0.0.1:0/callback", Scopes: []string{"openid", "email"},
	}
}

// FakeDemo stands in for the built-in provider where none is needed.
func FakeDemo() (ui.Demo, error) {
	return ui.Demo{Name: "demo-basic @ built-in provider", Note: "built-in provider", Config: flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "demo-basic"}}, nil
}
