package ui

import (
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// common is the shared, read-only context of every screen (STYLE §4: soft-serve's common.Common).
// The root owns it and is the only writer; screens hold the pointer and read it in Update and View.
type Common struct {
	// st is the one styles struct; the root rebuilds it in place on tea.BackgroundColorMsg.
	Styles *Styles
	// width and height are the body's size: the terminal minus the tab bar and the footer.
	Width, Height int
	// isDark is the terminal's background; profile its colour profile (Ascii under NO_COLOR).
	IsDark  bool
	Profile colorprofile.Profile

	// client is the session's OAuth client; trace records its every exchange (client.Trace).
	// client.Config is written only by the flow screen, in its Update, to apply the request form,
	// and only while none of its own commands is running; other screens only read it, and only
	// inside their commands' short calls (validation).
	Client *flows.Client
	Trace  *flows.Trace
	// clientName labels the client in titles ("demo-basic @ demo provider").
	ClientName string

	// learn is the Learn toggle (L): screens show the explanation of what is selected beside it.
	Learn bool

	// now is the clock for countdowns and relative times (injected by tests).
	Now func() time.Time
	// openBrowser opens a URL in the user's browser; it is called inside a tea.Cmd, never in Update.
	OpenBrowser func(url string) error
	// scrub is applied to dynamic text before it is laid out; the identity except in tests, which
	// replace ports and random values so that goldens are stable.
	Scrub func(string) string

	// The profiles screen's dependencies. store is the profile file (safe for concurrent use; it
	// refuses every write when its file did not load), nil when there is no configuration directory
	// (storeErr says why); secrets resolves and stores client secrets; startDemo starts the
	// built-in provider (nil where there is none). Every write, keyring call and file read happens
	// inside the profiles screen's commands.
	Store     *profiles.Store
	StoreErr  error
	Secrets   *profiles.Secrets
	StartDemo func() (Demo, error)
}
