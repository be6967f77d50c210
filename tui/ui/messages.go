package ui

import (
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// Every message of the app (STYLE §3): results in the past tense, intents in the imperative.
//
// App-level messages are handled by the root; the root hands every non-input message to every
// screen too (see Screen), so the announcements below (TokensReceivedMsg, LearnToggledMsg,
// SessionStartedMsg) reach all screens, shown or not. Ticks (ClockTickedMsg) and ExchangeRecordedMsg
// come often and reach only the screens that show time (TimeShower) or the trace (TraceShower).

// NavigateMsg asks the root to show another screen. Only the root acts on it: it switches the active
// screen, then hands the same message to the screen now shown, which may use the payload. The root
// sends it itself when a key (1 to 4, tab) switches screens.
type NavigateMsg struct {
	To ScreenID
	// Token, when set, is a raw token to open (the inspector selects it); label names it
	// ("id_token", "access_token after refresh").
	Token string
	Label string
}

// TokensReceivedMsg announces tokens the session accepted: after the code exchange, a refresh, a
// client-credentials, password or device grant. The flow screen sends it once it has accepted a
// result (results with a stale reqID never become one), and the root broadcasts it, so the
// inspector can show the tokens whether or not it is on screen.
type TokensReceivedMsg struct {
	// Step is the stepper step that obtained them ("token" or "refresh"); Grant the grant_type.
	Step  string
	Grant string
	Token *flows.Token
	// Report holds the id_token's checks; HasReport is false when there was no id_token.
	Report    flows.Report
	HasReport bool
	// Previous is the token set this one replaces (after a refresh), or nil.
	Previous *flows.Token
	// Nonce is the nonce of the authorization request, for re-validating the id_token; may be empty.
	Nonce string
	// At is when the tokens arrived (the injected clock).
	At time.Time
}

// ExchangeRecordedMsg announces one HTTP exchange recorded in the session's trace. The root
// listens on flows.Trace.Notify and re-arms the wait after each one (STYLE §3).
type ExchangeRecordedMsg struct {
	Exchange flows.Exchange
	// Session is the session generation it belongs to; the root drops exchanges of an old client.
	Session int
}

// LearnToggledMsg announces the Learn toggle's new state (Common.Learn already holds it).
type LearnToggledMsg struct{ On bool }

// RevealToggledMsg announces that secrets are now shown or masked on every screen (Common.Reveal
// already holds it).
type RevealToggledMsg struct{ On bool }

// ClientReadyMsg asks the root to start a new session on a client configuration: the profiles
// screen sends it when a profile (or the demo) is opened. The root builds the *flows.Client, rebuilds
// the screens on it, announces SessionStartedMsg and shows the flow screen.
type ClientReadyMsg struct {
	Name      string
	Config    flows.ClientConfig
	Transport flows.TransportOptions
	// Grant is the profile's grant (flows.GrantSpec.Name), which the flow screen starts on.
	Grant string
	// Note replaces the one-line note beside the tabs ("built-in provider · user demo / demo").
	Note string
	// Demo is the built-in provider's control panel when the client is its demo client.
	Demo DemoControls
	// Profile is the profile's name, whose cached token the flow screen reuses; empty for none.
	Profile string
}

// SessionStartedMsg announces that Common.Client and Common.Trace are a new session's.
type SessionStartedMsg struct{ Session int }

// SessionFailedMsg reports that a ClientReadyMsg could not be turned into a client.
type SessionFailedMsg struct{ Err error }

// ClockTickedMsg drives countdowns (device code expiry, token expiry); tag ties it to one countdown.
type ClockTickedMsg struct {
	Tag int
	At  time.Time
}
