// Package stepper is the Flow screen: an OAuth 2.0 / OpenID Connect flow run step by step on the
// session's client, each request shown (and editable) before it is sent and each response checked.
package stepper

import (
	"context"
	"log"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The flow stepper: the steps of a flow down the left, the selected step's request (editable before
// sending) and response on the right. model.go holds the state and Update; run.go starts the
// steps, commands.go and grants.go are their commands, results.go takes their results, form*.go is
// the parameter form, view.go lays the screen out, steps.go renders each step, grant_views.go the
// newer grants' parts and panes.go the pieces they share.

// stepID names a step of the flow stepper, in order down the left.
type stepID int

const (
	stepDiscover stepID = iota
	stepAuthorize
	stepCallback
	stepToken
	stepRefresh
	stepUserInfo
	stepIntrospect
	stepRevoke
	stepLogout
	// stepAPI calls any API with the session's access token (apicall.go).
	stepAPI
	numSteps // not a step: the count, and "no step" where one is optional
)

// name is the step's key in assets/steps.yaml and in the trace.
func (id stepID) name() string {
	switch id {
	case stepDiscover:
		return "discover"
	case stepAuthorize:
		return "authorize"
	case stepCallback:
		return "callback"
	case stepToken:
		return "token"
	case stepRefresh:
		return "refresh"
	case stepUserInfo:
		return "userinfo"
	case stepIntrospect:
		return "introspect"
	case stepRevoke:
		return "revoke"
	case stepLogout:
		return "logout"
	case stepAPI:
		return "api"
	case numSteps:
	}
	return ""
}

// title is the step's label in the list.
func (id stepID) title() string {
	switch id {
	case stepDiscover:
		return "Discover"
	case stepAuthorize:
		return "Authorize"
	case stepCallback:
		return "Callback"
	case stepToken:
		return "Token"
	case stepRefresh:
		return "Refresh"
	case stepUserInfo:
		return "UserInfo"
	case stepIntrospect:
		return "Introspect"
	case stepRevoke:
		return "Revoke"
	case stepLogout:
		return "Logout"
	case stepAPI:
		return "API call"
	case numSteps:
	}
	return ""
}

// stepState is the lifecycle of one step.
type stepState int

const (
	statePending stepState = iota
	stateRunning
	stateDone
	stateFailed
	stateSkipped
)

// stepResult is what a step last did.
type stepResult struct {
	state stepState
	err   error
	// raw is the last HTTP exchange the step made, shown on R.
	raw *flows.Exchange
	// took is how long the step's request took (the injected clock).
	took time.Duration
}

// grantKind is the grant the flow runs; it decides what Authorize, Callback and Token do.
type grantKind int

const (
	grantAuthCode grantKind = iota
	grantClientCredentials
	grantPassword
	grantDevice
	grantJWTBearer
	grantSAMLBearer
	grantTokenExchange
	grantCIBA
	numGrants
)

// grantNames name the kinds (flows.GrantSpec.Name) in the order g cycles through them; the grant
// table in flows says the rest.
var grantNames = [numGrants]string{"authorization_code", "client_credentials", "password", "device_code", "jwt_bearer", "saml2_bearer", "token_exchange", "ciba"}

// grantKindOf is the kind of a grant named by flows.GrantSpec.Name or grant_type, or false.
func grantKindOf(name string) (grantKind, bool) {
	g, ok := flows.LookupGrant(name)
	for k, n := range grantNames {
		if ok && n == g.Name {
			return grantKind(k), true
		}
	}
	return 0, false
}

// spec is the grant's row of the flows grant table.
func (g grantKind) spec() flows.GrantSpec {
	if g < 0 || g >= numGrants {
		return flows.GrantSpec{}
	}
	spec, _ := flows.LookupGrant(grantNames[g])
	return spec
}

// String is the grant's short name, as chosen in the form.
func (g grantKind) String() string { return g.spec().Name }

// usesAuthorize reports whether the grant starts at the authorization endpoint or a device / backchannel
// endpoint (the Authorize step applies).
func (g grantKind) usesAuthorize() bool { return g.spec().Start != flows.StartAtToken }

// grantType is the grant_type parameter.
func (g grantKind) grantType() string { return g.spec().Type }

// flowModel is the flow stepper screen.
type flowModel struct {
	c    *ui.Common
	keys flowKeys
	spin spinner.Model
	// spinning is true while a spinner tick is scheduled, so that only one tick chain runs.
	spinning bool
	vp       viewport.Model
	// paneWidth is the width of the right pane's text.
	paneWidth int
	// frame is the whole screen as layout last drew it, which View returns.
	frame string
	// pane is the pane's content in measured lines, which frame shows through the viewport.
	pane paneText

	cursor stepID
	steps  [numSteps]stepResult
	grant  grantKind
	form   flowForm
	// showRaw shows the selected step's raw exchange instead of its view (secrets show when
	// Common.Reveal is on).
	showRaw bool
	// notice is a one-line message about the last action ("copied …", "cancelled").
	notice string
	// picker is the grant picker g opens.
	picker grantPicker
	// selecting is the value shown for selection with the mouse (v), while its value is set.
	selecting selectView

	// running is the step whose request is in flight, numSteps when none; reqID tags its result
	// and cancel ends it (STYLE §3).
	running stepID
	reqID   int
	cancel  context.CancelFunc
	// inflight counts the commands started and not answered yet, stale ones included: the
	// goroutines still working for this screen.
	inflight int
	// base is the client configuration before any edit in the form.
	base flows.ClientConfig
	// client is the snapshot the last request ran on: the session's client with the form's
	// configuration (flows.Client.WithConfig). A command keeps the snapshot it started with, and
	// no other screen's client is ever changed.
	client *flows.Client

	// What the steps produced.
	meta    *flows.Metadata
	authReq *flows.AuthRequest
	// auth is the authorization session of authReq; listening says its loopback listener waits.
	auth      *flows.AuthSession
	listening bool
	// direct says auth was a direct authorize (BlockID: the proof JWT posted, no browser).
	direct  bool
	paste   textinput.Model
	authRes *flows.AuthResponse
	// ignored are the requests the listener ignored while waiting (RFC 6749 §10.12: a state that
	// is not the request's), newest last.
	ignored []flows.IgnoredCallback
	token   *flows.Token
	// tokenOwn says token came from the Token step's current request (not an earlier grant's, nor
	// a request started since): only then is it shown and copied there.
	tokenOwn      bool
	report        flows.Report
	hasReport     bool
	refreshed     *flows.Token
	refreshReport flows.Report
	hasRefReport  bool
	userinfo      *flows.Result
	introspection *flows.Result
	revokedActive *bool
	revokedWhich  string
	logoutURL     string
	apiAnswer     *flows.APIResponse
	device        *flows.DeviceAuthorization
	deviceAt      time.Time
	devicePoll    flows.DevicePoll
	devicePolls   int
	// ciba is the backchannel authentication answer the Token step polls with (CIBA Core §7.3); its
	// countdown and polling status share the device grant's fields (deviceAt, devicePoll, devicePolls).
	ciba *flows.CIBAAuthorization
	// binding are the token's DPoP and mTLS binding checks (RFC 9449 §5, RFC 8705 §3.1), shown
	// next to the id_token's; refBinding the refreshed token's.
	binding    []flows.Check
	refBinding []flows.Check
	// frontOnly says the implicit response carried the tokens (no code to exchange): the Token step
	// is skipped, and why is said there.
	frontOnly bool
	// dpopKey is the session's DPoP key, made when DPoP is first turned on and kept; dpopJKT is its
	// RFC 7638 thumbprint.
	dpopKey   *jose.JSONWebKey
	dpopJKT   string
	makingKey bool
	startedAt time.Time
}

// New builds the stepper on the session's client.
func New(c *ui.Common) ui.Screen {
	s := flowModel{
		c:       c,
		keys:    defaultFlowKeys(),
		spin:    spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		vp:      viewport.New(),
		running: numSteps,
	}
	s.spin.Style = c.Styles.Spinner
	s.vp.KeyMap = viewport.KeyMap{} // the stepper's own keys scroll it; the wheel still works
	s.vp.MouseWheelEnabled = true
	if c.Client != nil {
		s.base = c.Client.Config
	}
	s.form = newFlowForm(c, s.base)
	if g, ok := grantKindOf(c.Grant); ok {
		s.form.grant = g // the profile's grant, as `tokenbench token --profile` runs it
	}
	s.paste = newPasteInput(c)
	s.picker = newGrantPicker(c)
	s = s.applyGrant()
	return s.layout()
}

// CapturingText reports whether a text input has focus (the form, or the pasted URL), or the
// grant picker is open: it is a mode of its own, where q and the digits are not the root's.
func (s flowModel) CapturingText() bool {
	return s.form.editing || s.paste.Focused() || s.picker.open
}

// Update handles the stepper's messages; every case hands off to a method. The right pane is laid
// out again only after a message that may change what it shows: not after another screen's
// message, nor a tick that moves nothing on it.
func (s flowModel) Update(msg tea.Msg) (ui.Screen, tea.Cmd) {
	s, cmd, shown := s.update(msg)
	if !shown {
		return s, cmd
	}
	return s.layout(), cmd
}

// ShowsTime says the stepper takes ticks: its spinner, and the device and CIBA countdowns.
func (s flowModel) ShowsTime() {}

// changed marks a handler's result as one that may change the pane.
func changed(s flowModel, cmd tea.Cmd) (flowModel, tea.Cmd, bool) { return s, cmd, true }

// update hands msg to its handler and says whether the pane may have changed.
func (s flowModel) update(msg tea.Msg) (flowModel, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		s, cmd := s.tickSpinner(msg)
		if s.running != numSteps && s.steps[s.cursor].state != stateRunning {
			s.frame = s.render() // only the step list's glyph spins
			return s, cmd, false
		}
		return s, cmd, s.running != numSteps // the pane's badge spins too
	case ui.ClockTickedMsg:
		s, cmd := s.onClock(msg)
		return s, cmd, cmd != nil // a countdown runs
	case tea.KeyPressMsg:
		return changed(s.handleKey(msg))
	case tea.WindowSizeMsg, ui.LearnToggledMsg, ui.RevealToggledMsg, tea.BackgroundColorMsg:
		return s.restyle(), s.redrawSelection(), true
	case selectDrawnMsg:
		s, cmd := s.onSelectDrawn(msg)
		return s, cmd, false
	case tea.MouseWheelMsg:
		return changed(s.scroll(msg))
	case tea.MouseClickMsg:
		return s.click(msg), nil, true
	case tea.PasteMsg:
		return changed(s.handlePaste(msg))
	case discoveredMsg:
		return changed(s.onDiscovered(msg))
	case metadataLoadedMsg:
		return s.onMetadata(msg), nil, true
	case authRequestedMsg:
		return changed(s.onAuthRequested(msg))
	case directAuthorizedMsg:
		return changed(s.onDirectAuthorized(msg))
	case callbackIgnoredMsg:
		return changed(s.onIgnored(msg))
	case callbackReceivedMsg:
		return changed(s.onCallback(msg))
	case tokenResultMsg:
		return changed(s.onToken(msg))
	case deviceStartedMsg:
		return changed(s.onDeviceStarted(msg))
	case devicePolledMsg:
		return changed(s.onDevicePolled(msg))
	case cibaStartedMsg:
		return changed(s.onCIBAStarted(msg))
	case dpopKeyMadeMsg:
		return s.onDPoPKey(msg), nil, true
	case fileCheckedMsg:
		return s.onFileChecked(msg), nil, true
	case resourceResultMsg:
		return changed(s.onResource(msg))
	case revokedMsg:
		return changed(s.onRevoked(msg))
	case logoutBuiltMsg:
		return changed(s.onLogout(msg))
	case apiCalledMsg:
		return changed(s.onAPICalled(msg))
	case cachedTokenMsg:
		return changed(s.onCachedToken(msg))
	case cacheFailedMsg:
		s.notice = "warning: the token could not be cached: " + msg.err.Error()
		return s, nil, true
	case browserOpenedMsg:
		return s.onBrowserOpened(msg), nil, true
	}
	return s, nil, false
}

// restyle follows a change of size, Learn or colours.
func (s flowModel) restyle() flowModel {
	s.spin.Style = s.c.Styles.Spinner
	s.paste.SetStyles(s.c.Styles.Input)
	s.picker.filter.SetStyles(s.c.Styles.Input)
	s.form = s.form.restyle(s.c)
	return s
}

func (s flowModel) handleKey(msg tea.KeyPressMsg) (flowModel, tea.Cmd) {
	if s.form.editing {
		return s.handleFormKey(msg)
	}
	if s.paste.Focused() {
		return s.handlePasteKey(msg)
	}
	if s.picker.open {
		return s.handlePickerKey(msg)
	}
	if s.selecting.value != "" {
		return s.handleSelectKey(msg)
	}
	k := s.keys
	switch {
	case key.Matches(msg, k.Cancel):
		return s.handleCancel(), nil
	case key.Matches(msg, k.Up):
		return s.move(-1), nil
	case key.Matches(msg, k.Down):
		return s.move(+1), nil
	case key.Matches(msg, k.Run):
		return s.run(s.cursor)
	case key.Matches(msg, k.Edit):
		return s.startEditing()
	case key.Matches(msg, k.Grant):
		return s.openGrantPicker()
	case key.Matches(msg, k.Raw):
		s.showRaw = !s.showRaw
		return s, nil
	case key.Matches(msg, k.Copy):
		return s.copyValue()
	case key.Matches(msg, k.Select):
		return s.openSelectView()
	case key.Matches(msg, k.Open):
		return s.openValue()
	case key.Matches(msg, k.Inspect):
		return s.inspect()
	case key.Matches(msg, k.PageUp):
		s.vp.PageUp()
		return s, nil
	case key.Matches(msg, k.PageDown):
		s.vp.PageDown()
		return s, nil
	}
	return s, nil
}

// move selects the step above or below.
func (s flowModel) move(delta int) flowModel {
	next := int(s.cursor) + delta
	if next < 0 || next >= int(numSteps) {
		return s
	}
	s.cursor = stepID(next)
	s.showRaw = false
	s.notice = ""
	s.vp.GotoTop()
	return s
}

// click selects the step clicked in the step list (y counts from the body's top line), unless a
// text input has the focus.
func (s flowModel) click(msg tea.MouseClickMsg) flowModel {
	st := s.c.Styles.StepList
	row := msg.Y - st.GetMarginTop() - st.GetBorderTopSize() - st.GetPaddingTop() - 1 // the "Steps" title
	if msg.Button != tea.MouseLeft || msg.X >= stepListWidth || row < 0 || row >= int(numSteps) || s.CapturingText() {
		return s
	}
	return s.move(row - int(s.cursor))
}

// scroll hands the mouse wheel to the right pane.
func (s flowModel) scroll(msg tea.MouseWheelMsg) (flowModel, tea.Cmd) {
	var cmd tea.Cmd
	s.vp, cmd = s.vp.Update(msg)
	return s, cmd
}

// handleCancel is esc: cancel what runs, else leave the raw view.
func (s flowModel) handleCancel() flowModel {
	if s.running != numSteps {
		return s.cancelRunning()
	}
	s.showRaw = false
	s.notice = ""
	return s
}

// cancelRunning cancels the request in flight: its context is cancelled (which closes a loopback
// listener and ends device polling), the step goes back to pending, and the reqID moves on so that
// its late result is dropped.
func (s flowModel) cancelRunning() flowModel {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	step := s.running
	s.steps[step].state = statePending
	switch {
	case step == stepToken && s.grant == grantDevice:
		s.device = nil
	case step == stepToken && s.grant == grantCIBA:
		s.ciba = nil
	case step == stepCallback:
		s.listening = false // awaitCallback closes the listener as its wait ends
	}
	log.Printf("flow: %s cancelled (request %d)", step.name(), s.reqID)
	s.running = numSteps
	s.reqID++
	s.notice = s.stepTitle(step) + " cancelled"
	return s
}

func (s flowModel) tickSpinner(msg spinner.TickMsg) (flowModel, tea.Cmd) {
	if s.running == numSteps {
		s.spinning = false // let the tick chain end
		return s, nil
	}
	var cmd tea.Cmd
	s.spin, cmd = s.spin.Update(msg)
	return s, cmd
}

// startSpinner starts the spinner's tick chain unless one runs.
func (s flowModel) startSpinner() (flowModel, tea.Cmd) {
	if s.spinning {
		return s, nil
	}
	s.spinning = true
	return s, s.spin.Tick
}

// handlePaste sends a bracketed paste to the focused text input.
func (s flowModel) handlePaste(msg tea.PasteMsg) (flowModel, tea.Cmd) {
	var cmd tea.Cmd
	switch {
	case s.picker.filter.Focused():
		s.picker.filter, cmd = s.picker.filter.Update(msg)
	case s.paste.Focused():
		s.paste, cmd = s.paste.Update(msg)
	case s.form.editing:
		s.form, cmd = s.form.update(msg)
	}
	return s, cmd
}
