package ui

import (
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
	"github.com/tokenbench/tokenbench/profiles"
)

// The shared context every screen holds by pointer.

// Common is the shared, read-only context of every screen (STYLE §4: soft-serve's common.Common).
// The root owns it and is the only writer; screens hold the pointer and read it in Update and View.
type Common struct {
	// Styles is the one styles struct; the root rebuilds it in place on tea.BackgroundColorMsg.
	Styles *Styles
	// Width and Height are the body's size: the terminal minus the tab bar and the footer.
	Width, Height int
	// Active is the screen on show. A hidden screen can leave what only time changes undrawn
	// until it is shown again (it receives the NavigateMsg that shows it).
	Active ScreenID
	// IsDark is the terminal's background; Profile its colour profile (Ascii under NO_COLOR).
	IsDark  bool
	Profile colorprofile.Profile

	// Client is the session's OAuth client; Trace records its every exchange (Client.Trace).
	// No screen changes it: the flow screen runs its requests on snapshots (Client.WithConfig),
	// so a command on another goroutine never reads a configuration being written.
	Client *flows.Client
	Trace  *flows.Trace
	// Grant is the grant the session starts on (flows.GrantSpec.Name): the profile's; empty means
	// the authorization code grant.
	Grant string
	// ClientName labels the client in titles ("demo-basic @ demo provider").
	ClientName string

	// Learn is the Learn toggle (L): screens show the explanation of what is selected beside it.
	Learn bool
	// Reveal shows secrets (s) on every screen: tokens, codes, client secrets, the trace's
	// masked values. Off by default; the tab bar says when it is on.
	Reveal bool

	// Now is the clock for countdowns and relative times (injected by tests).
	Now func() time.Time
	// OpenBrowser opens a URL in the user's browser; it is called inside a tea.Cmd, never in Update.
	OpenBrowser func(url string) error
	// InTmux says the terminal is tmux ($TMUX), which forwards a copy (OSC 52) only when configured to.
	InTmux bool
	// Scrub is applied to dynamic text before it is laid out; the identity except in tests, which
	// replace ports and random values so that goldens are stable.
	Scrub func(string) string

	// The profiles screen's dependencies. Store is the profile file (safe for concurrent use; it
	// refuses every write when its file did not load), nil when there is no configuration directory
	// (StoreErr says why); Secrets resolves and stores client secrets; StartDemo starts the
	// built-in provider (nil where there is none). Every write, keyring call and file read happens
	// inside the profiles screen's commands.
	Store     *profiles.Store
	StoreErr  error
	Secrets   *profiles.Secrets
	StartDemo func() (Demo, error)
	// TokenCache keeps tokens per profile (token --cached); ProfileName is the profile the
	// session runs, whose still-valid cached token the flow screen reuses. Either empty: no reuse.
	TokenCache  *profiles.TokenCache
	ProfileName string
}

// Untrusted prepares text a provider, a token, a profile file or a HAR supplied for the screen: its
// control characters and escape sequences shown, never obeyed (flows/untrusted, the one sanitiser),
// then Scrub. Apply it to the text itself, before any styling.
func (c *Common) Untrusted(s string) string { return c.Scrub(untrusted.Text(s)) }
