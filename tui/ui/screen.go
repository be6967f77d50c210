// Package ui is what tokenbench's screens share (STYLE §4, soft-serve's common and components): the
// Common context passed by pointer, the Styles, the Screen interface the root routes through, the key
// constructors every screen uses, small cell and input widgets, and the messages that cross screens
// (navigate, tokens received, exchange recorded, session started …). It imports no screen.
package ui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
)

// What a screen is to the root: its ID in the tab bar, the Screen interface, and the optional
// interfaces the root looks for.

// ScreenID names a screen the root can show. The order is the order of the tab bar and of the
// number keys 1..n.
type ScreenID int

const (
	ProfilesScreen ScreenID = iota
	FlowScreen
	InspectScreen
	TraceScreen
	NumScreens // not a screen: the count
)

// Title is the screen's name in the tab bar.
func (id ScreenID) Title() string {
	switch id {
	case ProfilesScreen:
		return "Profiles"
	case FlowScreen:
		return "Flow"
	case InspectScreen:
		return "Inspector"
	case TraceScreen:
		return "Trace"
	case NumScreens:
	}
	return "?"
}

// Screen is one page of the app (STYLE §4). Only the root implements tea.Model; a screen returns a
// string from View and itself from Update. Its help.KeyMap feeds the footer (ShortHelp) and the `?`
// overlay (FullHelp).
//
// Routing, done by the root (app.go):
//   - input (keys, mouse, paste) goes to the active screen only, after the global keys;
//   - ticks (spinner.TickMsg, ClockTickedMsg) go only to the screens that show time (TimeShower),
//     and ExchangeRecordedMsg only to those that show the trace (TraceShower): they come often,
//     and a screen that does not show them would only ignore them;
//   - every other message (command results, window size, TokensReceivedMsg …) goes to every
//     screen, so a result arriving while another screen is shown is not lost. A screen ignores
//     what it does not know; async results carry a reqID so that a screen drops results it did
//     not ask for (or no longer waits for).
//
// A screen never builds another screen and never switches screens itself: it returns a command
// producing NavigateMsg and the root acts on it.
type Screen interface {
	Update(tea.Msg) (Screen, tea.Cmd)
	View() string
	help.KeyMap
}

// TextCapturer is implemented by screens that can have a text input focused. While it reports
// true, the root does not treat single letters (q, L, 1..4, ?) as global keys.
type TextCapturer interface {
	CapturingText() bool
}

// TimeShower is implemented by screens that show time (a spinner, a countdown): only they receive
// spinner.TickMsg and ClockTickedMsg. A screen that starts a tick chain must implement it, or its
// first tick is never delivered.
type TimeShower interface {
	ShowsTime()
}

// TraceShower is implemented by screens that show the session's exchanges: only they receive
// ExchangeRecordedMsg.
type TraceShower interface {
	ShowsTrace()
}

// ScreenInit is implemented by screens that need a command when first built (a spinner, a
// countdown). The root runs it once, after building the screen.
type ScreenInit interface {
	Init() tea.Cmd
}

// MouseReleaser is implemented by screens that can show a value for the user to select with the
// mouse (a long URL, a token). While ReleasesMouse reports true, the root shows the screen's view
// alone, without the tab bar and the footer, and turns mouse reporting off, so that the terminal
// selects text itself; reporting comes back when it reports false again.
type MouseReleaser interface {
	ReleasesMouse() bool
}
