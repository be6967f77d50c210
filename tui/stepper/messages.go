package stepper

import (
	"context"
	"net/url"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/flows"
)

// Results of the flow stepper's commands. Each carries the reqID of the request that started
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

// authRequestedMsg is the result of starting an authorization session: its request and, when the
// redirect URI is loopback, its listener (closed by the stepper when done with it).
type authRequestedMsg struct {
	reqID   int
	session *flows.AuthSession
	err     error
	raw     *flows.Exchange
}

// callbackIgnoredMsg is a request the loopback listener ignored while it waits; ctx and session
// re-arm the watch.
type callbackIgnoredMsg struct {
	reqID   int
	ignored flows.IgnoredCallback
	ctx     context.Context
	session *flows.AuthSession
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
	// mode is the delivery mode; notes the notification endpoint served for ping and push.
	mode  string
	notes *flows.CIBANotifications
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
