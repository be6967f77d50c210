package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/profilescreen"
	"github.com/tokenbench/tokenbench/tui/stepper"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Tests of the Profiles screen in the whole app: a profile opened into a session, its goldens, and
// the root's keys while it filters.

// TestProfileOpensSession: enter on a profile whose issuer is a real built-in provider resolves its
// secret (env:), emits ClientReadyMsg, and the root opens the stepper on it, which can discover.
func TestProfileOpensSession(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	st := tuitest.Store(t, profiles.Profile{
		Name: "local-demo", Issuer: p.Issuer(), ClientID: "demo-basic", ClientSecret: "env:DEMO_SECRET",
		AuthMethod: flows.AuthClientSecretBasic, RedirectURI: "http://127.0.0.1:0/callback", Scopes: []string{"openid", "profile"},
	})
	sec := profiles.NewSecrets()
	sec.Getenv = func(k string) string { return map[string]string{"DEMO_SECRET": "demo-basic-secret"}[k] }
	m := New(Options{Store: st, Secrets: sec, Now: tuitest.FlowNow, Scrub: tuitest.FlowScrub})
	m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})

	m, cmd := appUpdate(t, m, tuitest.Press("enter"))
	m, cmd = appUpdate(t, m, tuitest.AwaitMsg[profilescreen.ProfileOpenedMsg](t, cmd))
	ready := tuitest.AwaitMsg[ui.ClientReadyMsg](t, cmd)
	if ready.Config.Issuer != p.Issuer() || ready.Config.ClientSecret != "demo-basic-secret" || ready.Config.ClientID != "demo-basic" {
		t.Fatalf("clientReadyMsg %+v", ready.Config)
	}
	m, cmd = appUpdate(t, m, ready)
	m, _ = appUpdate(t, m, tuitest.AwaitMsg[sessionClientBuiltMsg](t, cmd))
	if m.active != ui.FlowScreen || m.c.Client == nil || m.c.Client.Config.ClientID != "demo-basic" {
		t.Fatalf("the stepper is not open on the profile (active %v)", m.active.Title())
	}
	if v := tuitest.StripANSI(m.View().Content); !strings.Contains(v, "2 Flow") || !strings.Contains(v, "Discover") {
		t.Errorf("view:\n%s", v)
	}
	if m.name != "local-demo @ 127.0.0.1:"+strings.TrimPrefix(p.Issuer(), "http://127.0.0.1:") {
		t.Errorf("session named %q", m.name)
	}

	m, cmd = appUpdate(t, m, tuitest.Press("enter")) // Discover
	m, _ = appUpdate(t, m, tuitest.AwaitMsg[stepper.DiscoveredMsg](t, cmd))
	if st := flowOf(m).StepState("discover"); st != "done" {
		t.Fatalf("discover: state %q\n%s", st, tuitest.StripANSI(m.View().Content))
	}
	// The profiles screen kept its state across the new session.
	if ps := m.screens[ui.ProfilesScreen].(profilescreen.Model); ps.ProfileCount() != 1 || ps.Notice() != "opened local-demo" {
		t.Errorf("profiles screen after the session started: %d profiles, notice %q", ps.ProfileCount(), ps.Notice())
	}
}

// TestProfilesGolden: the list at 80×24 with two profiles, the empty state, and the form of the
// keycloak preset with its expanded URLs.
func TestProfilesGolden(t *testing.T) {
	t.Run("list", func(t *testing.T) {
		st := tuitest.Store(t, tuitest.AcmeProfile(), tuitest.BetaProfile())
		tm := startApp(t, Options{Store: st, Secrets: tuitest.Secrets(&tuitest.MemoryKeyring{}), StartDemo: tuitest.FakeDemo, Now: tuitest.FlowNow, Scrub: tuitest.ProfilesScrub(st)}, 80, 24)
		waitSized(t, tm)
		golden.RequireEqual(t, finalView(t, tm))
	})

	t.Run("empty", func(t *testing.T) {
		st := tuitest.Store(t)
		tm := startApp(t, Options{Store: st, Secrets: tuitest.Secrets(&tuitest.MemoryKeyring{}), StartDemo: tuitest.FakeDemo, Now: tuitest.FlowNow, Scrub: tuitest.ProfilesScrub(st)}, 80, 24)
		waitSized(t, tm)
		golden.RequireEqual(t, finalView(t, tm))
	})

	t.Run("keycloak-form", func(t *testing.T) {
		st := tuitest.Store(t)
		tm := startApp(t, Options{Store: st, Secrets: tuitest.Secrets(&tuitest.MemoryKeyring{}), StartDemo: tuitest.FakeDemo, Now: tuitest.FlowNow, Scrub: tuitest.ProfilesScrub(st)}, 80, 24)
		waitSized(t, tm)
		for range 9 { // Built-in demo, Auth0 … Google, then Keycloak
			tm.Send(tuitest.Press("j"))
		}
		tm.Send(tuitest.Press("enter"))
		tm.Type("sso.example.com")
		waitModel(t, tm, "the host typed", func(m Model) bool {
			ps := m.screens[ui.ProfilesScreen].(profilescreen.Model)
			return ps.FormOpen() && ps.FormValue("preset") == "keycloak" && ps.FormValue("params.host") == "sso.example.com"
		})
		golden.RequireEqual(t, finalView(t, tm))
	})
}

// TestProfilesKeysWhileFiltering: in the whole app, q and the number keys are typed into the
// filter rather than quitting or switching screens.
func TestProfilesKeysWhileFiltering(t *testing.T) {
	t.Parallel()
	st := tuitest.Store(t, tuitest.AcmeProfile())
	m := New(Options{Store: st, Secrets: profiles.NewSecrets(), Now: tuitest.FlowNow})
	m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if m.active != ui.ProfilesScreen {
		t.Fatalf("without a client the app opens on %v", m.active.Title())
	}
	m, _ = appUpdate(t, m, tuitest.Press("/"))
	for _, k := range []string{"q", "2", "L", "?"} {
		var cmd tea.Cmd
		m, cmd = appUpdate(t, m, tuitest.Press(k))
		if quits(cmd) || m.active != ui.ProfilesScreen || m.fullHelp || m.c.Learn {
			t.Fatalf("%s acted globally while the filter had focus", k)
		}
	}
	if got := m.screens[ui.ProfilesScreen].(profilescreen.Model).FilterValue(); got != "q2L?" {
		t.Errorf("filter %q", got)
	}
	m, _ = appUpdate(t, m, tuitest.Press("esc"))
	if _, cmd := appUpdate(t, m, tuitest.Press("q")); !quits(cmd) {
		t.Error("q did not quit once the filter was left")
	}
}

// TestAppWithoutClient: started on the Profiles screen (no client yet), the stepper's tab shows
// what to do and takes no keys until a profile is opened.
func TestAppWithoutClient(t *testing.T) {
	t.Parallel()
	m := New(Options{Store: tuitest.Store(t), StartDemo: tuitest.FakeDemo})
	m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m, _ = appUpdate(t, m, tuitest.Press("2"))
	for _, k := range []string{"j", "j", "j", "g", "e", "esc", "s"} {
		var cmd tea.Cmd
		m, cmd = appUpdate(t, m, tuitest.Press(k))
		if cmd != nil {
			t.Errorf("%s started a command without a client", k)
		}
		_ = m.View()
	}
	if v := tuitest.StripANSI(m.View().Content); !strings.Contains(v, "No client yet") || !strings.Contains(v, "press 1") {
		t.Errorf("view:\n%s", v)
	}
	for _, k := range []string{"3", "4", "1"} {
		m, _ = appUpdate(t, m, tuitest.Press(k))
		_ = m.View()
	}
	if m.active != ui.ProfilesScreen {
		t.Errorf("active %v", m.active.Title())
	}
}

// TestProfilesMouseWheel: the wheel moves as ↑ and ↓ do, through the whole app: the list's
// selection, then the form's focus.
func TestProfilesMouseWheel(t *testing.T) {
	t.Parallel()
	st := tuitest.Store(t, tuitest.AcmeProfile(), tuitest.BetaProfile())
	m := New(Options{Store: st, Secrets: profiles.NewSecrets(), Now: tuitest.FlowNow})
	m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	selected := func() string {
		return m.screens[ui.ProfilesScreen].(profilescreen.Model).SelectedName()
	}
	first := selected()
	m, _ = appUpdate(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if second := selected(); second == first {
		t.Fatalf("wheel down kept %q selected", first)
	}
	m, _ = appUpdate(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if got := selected(); got != first {
		t.Fatalf("wheel up selected %q, want %q", got, first)
	}
	m, _ = appUpdate(t, m, tuitest.Press("e"))
	form := func() string {
		return m.screens[ui.ProfilesScreen].(profilescreen.Model).FocusedField()
	}
	before := form()
	m, _ = appUpdate(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if form() == before {
		t.Errorf("wheel down kept the form's focus on %q", before)
	}
}
