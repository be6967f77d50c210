// Package tuitest holds the helpers the tests of several tui packages share: key presses as the
// terminal sends them, commands run by hand, screens fed and sized, paths into assets/. It imports
// tui/ui only, so that the root's tests and each screen's internal tests can all use it.
package tuitest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Driving a screen by hand (STYLE §9 layer 2): keys, pastes, commands, sizes, and the files a form reads.

// Press is a key press as the terminal sends it.
func Press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// StripANSI is s without escape codes.
func StripANSI(s string) string { return ansi.Strip(s) }

// PasteMsgOf is a bracketed paste of s.
func PasteMsgOf(s string) tea.PasteMsg { return tea.PasteMsg{Content: s} }

// WriteFile writes a test file under dir and returns its path.
func WriteFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Asset is the path of a file under the repository's assets/, relative to the working directory (a
// test runs in its package's directory), as a user would type it in a form.
func Asset(elem ...string) string {
	_, file, _, _ := runtime.Caller(0)
	abs := filepath.Join(append([]string{filepath.Dir(file), "..", "..", "..", "assets"}, elem...)...)
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil {
		return abs
	}
	return rel
}

// ReadKey reads a PEM or JWK signing key.
func ReadKey(t *testing.T, path string) *jose.JSONWebKey {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := flows.ParseSigningKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// FixedCommon is a shared context with a fixed clock and no client.
func FixedCommon(now time.Time) *ui.Common {
	return &ui.Common{
		Styles: ui.NewStyles(true),
		Now:    func() time.Time { return now },
		Scrub:  func(s string) string { return s },
	}
}

// Feed hands msgs to s one by one, running what each returns and handing back the answers of
// type T (a verification, a save); no ticks: they would wait.
func Feed[T tea.Msg](s ui.Screen, msgs ...tea.Msg) ui.Screen {
	for _, m := range msgs {
		var cmd tea.Cmd
		s, cmd = s.Update(m)
		for _, r := range runCmdNoTick[T](cmd) {
			s = Feed[T](s, r)
		}
	}
	return s
}

// runCmdNoTick runs the commands that answer at once with a T: verifications, saves; it skips ticks,
// clipboard writes and cursor blinks, which a real program would deliver later or elsewhere.
func runCmdNoTick[T tea.Msg](cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if b, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, runCmdNoTick[T](c)...)
			}
			return out
		}
		if _, ok := msg.(T); ok {
			return []tea.Msg{msg}
		}
		return nil
	case <-time.After(200 * time.Millisecond):
		return nil // a tick or a blink: not delivered
	}
}

// Sized hands s the body size w×h.
func Sized(s ui.Screen, w, h int) ui.Screen {
	s, _ = s.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return s
}

// AwaitMsg runs cmd (the children of a batch included) on goroutines and returns the first
// message of type T; cursor blinks and spinner ticks are left to themselves.
func AwaitMsg[T tea.Msg](t *testing.T, cmd tea.Cmd) T {
	t.Helper()
	ch := make(chan tea.Msg, 64)
	var start func(tea.Cmd)
	start = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			if batch, ok := msg.(tea.BatchMsg); ok {
				for _, cc := range batch {
					start(cc)
				}
				return
			}
			ch <- msg
		}()
	}
	start(cmd)
	deadline := time.After(15 * time.Second)
	for {
		select {
		case msg := <-ch:
			if m, ok := msg.(T); ok {
				return m
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T came", zero)
			return zero
		}
	}
}

// ToggleReveal does what the root does on s: it flips Common.Reveal and returns the message it
// broadcasts, for a screen tested alone.
func ToggleReveal(c *ui.Common) tea.Msg {
	c.Reveal = !c.Reveal
	return ui.RevealToggledMsg{On: c.Reveal}
}
