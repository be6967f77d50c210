package tui

import (
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/inspector"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/stepper"
	"github.com/tokenbench/tokenbench/tui/tracescreen"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Tests of the root: screens and global keys, help and Learn, the background, routing of results
// to hidden screens, and the session started for a client.

// TestAppScreens: with a client the app opens on the stepper; tab / shift+tab cycle (Profiles
// first), the number keys jump, NavigateMsg switches.
func TestAppScreens(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	if m.active != ui.FlowScreen {
		t.Fatalf("with a client the app opens on %v, not the stepper", m.active.Title())
	}
	steps := []struct {
		msg  tea.Msg
		want ui.ScreenID
	}{
		{tuitest.Press("tab"), ui.InspectScreen},
		{tuitest.Press("tab"), ui.TraceScreen},
		{tuitest.Press("tab"), ui.ProfilesScreen},
		{tuitest.Press("tab"), ui.FlowScreen},
		{tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}, ui.ProfilesScreen},
		{tuitest.Press("1"), ui.ProfilesScreen},
		{tuitest.Press("2"), ui.FlowScreen},
		{tuitest.Press("4"), ui.TraceScreen},
		{tuitest.Press("3"), ui.InspectScreen},
		{ui.NavigateMsg{To: ui.FlowScreen}, ui.FlowScreen},
	}
	for i, s := range steps {
		m, _ = appUpdate(t, m, s.msg)
		if m.active != s.want {
			t.Fatalf("step %d (%v): active %v, want %v", i, s.msg, m.active, s.want)
		}
	}
}

// TestAppQuit: q quits, unless a text input has focus; ctrl+c always quits.
func TestAppQuit(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	if _, cmd := appUpdate(t, m, tuitest.Press("q")); !quits(cmd) {
		t.Error("q did not quit")
	}
	// Focus the stepper's form: q is then typed.
	m, _ = appUpdate(t, m, tuitest.Press("e"))
	if !m.capturingText() {
		t.Fatal("the form has no focus")
	}
	m, cmd := appUpdate(t, m, tuitest.Press("down")) // to the scope field
	_ = cmd
	m, cmd = appUpdate(t, m, tuitest.Press("q"))
	if quits(cmd) {
		t.Error("q quit while a text input had focus")
	}
	if got := flowOf(m).FormValue("scope"); got != "q" {
		t.Errorf("q was not typed into the scope field: %q", got)
	}
	if _, cmd := appUpdate(t, m, tuitest.Press("ctrl+c")); !quits(cmd) {
		t.Error("ctrl+c did not quit")
	}
}

// TestAppHelpAndLearn: ? shows every key and esc closes it; L toggles Learn on every screen.
func TestAppHelpAndLearn(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	m, _ = appUpdate(t, m, tuitest.Press("?"))
	if !m.fullHelp {
		t.Fatal("? did not open the help")
	}
	v := tuitest.StripANSI(m.View().Content)
	for _, want := range []string{"Flow — all keys", "edit request", "raw response", "Everywhere", "learn"} {
		if !contains(v, want) {
			t.Errorf("help lacks %q:\n%s", want, v)
		}
	}
	m, _ = appUpdate(t, m, tuitest.Press("esc"))
	if m.fullHelp {
		t.Fatal("esc did not close the help")
	}
	m, _ = appUpdate(t, m, tuitest.Press("L"))
	if !m.c.Learn || !contains(tuitest.StripANSI(m.View().Content), "Learn: Discovery") {
		t.Errorf("L did not show the Learn text:\n%s", tuitest.StripANSI(m.View().Content))
	}
	m, _ = appUpdate(t, m, tuitest.Press("L"))
	if m.c.Learn {
		t.Error("a second L did not hide it")
	}
}

// TestAppBackground: a light background rebuilds the styles in place, shared by every screen.
func TestAppBackground(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	st := m.c.Styles
	before := *st
	m, _ = appUpdate(t, m, tea.BackgroundColorMsg{Color: color.White})
	if m.c.IsDark || m.c.Styles != st {
		t.Fatalf("isDark %v, styles pointer changed %v", m.c.IsDark, m.c.Styles != st)
	}
	if before.Title.GetForeground() == st.Title.GetForeground() {
		t.Error("the styles did not change for a light background")
	}
}

// TestAppResultsReachHiddenScreens: a command's result reaches the stepper while another screen
// is shown.
func TestAppResultsReachHiddenScreens(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	m, cmd := appUpdate(t, m, tuitest.Press("enter")) // Discover, on an issuer where nothing listens
	if got := flowOf(m).Running(); got != "discover" {
		t.Fatalf("running %q, want discover", got)
	}
	m, _ = appUpdate(t, m, tuitest.Press("3"))
	m, _ = appUpdate(t, m, tuitest.AwaitMsg[stepper.DiscoveredMsg](t, cmd))
	if got := flowOf(m).StepState("discover"); got != "failed" {
		t.Errorf("discover state %q while the inspector was shown, want failed", got)
	}
}

// TestAppClientReady: a screen that produces a client configuration (the future profiles screen)
// starts a new session on it.
func TestAppClientReady(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	old := m.c.Client
	m.active = ui.TraceScreen
	_, cmd := appUpdate(t, m, ui.ClientReadyMsg{Name: "p", Config: flows.ClientConfig{Issuer: "http://127.0.0.1:2", ClientID: "y"}})
	msg := cmd()
	built, ok := msg.(sessionClientBuiltMsg)
	if !ok {
		t.Fatalf("got %T", msg)
	}
	m, _ = appUpdate(t, m, built)
	if m.c.Client == old || m.c.Client.Config.ClientID != "y" || m.c.Trace != m.c.Client.Trace || m.active != ui.FlowScreen || m.name != "p" {
		t.Errorf("session not started: client %v active %v", m.c.Client.Config, m.active)
	}
	if flowOf(m).ClientID() != "y" {
		t.Error("the stepper was not rebuilt on the new client")
	}
	// An exchange of the old session is dropped.
	m2, cmd := appUpdate(t, m, ui.ExchangeRecordedMsg{Session: m.session - 1})
	if cmd != nil || m2.session != m.session {
		t.Error("an old session's exchange was handled")
	}
}

// TestRootRoutesToInspectorAndTrace drives the root: tokens announced by the flow reach the
// inspector, exchanges reach the trace, and typing a token does not trigger single-letter global
// keys.
func TestRootRoutesToInspectorAndTrace(t *testing.T) {
	client, err := flows.NewClient(flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "fake-client"}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var m tea.Model = New(Options{Client: client, Start: ui.InspectScreen, Now: func() time.Time { return tuitest.FixedNow }})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m, _ = m.Update(tuitest.FakeTokens(t))
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "00:30:00 left") {
		t.Fatalf("the inspector did not get the tokens:\n%s", v)
	}
	root := m.(Model)
	m, _ = m.Update(ui.ExchangeRecordedMsg{Exchange: flows.Exchange{ID: 1, Step: "discovery", Method: "GET", URL: "http://127.0.0.1:1/.well-known/openid-configuration", Status: 200, Started: tuitest.FixedNow}, Session: root.session})
	m, _ = m.Update(ui.ExchangeRecordedMsg{Exchange: flows.Exchange{ID: 1, Method: "GET", URL: "http://127.0.0.1:1/stale"}, Session: root.session - 1})
	if tm := m.(Model).screens[ui.TraceScreen].(tracescreen.Model); tm.ExchangeCount() != 1 {
		t.Fatalf("the trace lists %d exchanges, want 1 (an old session's exchange must be dropped)", tm.ExchangeCount())
	}
	// p opens the input; q then types, it does not quit.
	m, _ = m.Update(tuitest.Press("p"))
	m, cmd := m.Update(tuitest.Press("q"))
	if cmd != nil {
		if _, quit := cmd().(tea.QuitMsg); quit {
			t.Fatal("q quit while a token was being typed")
		}
	}
	if in := m.(Model).screens[ui.InspectScreen].(inspector.Model).InputValue(); in != "q" {
		t.Errorf("the input holds %q, want q", in)
	}
	m, _ = m.Update(tuitest.Press("esc"))
	if m, _ := m.Update(tuitest.Press("q")); !m.(Model).quitting {
		t.Error("q after esc should ask to quit (the session holds tokens)")
	}
}
