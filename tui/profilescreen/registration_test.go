package profilescreen

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// registrationScreen is the Profiles screen on "By registration" with the built-in provider's issuer
// discovered.
func registrationScreen(t *testing.T, p *demoidp.Provider) Model {
	t.Helper()
	s := newProfilesScreen(profilesCommon(tuitest.Store(t), nil, 100, 40))
	for s.activeMenu()[s.menu.sel].kind != menuRegister {
		s, _ = pKeys(s, "j")
	}
	s, _ = pKeys(s, "enter")
	s = pType(s, p.Issuer())
	s, cmd := pKeys(s, "enter")
	s, _ = pUpdate(s, tuitest.AwaitMsg[discoveryFetchedMsg](t, cmd))
	if v := viewOf(s); !strings.Contains(v, "New profile by dynamic client registration") || !strings.Contains(v, "enter: register a client here") {
		t.Fatalf("the registration view:\n%s", v)
	}
	return s
}

// TestProfileByRegistration: "By registration" registers a client at the discovered issuer (RFC
// 7591) and opens the form on it, the secret filled in (masked) to be kept by reference.
func TestProfileByRegistration(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	s := registrationScreen(t, p)
	s, cmd := pKeys(s, "enter")
	if s.op != opRegister {
		t.Fatalf("op %v", s.op)
	}
	s, _ = pUpdate(s, tuitest.AwaitMsg[clientRegisteredMsg](t, cmd))
	id, secret := s.form.get("client_id"), s.form.get(fieldSecretValue)
	if s.mode != modeForm || !strings.HasPrefix(id, "dyn-") || len(secret) < 32 || s.form.get("issuer") != p.Issuer() ||
		s.form.get("redirect_uri") != "http://127.0.0.1/callback" || s.form.get("client_secret") != "keyring" {
		t.Fatalf("form: mode %v, client_id %q, secret %d chars, issuer %q, redirect %q, kept in %q", s.mode, id, len(secret), s.form.get("issuer"), s.form.get("redirect_uri"), s.form.get("client_secret"))
	}
	if v := viewOf(s); strings.Contains(v, secret) || !strings.Contains(v, "registered dynamically (RFC 7591); manage at "+p.Issuer()+"/register/dyn-") {
		t.Errorf("the secret is shown, or the registration not said:\n%s", v)
	}
}

// TestProfileByRegistrationRefused: a provider that wants an initial access token refuses, and the
// screen says why in place.
func TestProfileByRegistrationRefused(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProviderWith(t, demoidp.Options{RegistrationToken: "iat"})
	s := registrationScreen(t, p)
	s, cmd := pKeys(s, "enter")
	s, _ = pUpdate(s, tuitest.AwaitMsg[clientRegisteredMsg](t, cmd))
	if s.mode != modeDiscovery || s.discovery.err == nil || !strings.Contains(viewOf(s), "invalid_token") {
		t.Fatalf("mode %v, err %v:\n%s", s.mode, s.discovery.err, viewOf(s))
	}
}
