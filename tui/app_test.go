package tui

import (
	"image/color"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
)

// appUpdate is one Update of the root, as a pure function.
func appUpdate(t *testing.T, m Model, msg tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	mm, cmd := m.Update(msg)
	return mm.(Model), cmd
}

func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func newTestApp(t *testing.T) Model {
	t.Helper()
	c, err := flows.NewClient(flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURI: "https://app.example.com/cb"}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Client: c, Now: flowNow, Scrub: flowScrub})
	m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	return m
}

// TestAppScreens: with a client the app opens on the stepper; tab / shift+tab cycle (Profiles
// first), the number keys jump, navigateMsg switches.
func TestAppScreens(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	if m.active != flowScreen {
		t.Fatalf("with a client the app opens on %v, not the stepper", m.active.title())
	}
	steps := []struct {
		msg  tea.Msg
		want screenID
	}{
		{press("tab"), inspectScreen},
		{press("tab"), traceScreen},
		{press("tab"), profilesScreen},
		{press("tab"), flowScreen},
		{tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}, profilesScreen},
		{press("1"), profilesScreen},
		{press("2"), flowScreen},
		{press("4"), traceScreen},
		{press("3"), inspectScreen},
		{navigateMsg{to: flowScreen}, flowScreen},
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
	if _, cmd := appUpdate(t, m, press("q")); !quits(cmd) {
		t.Error("q did not quit")
	}
	// Focus the stepper's form: q is then typed.
	m, _ = appUpdate(t, m, press("e"))
	if !m.capturingText() {
		t.Fatal("the form has no focus")
	}
	m, cmd := appUpdate(t, m, press("down")) // to the scope field
	_ = cmd
	m, cmd = appUpdate(t, m, press("q"))
	if quits(cmd) {
		t.Error("q quit while a text input had focus")
	}
	if got := flowOf(m).form.value(fieldScope); got != "q" {
		t.Errorf("q was not typed into the scope field: %q", got)
	}
	if _, cmd := appUpdate(t, m, press("ctrl+c")); !quits(cmd) {
		t.Error("ctrl+c did not quit")
	}
}

// TestAppHelpAndLearn: ? shows every key and esc closes it; L toggles Learn on every screen.
func TestAppHelpAndLearn(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	m, _ = appUpdate(t, m, press("?"))
	if !m.fullHelp {
		t.Fatal("? did not open the help")
	}
	v := stripANSI(m.View().Content)
	for _, want := range []string{"Flow — all keys", "edit request", "raw response", "Everywhere", "learn"} {
		if !contains(v, want) {
			t.Errorf("help lacks %q:\n%s", want, v)
		}
	}
	m, _ = appUpdate(t, m, press("esc"))
	if m.fullHelp {
		t.Fatal("esc did not close the help")
	}
	m, _ = appUpdate(t, m, press("L"))
	if !m.c.learn || !contains(stripANSI(m.View().Content), "Learn: Discovery") {
		t.Errorf("L did not show the Learn text:\n%s", stripANSI(m.View().Content))
	}
	m, _ = appUpdate(t, m, press("L"))
	if m.c.learn {
		t.Error("a second L did not hide it")
	}
}

// TestAppBackground: a light background rebuilds the styles in place, shared by every screen.
func TestAppBackground(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	st := m.c.st
	before := *st
	m, _ = appUpdate(t, m, tea.BackgroundColorMsg{Color: color.White})
	if m.c.isDark || m.c.st != st {
		t.Fatalf("isDark %v, styles pointer changed %v", m.c.isDark, m.c.st != st)
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
	f := flowOf(m)
	f.running, f.reqID, f.inflight = stepDiscover, 3, 1
	f.steps[stepDiscover].state = stateRunning
	m.screens[flowScreen] = f
	m, _ = appUpdate(t, m, press("3"))
	m, _ = appUpdate(t, m, discoveredMsg{reqID: 3, meta: &flows.Metadata{Issuer: "http://127.0.0.1:1"}})
	if got := flowOf(m).steps[stepDiscover].state; got != stateDone {
		t.Errorf("discover state %v while the trace was shown", got)
	}
}

// TestAppClientReady: a screen that produces a client configuration (the future profiles screen)
// starts a new session on it.
func TestAppClientReady(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	old := m.c.client
	m.active = traceScreen
	_, cmd := appUpdate(t, m, clientReadyMsg{name: "p", config: flows.ClientConfig{Issuer: "http://127.0.0.1:2", ClientID: "y"}})
	msg := cmd()
	built, ok := msg.(sessionClientBuiltMsg)
	if !ok {
		t.Fatalf("got %T", msg)
	}
	m, _ = appUpdate(t, m, built)
	if m.c.client == old || m.c.client.Config.ClientID != "y" || m.c.trace != m.c.client.Trace || m.active != flowScreen || m.name != "p" {
		t.Errorf("session not started: client %v active %v", m.c.client.Config, m.active)
	}
	if flowOf(m).base.ClientID != "y" {
		t.Error("the stepper was not rebuilt on the new client")
	}
	// An exchange of the old session is dropped.
	m2, cmd := appUpdate(t, m, exchangeRecordedMsg{session: m.session - 1})
	if cmd != nil || m2.session != m.session {
		t.Error("an old session's exchange was handled")
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
