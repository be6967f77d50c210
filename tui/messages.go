package tui

import (
	"net/url"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// Every message of the app (STYLE §3): results in the past tense, intents in the imperative.
//
// App-level messages are handled by the root; the root hands every non-input message to every
// screen too (see screen), so the announcements below (tokensReceivedMsg, exchangeRecordedMsg,
// learnToggledMsg, sessionStartedMsg) reach all screens, shown or not.

// navigateMsg asks the root to show another screen. Only the root acts on it: it switches the active
// screen, then hands the same message to the screen now shown, which may use the payload.
type navigateMsg struct {
	to screenID
	// token, when set, is a raw token to open (the inspector selects it); label names it
	// ("id_token", "access_token after refresh").
	token string
	label string
}

// tokensReceivedMsg announces tokens the session accepted: after the code exchange, a refresh, a
// client-credentials, password or device grant. The flow screen sends it once it has accepted a
// result (results with a stale reqID never become one), and the root broadcasts it, so the
// inspector can show the tokens whether or not it is on screen.
type tokensReceivedMsg struct {
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

// exchangeRecordedMsg announces one HTTP exchange recorded in the session's trace. The root
// listens on flows.Trace.Notify and re-arms the wait after each one (STYLE §3).
type exchangeRecordedMsg struct {
	exchange flows.Exchange
	// session is the session generation it belongs to; the root drops exchanges of an old client.
	session int
}

// learnToggledMsg announces the Learn toggle's new state (common.learn already holds it).
type learnToggledMsg struct{ on bool }

// clientReadyMsg asks the root to start a new session on a client configuration: the profiles
// screen sends it when a profile (or the demo) is opened. The root builds the *flows.Client, rebuilds
// the screens on it, announces sessionStartedMsg and shows the flow screen.
type clientReadyMsg struct {
	name      string
	config    flows.ClientConfig
	transport flows.TransportOptions
	// note replaces the one-line note beside the tabs ("built-in provider · user demo / demo").
	note string
	// demo is the built-in provider's control panel when the client is its demo client.
	demo DemoControls
}

// sessionStartedMsg announces that common.client and common.trace are a new session's.
type sessionStartedMsg struct{ session int }

// sessionFailedMsg reports that a clientReadyMsg could not be turned into a client.
type sessionFailedMsg struct{ err error }

// ---- Results of the flow stepper's commands. Each carries the reqID of the request that started
// it; the stepper drops any whose reqID is not the one it waits for (cancelled or superseded).

// discoveredMsg is the result of Discover.
type discoveredMsg struct {
	reqID int
	meta  *flows.Metadata
	err   error
	raw   *flows.Exchange
}

// metadataLoadedMsg carries the provider's metadata that a step's request discovered on its own
// (flows discovers an endpoint it was not given), so that previews name the endpoints.
type metadataLoadedMsg struct {
	meta *flows.Metadata
}

// authRequestedMsg is the result of building an authorization request: the request, and the
// loopback listener when the redirect URI is loopback (closed by the stepper when done with it).
type authRequestedMsg struct {
	reqID    int
	req      *flows.AuthRequest
	listener *flows.Listener
	err      error
	raw      *flows.Exchange
}

// callbackReceivedMsg is the verified authorization response, from the loopback listener or from
// a pasted URL. res carries the state and iss checks even when err is set.
type callbackReceivedMsg struct {
	reqID  int
	res    *flows.AuthResponse
	params url.Values
	err    error
}

// tokenResultMsg is the answer of a token request (code exchange, refresh, or another grant), with
// the id_token's checks when there was one.
type tokenResultMsg struct {
	reqID     int
	step      stepID
	grant     string
	token     *flows.Token
	previous  *flows.Token
	report    flows.Report
	hasReport bool
	// binding are the DPoP and mTLS binding checks of the token (Client.DPoPChecks, MTLSChecks);
	// empty when the token is bound to nothing.
	binding []flows.Check
	err     error
	raw     *flows.Exchange
}

// cibaStartedMsg is the backchannel authentication answer (OpenID CIBA Core §7.3); polling starts
// from it, as for the device grant.
type cibaStartedMsg struct {
	reqID int
	auth  *flows.CIBAAuthorization
	err   error
	raw   *flows.Exchange
}

// dpopKeyMadeMsg is the session's DPoP key (RFC 9449), generated when DPoP is first turned on, and
// its RFC 7638 thumbprint.
type dpopKeyMadeMsg struct {
	key *jose.JSONWebKey
	jkt string
	err error
}

// fileCheckedMsg is a file named in the request form, read and checked: the authorization_details
// (RFC 9396) in compact form, or why the file cannot be used. path is the path it was read from;
// a result for a path no longer in the field is dropped.
type fileCheckedMsg struct {
	field fieldID
	path  string
	value string
	err   error
}

// deviceStartedMsg is the device authorization answer (RFC 8628 §3.2); polling starts from it.
type deviceStartedMsg struct {
	reqID int
	auth  *flows.DeviceAuthorization
	err   error
	raw   *flows.Exchange
}

// devicePolledMsg is one pending answer while polling (authorization_pending or slow_down).
type devicePolledMsg struct {
	reqID int
	poll  flows.DevicePoll
	at    time.Time
	// ch is the polling goroutine's channel, to wait on for its next message.
	ch <-chan tea.Msg
}

// resourceResultMsg is the answer of userinfo or introspection.
type resourceResultMsg struct {
	reqID  int
	step   stepID
	result *flows.Result
	err    error
	raw    *flows.Exchange
}

// revokedMsg is the answer of revocation; active is the follow-up introspection's verdict when one
// was made (nil when none).
type revokedMsg struct {
	reqID  int
	err    error
	active *bool
	raw    *flows.Exchange
}

// logoutBuiltMsg is the RP-initiated logout URL.
type logoutBuiltMsg struct {
	reqID int
	url   string
	err   error
}

// browserOpenedMsg reports whether the browser could be started; the URL is always on screen.
type browserOpenedMsg struct {
	url string
	err error
}

// clockTickedMsg drives countdowns (device code expiry, token expiry); tag ties it to one countdown.
type clockTickedMsg struct {
	tag int
	at  time.Time
}

// ---- Results of the profiles screen's commands. Each carries the reqID of the request that
// started it; the screen drops any whose reqID is not the one it waits for (cancelled with esc).

// profileOpenedMsg is a profile resolved into a client configuration (its secret read, its signing
// key and TLS files loaded), or why it could not be.
type profileOpenedMsg struct {
	reqID     int
	name      string
	label     string
	config    flows.ClientConfig
	transport flows.TransportOptions
	// warnings are the profile's and the secrets' (profiles.Profile.Warnings, Secrets.Warnings);
	// secretWarnings the latter only, which the list does not show otherwise.
	warnings       []string
	secretWarnings []string
	err            error
}

// profilesChangedMsg is the result of a change to the profile store (save, delete, copy, import,
// reload) or of an export: the store's profiles afterwards, its load error, and what was done.
type profilesChangedMsg struct {
	reqID int
	// notice says what was done ("saved acme-prod"); sel names the profile to select.
	notice string
	sel    string
	list   []profiles.Profile
	// loadErr is the store's load error afterwards (a file broken behind our back); warnings its
	// permission warnings.
	loadErr  error
	warnings []string
	err      error
	// clash is set when an import was refused because names are taken: the parsed profiles and the
	// names, to ask rename / replace / cancel.
	clash *importClash
}

// importClash is an import waiting for the user's decision about the names already taken.
type importClash struct {
	file    string
	parsed  []profiles.Profile
	clashes []string
}

// discoveryFetchedMsg is the metadata found at a discovery URL typed in the new-profile menu.
type discoveryFetchedMsg struct {
	reqID int
	url   string
	meta  *flows.Metadata
	err   error
}

// demoStartedMsg is the built-in provider, started in this process, with its ready client.
type demoStartedMsg struct {
	reqID int
	demo  Demo
	err   error
}
