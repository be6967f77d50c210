// Helpers of the root's tests: the app run in teatest and waited on through a probe, one
// Update as a pure function, and the goldens of whole screens.
package tui

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/stepper"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// appUpdate is one Update of the root, as a pure function.
func appUpdate(t *testing.T, m Model, msg tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	mm, cmd := m.Update(msg)
	return mm.(Model), cmd
}

// quits reports whether cmd quits the program.
func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

// newTestApp is the app at 80×24 on a client of an issuer where nothing listens.
func newTestApp(t *testing.T) Model {
	t.Helper()
	c, err := flows.NewClient(flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURI: "https://app.example.com/cb"}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Client: c, Now: tuitest.FlowNow, Scrub: tuitest.FlowScrub})
	m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	return m
}

// contains is strings.Contains, short for the assertions.
func contains(s, sub string) bool { return strings.Contains(s, sub) }

// The golden tests run the whole app in teatest and compare the stripped final view (STYLE §9).
// The v2 renderer writes cell diffs, so waiting for text in the output is unreliable; the tests
// wait instead on the model itself, through probeModel, which checks a condition after every
// Update on the program's own goroutine and closes a channel when it holds.

// probeModel wraps the app for tests.
type probeModel struct {
	Model
	cond func(Model) bool
	done chan struct{}
}

// probeMsg installs a condition to wait for.
type probeMsg struct {
	cond func(Model) bool
	done chan struct{}
}

func (p probeModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if pm, ok := msg.(probeMsg); ok {
		p.cond, p.done = pm.cond, pm.done
	} else {
		m, cmd := p.Model.Update(msg)
		p.Model = m.(Model)
		defer func() { _ = cmd }()
		p = p.check()
		return p, cmd
	}
	return p.check(), nil
}

func (p probeModel) check() probeModel {
	if p.cond != nil && p.cond(p.Model) {
		close(p.done)
		p.cond, p.done = nil, nil
	}
	return p
}

// waitModel waits until cond holds on the running app.
func waitModel(t *testing.T, tm *teatest.TestModel, what string, cond func(Model) bool) {
	t.Helper()
	done := make(chan struct{})
	tm.Send(probeMsg{cond: cond, done: done})
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// flowOf is the app's stepper.
func flowOf(m Model) stepper.Model {
	f, _ := m.screens[ui.FlowScreen].(stepper.Model)
	return f
}

// stepEnded reports whether a step is done or failed.
func stepEnded(step string) func(Model) bool {
	return func(m Model) bool { return flowOf(m).StepEnded(step) }
}

// startApp runs the app at w×h in teatest, with no colours.
func startApp(t *testing.T, opts Options, w, h int) *teatest.TestModel {
	t.Helper()
	return teatest.NewTestModel(t, probeModel{Model: New(opts)},
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
}

// finalView quits and returns the stripped final view.
func finalView(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	tm.Send(tuitest.Press("ctrl+c"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	// The spinner's frame depends on when the program stopped.
	return spinnerFrame.ReplaceAllString(ansi.Strip(final.View().Content), "*")
}

var spinnerFrame = regexp.MustCompile(`[\x{2800}-\x{28FF}]`)

// waitSized waits until the app knows its size (the first WindowSizeMsg).
func waitSized(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	waitModel(t, tm, "the window size", func(m Model) bool { return m.width > 0 })
}

// goldenSizes are the terminal sizes every screen golden is taken at.
var goldenSizes = []struct{ w, h int }{{80, 24}, {120, 40}}

// runGolden runs the whole app at a size, sends msgs, waits for want to be drawn, quits, and
// compares the final view, without escape codes, with the golden file.
func runGolden(t *testing.T, m Model, w, h int, want string, msgs ...tea.Msg) {
	t.Helper()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	for _, msg := range msgs {
		tm.Send(msg)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(want)) },
		teatest.WithDuration(5*time.Second))
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	golden.RequireEqual(t, ansi.Strip(final.View().Content))
}
