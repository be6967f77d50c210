package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// TestStackIsLipgloss: stack lays out the frame exactly as cutting the body with lipgloss and
// joining the three parts with lipgloss.JoinVertical do, escape codes included, for every screen's
// body and for bodies that are not blocks.
func TestStackIsLipgloss(t *testing.T) {
	lipglossWay := func(header, body, footer string, w, h int) string {
		fitted := lipgloss.NewStyle().MaxWidth(w).Height(h).MaxHeight(h).Render(body)
		return lipgloss.JoinVertical(lipgloss.Left, header, fitted, footer)
	}
	red := lipgloss.NewStyle().Foreground(lipgloss.Color("#ff0000"))
	type frame struct {
		name, header, body, footer string
		w, h                       int
	}
	frames := []frame{
		{"block", "tabs", "ab\ncd\nef", "keys", 10, 3},
		{"styled block", red.Render("1 Profiles") + "  2 Flow", red.Render("│x") + "\n│y", "q quit", 12, 2},
		{"wide header", "a much wider tab bar than the body", "ab\ncd", "k", 40, 2},
		{"ragged", "t", "a\nbcd\nef", "k", 10, 3},
		{"short", "t", "ab\ncd", "k", 10, 4},
		{"tall", "t", "ab\ncd\nef", "k", 10, 2},
		{"too wide", "t", "abcdef\nghijkl", "k", 4, 2},
		{"tabs", "t\tu", "a\tb\nc\td", "k", 10, 2},
		{"crlf", "t", "ab\r\ncd", "k", 10, 2},
		{"wide runes", "日本", "語x\nyz", "✓ ok", 10, 2},
	}
	for _, size := range goldenSizes {
		m := newTestApp(t)
		m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: size.w, Height: size.h})
		for id := ui.ScreenID(0); id < ui.NumScreens; id++ {
			mm, _ := m.show(id)
			m = mm.(Model)
			frames = append(frames, frame{id.Title(), m.header(), m.screens[id].View(), m.footer(), m.width, m.c.Height})
		}
	}
	m := newTestApp(t)
	m, _ = appUpdate(t, m, tuitest.Press("?"))
	frames = append(frames, frame{"full help", m.header(), m.fullHelpView(), m.footer(), m.width, m.c.Height})
	for _, f := range frames {
		want := lipglossWay(f.header, f.body, f.footer, f.w, f.h)
		if got := stack(f.header, f.body, f.footer, f.w, f.h); got != want {
			t.Errorf("%s at %d×%d:\n got %q\nwant %q", f.name, f.w, f.h, got, want)
		}
	}
	// The frames of the screens are blocks: stack takes its short way for them.
	m = newTestApp(t)
	if _, _, ok := block(m.screens[ui.FlowScreen].View()); !ok {
		t.Errorf("the Flow screen's body is not a block:\n%s", strings.ReplaceAll(m.screens[ui.FlowScreen].View(), " ", "·"))
	}
}

// TestProfilesScreenBuiltWhenShown: started on the Flow screen, the workbench builds the Profiles
// screen (which reads and checks every saved profile) only when it is first shown, at the size and
// with the Learn setting of that moment, as one built at the start would stand.
func TestProfilesScreenBuiltWhenShown(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	if m.screens[ui.ProfilesScreen] != nil {
		t.Fatal("the Profiles screen was built before it was shown")
	}
	m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m, _ = appUpdate(t, m, tuitest.Press("L"))
	m, _ = appUpdate(t, m, tuitest.Press("1"))
	if m.screens[ui.ProfilesScreen] == nil || m.active != ui.ProfilesScreen {
		t.Fatal("pressing 1 did not show the Profiles screen")
	}
	built := tuitest.StripANSI(m.View().Content)
	ahead := New(Options{Client: m.c.Client, Now: tuitest.FlowNow, Scrub: tuitest.FlowScrub})
	ahead.screens[ui.ProfilesScreen] = newScreen(ui.ProfilesScreen, ahead.c)
	for _, msg := range []tea.Msg{tea.WindowSizeMsg{Width: 100, Height: 30}, tuitest.Press("L"), tuitest.Press("1")} {
		ahead, _ = appUpdate(t, ahead, msg)
	}
	if want := tuitest.StripANSI(ahead.View().Content); built != want {
		t.Errorf("built when shown:\n%s\nbuilt at the start:\n%s", built, want)
	}
}
