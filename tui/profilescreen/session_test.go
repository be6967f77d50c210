package profilescreen

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// Tests of a profile made from a discovery URL, against the built-in provider.

// TestProfileFromDiscoveryURL: "From a discovery URL" fetches the metadata in a command, shows what
// it holds, and opens the form on its issuer; a URL without metadata is reported in place.
func TestProfileFromDiscoveryURL(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	st := tuitest.Store(t)
	s := newProfilesScreen(profilesCommon(st, nil, 100, 40))
	for s.activeMenu()[s.menu.sel].kind != menuDiscovery {
		s, _ = pKeys(s, "j")
	}
	s, _ = pKeys(s, "enter")
	if s.mode != modeDiscovery || !s.CapturingText() {
		t.Fatalf("mode %v", s.mode)
	}
	// Nothing there first: the error is shown and the URL can be corrected.
	s = pType(s, p.Issuer()+"/nothing-here")
	s, cmd := pKeys(s, "enter")
	s, _ = pUpdate(s, tuitest.AwaitMsg[discoveryFetchedMsg](t, cmd))
	if s.discovery.err == nil || !s.CapturingText() || !strings.Contains(viewOf(s), "✗") {
		t.Fatalf("no metadata: %v\n%s", s.discovery.err, viewOf(s))
	}
	s = pType(clearField(s), p.Issuer()+"/.well-known/openid-configuration")
	s, cmd = pKeys(s, "enter")
	if s.op != opDiscover {
		t.Fatalf("op %v", s.op)
	}
	s, _ = pUpdate(s, tuitest.AwaitMsg[discoveryFetchedMsg](t, cmd))
	v := viewOf(s)
	for _, want := range []string{"✓ found", "issuer         http://127.0.0.1:PORT", "token          http://127.0.0.1:PORT/token", "client auth", "client_secret_basic"} {
		if !strings.Contains(v, want) {
			t.Errorf("the discovery view lacks %q:\n%s", want, v)
		}
	}
	// A name longer than the label column takes a line of its own: it never runs into its URL.
	if strings.Contains(v, "pushed_authorizationhttp") || !strings.Contains(v, "pushed_authorization\n") {
		t.Errorf("pushed_authorization runs into its URL:\n%s", v)
	}
	s, _ = pKeys(s, "enter")
	if s.mode != modeForm || s.form.get("issuer") != p.Issuer() || s.form.get("name") != "127.0.0.1" || s.form.found == nil {
		t.Fatalf("form: mode %v, issuer %q, name %q", s.mode, s.form.get("issuer"), s.form.get("name"))
	}
	if ff, _ := s.form.focused(); ff.id != "client_id" {
		t.Errorf("the form starts on %s", ff.id)
	}
	s = pType(s, "demo-basic")
	s = focusOn(t, s, "client_secret")
	s, _ = pKeys(s, "right")
	s = focusOn(t, s, fieldSecretTarget)
	s = pType(s, "DEMO_SECRET")
	s, cmd = pUpdate(s, ctrlS)
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	got, err := st.Get("127.0.0.1")
	if err != nil || got.Issuer != p.Issuer() || got.ClientSecret != "env:DEMO_SECRET" || s.mode != modeList {
		t.Errorf("saved %+v, %v (mode %v, %v)", got, err, s.mode, s.form.saveErr)
	}
}
