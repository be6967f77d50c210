package profilescreen

import (
	"os"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/zalando/go-keyring"

	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Helpers of the profiles screen's tests: a screen on a store, keys and text typed into it.

var mockKeyringOnce sync.Once

// useMockKeyring switches go-keyring to its in-memory stand-in for the whole test binary (the
// profiles package serializes the calls into it).
func useMockKeyring() { mockKeyringOnce.Do(keyring.MockInit) }

// profilesCommon is a shared context on st, sized w×h, with env for the secrets.
func profilesCommon(st *profiles.Store, env map[string]string, w, h int) *ui.Common {
	sec := profiles.NewSecrets()
	sec.Getenv = func(k string) string { return env[k] }
	c := &ui.Common{Styles: ui.NewStyles(true), IsDark: true, Width: w, Height: h, Now: tuitest.FlowNow, Scrub: func(s string) string { return s },
		Store: st, Secrets: sec, StartDemo: tuitest.FakeDemo}
	if st != nil {
		c.Scrub = tuitest.ProfilesScrub(st)
	}
	return c
}

// newProfilesScreen builds the screen on c.
func newProfilesScreen(c *ui.Common) Model {
	s, _ := New(c).(Model)
	return s
}

// pUpdate is one Update of the screen, as a pure function.
func pUpdate(s Model, msg tea.Msg) (Model, tea.Cmd) {
	sc, cmd := s.Update(msg)
	return sc.(Model), cmd
}

// pKeys presses each key in turn and returns the last command.
func pKeys(s Model, keys ...string) (Model, tea.Cmd) {
	var cmd tea.Cmd
	for _, k := range keys {
		s, cmd = pUpdate(s, tuitest.Press(k))
	}
	return s, cmd
}

// pType types text, one key per character.
func pType(s Model, text string) Model {
	for _, r := range text {
		s, _ = pUpdate(s, tuitest.Press(string(r)))
	}
	return s
}

// fileText is the profile file as it is on disk.
func fileText(t *testing.T, st *profiles.Store) string {
	t.Helper()
	data, err := os.ReadFile(st.Path())
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

// viewOf is the screen's view without escape codes.
func viewOf(s Model) string { return tuitest.StripANSI(s.View()) }

// ansiWidth is a line's width in cells.
func ansiWidth(s string) int { return ansi.StringWidth(s) }
