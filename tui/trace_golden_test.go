package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/tracescreen"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Goldens and mouse tests of the whole app on the Trace.

// TestTraceGolden shows the fixed trace of a fake issuer with the token exchange selected, its
// secrets masked.
func TestTraceGolden(t *testing.T) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			client, err := flows.NewClient(flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "fake-client"}, flows.TransportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			client.Trace = tuitest.FixedTrace()
			m := New(Options{Client: client, Name: "fake-client @ fake issuer", Start: ui.TraceScreen, Now: func() time.Time { return tuitest.FixedNow }})
			runGolden(t, m, size.w, size.h, "grant_type", tea.KeyPressMsg{Code: tea.KeyUp})
		})
	}
}

// TestTraceClickSelects: a left click on a row of the list selects its exchange; the root makes
// the click relative to the body, so the row is found where it is drawn.
func TestTraceClickSelects(t *testing.T) {
	c, err := flows.NewClient(flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURI: "https://app.example.com/cb"}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range tuitest.FixedTraceExchanges() {
		c.Trace.Record(x)
	}
	m, _ := appUpdate(t, New(Options{Client: c, Now: tuitest.FlowNow, Start: ui.TraceScreen}), tea.WindowSizeMsg{Width: 80, Height: 24})
	rowOf := func(m Model, text string) int {
		for y, line := range strings.Split(ansi.Strip(m.View().Content), "\n") {
			if strings.Contains(line, text) && strings.Contains(line, "GET") {
				return y
			}
		}
		t.Fatalf("no list row shows %q", text)
		return 0
	}
	m, _ = appUpdate(t, m, tea.MouseClickMsg{X: 10, Y: rowOf(m, "/jwks"), Button: tea.MouseLeft})
	tm := m.screens[ui.TraceScreen].(tracescreen.Model)
	if tm.SelectedIndex() != 1 || tm.Following() {
		t.Fatalf("click on the jwks row: selected %d (follow %v), want 1", tm.SelectedIndex(), tm.Following())
	}
	if v := ansi.Strip(tm.View()); !strings.Contains(v, "#2 jwks · GET") {
		t.Errorf("the detail does not show the clicked exchange:\n%s", v)
	}
	m, _ = appUpdate(t, m, tea.MouseClickMsg{X: 10, Y: rowOf(m, "/.well-known"), Button: tea.MouseRight})
	if sel := m.screens[ui.TraceScreen].(tracescreen.Model).SelectedIndex(); sel != 1 {
		t.Errorf("a right click moved the selection to %d", sel)
	}
	m, _ = appUpdate(t, m, tea.MouseClickMsg{X: 10, Y: rowOf(m, "/.well-known"), Button: tea.MouseLeft})
	if sel := m.screens[ui.TraceScreen].(tracescreen.Model).SelectedIndex(); sel != 0 {
		t.Errorf("click on the discovery row: selected %d, want 0", sel)
	}
}
