package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// TestProfileOpensSession: enter on a profile whose issuer is a real built-in provider resolves its
// secret (env:), emits clientReadyMsg, and the root opens the stepper on it, which can discover.
func TestProfileOpensSession(t *testing.T) {
	t.Parallel()
	p := flowProvider(t)
	st := testStore(t, profiles.Profile{
		Name: "local-demo", Issuer: p.Issuer(), ClientID: "demo-basic", ClientSecret: "env:DEMO_SECRET",
		AuthMethod: flows.AuthClientSecretBasic, RedirectURI: "http://127.0.0.1:0/callback", Scopes: []string{"openid", "profile"},
	})
	sec := profiles.NewSecrets()
	sec.Getenv = func(k string) string { return map[string]string{"DEMO_SECRET": "demo-basic-secret"}[k] }
	m := New(Options{Store: st, Secrets: sec, Now: flowNow, Scrub: flowScrub})
	m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})

	m, cmd := appUpdate(t, m, press("enter"))
	m, cmd = appUpdate(t, m, awaitMsg[profileOpenedMsg](t, cmd))
	ready := awaitMsg[clientReadyMsg](t, cmd)
	if ready.config.Issuer != p.Issuer() || ready.config.ClientSecret != "demo-basic-secret" || ready.config.ClientID != "demo-basic" {
		t.Fatalf("clientReadyMsg %+v", ready.config)
	}
	m, cmd = appUpdate(t, m, ready)
	m, _ = appUpdate(t, m, awaitMsg[sessionClientBuiltMsg](t, cmd))
	if m.active != flowScreen || m.c.client == nil || m.c.client.Config.ClientID != "demo-basic" {
		t.Fatalf("the stepper is not open on the profile (active %v)", m.active.title())
	}
	if v := stripANSI(m.View().Content); !strings.Contains(v, "2 Flow") || !strings.Contains(v, "Discover") {
		t.Errorf("view:\n%s", v)
	}
	if m.name != "local-demo @ 127.0.0.1:"+strings.TrimPrefix(p.Issuer(), "http://127.0.0.1:") {
		t.Errorf("session named %q", m.name)
	}

	m, cmd = appUpdate(t, m, press("enter")) // Discover
	m, _ = appUpdate(t, m, awaitMsg[discoveredMsg](t, cmd))
	if st := flowOf(m).steps[stepDiscover]; st.state != stateDone {
		t.Fatalf("discover: state %v, %v", st.state, st.err)
	}
	// The profiles screen kept its state across the new session.
	if ps := m.screens[profilesScreen].(profilesModel); len(ps.all) != 1 || ps.notice != "opened local-demo" {
		t.Errorf("profiles screen after the session started: %d profiles, notice %q", len(ps.all), ps.notice)
	}
}

// TestProfilesGolden: the list at 80×24 with two profiles, the empty state, and the form of the
// keycloak preset with its expanded URLs.
func TestProfilesGolden(t *testing.T) {
	t.Run("list", func(t *testing.T) {
		st := testStore(t, acmeProfile(), betaProfile())
		tm := startApp(t, Options{Store: st, StartDemo: fakeDemo, Now: flowNow, Scrub: profilesScrub(st)}, 80, 24)
		waitSized(t, tm)
		golden.RequireEqual(t, finalView(t, tm))
	})

	t.Run("empty", func(t *testing.T) {
		st := testStore(t)
		tm := startApp(t, Options{Store: st, StartDemo: fakeDemo, Now: flowNow, Scrub: profilesScrub(st)}, 80, 24)
		waitSized(t, tm)
		golden.RequireEqual(t, finalView(t, tm))
	})

	t.Run("keycloak-form", func(t *testing.T) {
		st := testStore(t)
		tm := startApp(t, Options{Store: st, StartDemo: fakeDemo, Now: flowNow, Scrub: profilesScrub(st)}, 80, 24)
		waitSized(t, tm)
		for range 9 { // Built-in demo, Auth0 … Google, then Keycloak
			tm.Send(press("j"))
		}
		tm.Send(press("enter"))
		tm.Type("sso.example.com")
		waitModel(t, tm, "the host typed", func(m Model) bool {
			ps := m.screens[profilesScreen].(profilesModel)
			return ps.mode == modeForm && ps.form.get("preset") == "keycloak" && ps.form.get("params.host") == "sso.example.com"
		})
		golden.RequireEqual(t, finalView(t, tm))
	})
}

// TestProfileFromDiscoveryURL: "From a discovery URL" fetches the metadata in a command, shows what
// it holds, and opens the form on its issuer; a URL without metadata is reported in place.
func TestProfileFromDiscoveryURL(t *testing.T) {
	t.Parallel()
	p := flowProvider(t)
	st := testStore(t)
	s := newProfilesScreen(profilesCommon(st, nil, 100, 40))
	for s.activeMenu()[s.menu.sel].kind != menuDiscovery {
		s, _ = pKeys(s, "j")
	}
	s, _ = pKeys(s, "enter")
	if s.mode != modeDiscovery || !s.capturingText() {
		t.Fatalf("mode %v", s.mode)
	}
	// Nothing there first: the error is shown and the URL can be corrected.
	s = pType(s, p.Issuer()+"/nothing-here")
	s, cmd := pKeys(s, "enter")
	s, _ = pUpdate(s, awaitMsg[discoveryFetchedMsg](t, cmd))
	if s.discovery.err == nil || !s.capturingText() || !strings.Contains(viewOf(s), "✗") {
		t.Fatalf("no metadata: %v\n%s", s.discovery.err, viewOf(s))
	}
	s = pType(clearField(s), p.Issuer()+"/.well-known/openid-configuration")
	s, cmd = pKeys(s, "enter")
	if s.op != opDiscover {
		t.Fatalf("op %v", s.op)
	}
	s, _ = pUpdate(s, awaitMsg[discoveryFetchedMsg](t, cmd))
	v := viewOf(s)
	for _, want := range []string{"✓ found", "issuer         http://127.0.0.1:PORT", "token          http://127.0.0.1:PORT/token", "client auth", "client_secret_basic"} {
		if !strings.Contains(v, want) {
			t.Errorf("the discovery view lacks %q:\n%s", want, v)
		}
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
	s, _ = pUpdate(s, awaitMsg[profilesChangedMsg](t, cmd))
	got, err := st.Get("127.0.0.1")
	if err != nil || got.Issuer != p.Issuer() || got.ClientSecret != "env:DEMO_SECRET" || s.mode != modeList {
		t.Errorf("saved %+v, %v (mode %v, %v)", got, err, s.mode, s.form.saveErr)
	}
}
