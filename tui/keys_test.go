package tui

import (
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The one key map: every screen's `?` lists its keys, and a key means one thing on every screen.
// A binding's meaning is the first word of its help ("copy token" and "copy as curl" are both
// copies); only the contextual keys (ui.ContextKeys: navigation, enter, esc, tab inside a form)
// may mean different things. The faults panel (F) and the quit question are modal and keep their
// own keys: they are not screens.

// keyUse is where a key is offered and what it does there.
type keyUse struct{ screen, help string }

// TestOneMeaningPerKey walks every screen's full help and the global keys and fails when one key
// has two meanings.
func TestOneMeaningPerKey(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	uses := map[string][]keyUse{}
	add := func(screen string, groups [][]key.Binding) {
		for _, g := range groups {
			for _, b := range g {
				for _, k := range b.Keys() {
					if slices.Contains(ui.ContextKeys, k) {
						continue
					}
					uses[k] = append(uses[k], keyUse{screen, b.Help().Desc})
				}
			}
		}
	}
	add("everywhere", m.keys.FullHelp())
	add("everywhere", [][]key.Binding{{m.keys.Faults}})
	for id := ui.ScreenID(0); id < ui.NumScreens; id++ {
		m, _ = appUpdate(t, m, tuitest.Press(string(rune('1'+int(id))))) // a screen is built when first shown
		add(id.Title(), m.screens[id].FullHelp())
		add(id.Title(), [][]key.Binding{m.screens[id].ShortHelp()})
	}
	for k, us := range uses {
		verb := strings.Fields(us[0].help)[0]
		for _, u := range us[1:] {
			if strings.Fields(u.help)[0] != verb {
				t.Errorf("%q means %q on %s but %q on %s", k, us[0].help, us[0].screen, u.help, u.screen)
			}
		}
	}
}

// TestHelpListsEveryKey: ? on each screen lists each of its keys and the global ones, also at
// 80×24, where the columns that do not fit side by side go under the others.
func TestHelpListsEveryKey(t *testing.T) {
	t.Parallel()
	for _, size := range []tea.WindowSizeMsg{{Width: 200, Height: 60}, {Width: 80, Height: 24}} {
		m := newTestApp(t)
		m, _ = appUpdate(t, m, size)
		helpListsEveryKey(t, m)
	}
}

func helpListsEveryKey(t *testing.T, m Model) {
	t.Helper()
	for id := ui.ScreenID(0); id < ui.NumScreens; id++ {
		m, _ = appUpdate(t, m, tuitest.Press(string(rune('1'+int(id)))))
		m, _ = appUpdate(t, m, tuitest.Press("?"))
		v := strings.Join(strings.Fields(tuitest.StripANSI(m.View().Content)), " ")
		groups := append(m.screens[id].FullHelp(), m.keys.FullHelp()...)
		for _, g := range groups {
			for _, b := range g {
				if want := strings.Join(strings.Fields(b.Help().Key+" "+b.Help().Desc), " "); !contains(v, want) {
					t.Errorf("%s at %d columns: ? does not list %q:\n%s", id.Title(), m.width, want, tuitest.StripANSI(m.View().Content))
				}
			}
		}
		m, _ = appUpdate(t, m, tuitest.Press("esc"))
	}
}

// TestTabMovesInsideForms: tab and shift+tab move between a form's fields; outside a form they
// switch screens, and the digits always do.
func TestTabMovesInsideForms(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	m, _ = appUpdate(t, m, tuitest.Press("e")) // the request form, on the grant field
	m, _ = appUpdate(t, m, tuitest.Press("tab"))
	if m.active != ui.FlowScreen || !m.capturingText() {
		t.Fatalf("tab left the form: active %v", m.active)
	}
	if v := tuitest.StripANSI(m.View().Content); !contains(v, "▸scope") {
		t.Errorf("tab did not move to the next field (scope):\n%s", v)
	}
	m, _ = appUpdate(t, m, tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	if v := tuitest.StripANSI(m.View().Content); !contains(v, "▸grant") {
		t.Errorf("shift+tab did not move back to the grant:\n%s", v)
	}
	// enter goes to the next field too, as in the profile form; esc ends editing.
	m, _ = appUpdate(t, m, tuitest.Press("enter"))
	if !m.capturingText() || !contains(tuitest.StripANSI(m.View().Content), "▸scope") {
		t.Error("enter did not move to the next field")
	}
	m, _ = appUpdate(t, m, tuitest.Press("esc"))
	m, _ = appUpdate(t, m, tuitest.Press("tab"))
	if m.active != ui.InspectScreen {
		t.Errorf("tab outside a form: active %v", m.active)
	}
	m, _ = appUpdate(t, m, tuitest.Press("4"))
	if m.active != ui.TraceScreen {
		t.Errorf("4: active %v", m.active)
	}
}
