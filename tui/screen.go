package tui

import (
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// screenID names a screen the root can show. The order is the order of the tab bar and of the
// number keys 1..n.
type screenID int

const (
	profilesScreen screenID = iota
	flowScreen
	inspectScreen
	traceScreen
	numScreens // not a screen: the count
)

// title is the screen's name in the tab bar.
func (id screenID) title() string {
	switch id {
	case profilesScreen:
		return "Profiles"
	case flowScreen:
		return "Flow"
	case inspectScreen:
		return "Inspector"
	case traceScreen:
		return "Trace"
	case numScreens:
	}
	return "?"
}

// screen is one page of the app (STYLE §4). Only the root implements tea.Model; a screen returns a
// string from View and itself from Update. Its help.KeyMap feeds the footer (ShortHelp) and the `?`
// overlay (FullHelp).
//
// Routing, done by the root (app.go):
//   - input (keys, mouse, paste) goes to the active screen only, after the global keys;
//   - every other message (command results, ticks, window size, tokensReceivedMsg,
//     exchangeRecordedMsg …) goes to every screen, so a result arriving while another screen is
//     shown is not lost. A screen ignores what it does not know; async results carry a reqID so
//     that a screen drops results it did not ask for (or no longer waits for).
//
// A screen never builds another screen and never switches screens itself: it returns a command
// producing navigateMsg and the root acts on it.
type screen interface {
	Update(tea.Msg) (screen, tea.Cmd)
	View() string
	help.KeyMap
}

// textCapturer is implemented by screens that can have a text input focused. While it reports
// true, the root does not treat single letters (q, L, 1..4, ?) as global keys.
type textCapturer interface {
	capturingText() bool
}

// screenInit is implemented by screens that need a command when first built (a spinner, a
// countdown). The root runs it once, after building the screen.
type screenInit interface {
	init() tea.Cmd
}

// common is the shared, read-only context of every screen (STYLE §4: soft-serve's common.Common).
// The root owns it and is the only writer; screens hold the pointer and read it in Update and View.
type common struct {
	// st is the one styles struct; the root rebuilds it in place on tea.BackgroundColorMsg.
	st *styles
	// width and height are the body's size: the terminal minus the tab bar and the footer.
	width, height int
	// isDark is the terminal's background; profile its colour profile (Ascii under NO_COLOR).
	isDark  bool
	profile colorprofile.Profile

	// client is the session's OAuth client; trace records its every exchange (client.Trace).
	// client.Config is written only by the flow screen, in its Update, to apply the request form,
	// and only while none of its own commands is running; other screens only read it, and only
	// inside their commands' short calls (validation).
	client *flows.Client
	trace  *flows.Trace
	// clientName labels the client in titles ("demo-basic @ demo provider").
	clientName string

	// learn is the Learn toggle (L): screens show the explanation of what is selected beside it.
	learn bool

	// now is the clock for countdowns and relative times (injected by tests).
	now func() time.Time
	// openBrowser opens a URL in the user's browser; it is called inside a tea.Cmd, never in Update.
	openBrowser func(url string) error
	// scrub is applied to dynamic text before it is laid out; the identity except in tests, which
	// replace ports and random values so that goldens are stable.
	scrub func(string) string

	// The profiles screen's dependencies. store is the profile file (safe for concurrent use; it
	// refuses every write when its file did not load), nil when there is no configuration directory
	// (storeErr says why); secrets resolves and stores client secrets; startDemo starts the
	// built-in provider (nil where there is none). Every write, keyring call and file read happens
	// inside the profiles screen's commands.
	store     *profiles.Store
	storeErr  error
	secrets   *profiles.Secrets
	startDemo func() (Demo, error)
}
