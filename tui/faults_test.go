package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/faultpanel"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// Tests of the faults panel (F) in the whole app, against the built-in provider.

// demoApp is the app on the built-in provider's demo client, with the provider's faults panel.
func demoApp(t *testing.T) (Model, *demoidp.Provider) {
	t.Helper()
	p := tuitest.FlowProvider(t)
	opts := flowOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil)
	opts.DemoControls = p
	m, _ := appUpdate(t, New(opts), tea.WindowSizeMsg{Width: 80, Height: 24})
	return m, p
}

// pressApp sends one key and runs the panel command it returns, feeding its answer back.
func pressApp(t *testing.T, m Model, k string) Model {
	t.Helper()
	m, cmd := appUpdate(t, m, tuitest.Press(k))
	if cmd == nil {
		return m
	}
	if msg, ok := cmd().(faultpanel.StateMsg); ok {
		m, _ = appUpdate(t, m, msg)
	}
	return m
}

// selectFault moves the panel's selection to the named fault.
func selectFault(t *testing.T, m Model, name string) Model {
	t.Helper()
	for range demoidp.FaultList() {
		if m.faults.SelectedFault() == name {
			return m
		}
		m = pressApp(t, m, "down")
	}
	t.Fatalf("fault %s not in the panel", name)
	return m
}

// TestFaultsPanelTogglesProviderFaults: F opens the panel on the provider's state; space turns a
// fault on and off on the provider itself, and the note beside the tabs says which are on.
func TestFaultsPanelTogglesProviderFaults(t *testing.T) {
	m, p := demoApp(t)
	m = pressApp(t, m, "F")
	if !m.faults.Open {
		t.Fatal("F did not open the faults panel on the demo")
	}
	if len(m.faults.Kids()) != 1 {
		t.Errorf("panel read %d signing keys, want 1", len(m.faults.Kids()))
	}
	m = pressApp(t, selectFault(t, m, "wrong-iss"), "space")
	if !p.Faults().WrongIss {
		t.Fatal("space on wrong-iss did not turn the fault on in the provider")
	}
	if h := m.header(); !strings.Contains(h, "faults: wrong-iss") {
		t.Errorf("header %q does not name the fault that is on", h)
	}
	m = pressApp(t, m, "space")
	if p.Faults().WrongIss {
		t.Error("a second space did not turn wrong-iss off")
	}
	if h := m.header(); strings.Contains(h, "faults:") {
		t.Errorf("header %q still names a fault", h)
	}
	m = pressApp(t, m, "esc")
	if m.faults.Open {
		t.Error("esc did not close the panel")
	}
}

// TestFaultsPanelDuration: a fault that takes a duration asks for it; a bad value is refused in
// place and changes nothing; a good one reaches the provider.
func TestFaultsPanelDuration(t *testing.T) {
	m, p := demoApp(t)
	m = pressApp(t, selectFault(t, pressApp(t, m, "F"), "clock-skew"), "space")
	if !m.faults.Editing() || m.faults.InputValue() != "10m" {
		t.Fatalf("clock-skew: editing %v with %q, want the suggested 10m", m.faults.Editing(), m.faults.InputValue())
	}
	m = pressApp(t, pressApp(t, m, "x"), "enter")
	if !m.faults.Editing() || !strings.Contains(m.faults.Failure(), "clock-skew") {
		t.Errorf("10mx: editing %v, failure %q; want the error in place", m.faults.Editing(), m.faults.Failure())
	}
	if p.Faults().ClockSkew != 0 {
		t.Fatal("a refused duration reached the provider")
	}
	m, _ = appUpdate(t, m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	m = pressApp(t, m, "enter")
	if m.faults.Editing() || p.Faults().ClockSkew != 10*time.Minute {
		t.Fatalf("after 10m: editing %v, provider skew %v", m.faults.Editing(), p.Faults().ClockSkew)
	}
	if v := ansi.Strip(m.faults.View(m.c.Styles, 80, 22)); !strings.Contains(strings.Join(strings.Fields(v), " "), "[x] clock-skew 10m0s") {
		t.Errorf("panel does not show the skew:\n%s", m.faults.View(m.c.Styles, 80, 22))
	}
	m = pressApp(t, m, "space")
	if p.Faults().ClockSkew != 0 || m.faults.Editing() {
		t.Errorf("space on an active duration fault: provider skew %v, editing %v; want it off", p.Faults().ClockSkew, m.faults.Editing())
	}
}

// TestFaultsPanelKeys: r rotates the provider's signing key (both published), x retires the old.
func TestFaultsPanelKeys(t *testing.T) {
	m, p := demoApp(t)
	before := p.KeyIDs()[0]
	m = pressApp(t, pressApp(t, m, "F"), "r")
	if ids := p.KeyIDs(); len(ids) != 2 || ids[1] != before {
		t.Fatalf("after r the provider publishes %q, want a new key before %s", ids, before)
	}
	if len(m.faults.Kids()) != 2 || !strings.Contains(m.faults.Notice(), "new signing key") {
		t.Errorf("panel: kids %q, notice %q", m.faults.Kids(), m.faults.Notice())
	}
	m = pressApp(t, m, "x")
	if ids := p.KeyIDs(); len(ids) != 1 || ids[0] == before {
		t.Errorf("after x the provider publishes %q, want only the new key", ids)
	}
	if !strings.Contains(m.faults.Notice(), "1 old key") {
		t.Errorf("notice %q", m.faults.Notice())
	}
}

// TestFaultsKeyNeedsTheDemo: on another tenant F is not the faults panel, and the footer does not
// offer it.
func TestFaultsKeyNeedsTheDemo(t *testing.T) {
	m := pressApp(t, newTestApp(t), "F")
	if m.faults.Open {
		t.Error("F opened the faults panel on a client that is not the built-in provider's")
	}
	if strings.Contains(m.footer(), "faults") {
		t.Errorf("footer %q offers the faults panel", m.footer())
	}
}

func TestFaultsPanelGolden(t *testing.T) {
	p := tuitest.FlowProvider(t)
	opts := flowOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser)
	opts.DemoControls = p
	tm := startApp(t, opts, 80, 24)
	waitSized(t, tm)
	tm.Send(tuitest.Press("F"))
	waitModel(t, tm, "the panel", func(m Model) bool { return m.faults.Open && len(m.faults.Kids()) == 1 })
	for _, k := range []string{"down", "down", "space"} {
		tm.Send(tuitest.Press(k))
	}
	waitModel(t, tm, "wrong-state on", func(m Model) bool { return m.faults.Notice() != "" })
	golden.RequireEqual(t, finalView(t, tm))
}
