package demoidp

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// deviceState is where a device authorization stands.
type deviceState int

const (
	devicePending deviceState = iota
	deviceApproved
	deviceDenied
	deviceRedeemed
)

// deviceGrant is a device authorization request (RFC 8628 §3.1).
type deviceGrant struct {
	deviceCode string
	userCode   string
	scope      []string
	pendingApproval
}

// pendingApproval is a request the user approves elsewhere while the client polls the token
// endpoint: a device authorization (RFC 8628) or a backchannel authentication (CIBA Core).
type pendingApproval struct {
	clientID string
	expires  time.Time
	interval time.Duration // grows by 5 s on each slow_down (RFC 8628 §3.5, CIBA Core §11)
	lastPoll time.Time
	state    deviceState
	authTime time.Time
	sid      string
}

// poll answers one poll by clientID with the error the client must see, or nil once the user has
// approved; what names the request's identifier and where its approval page.
func (a *pendingApproval) poll(now time.Time, clientID, what, where string) *oauthError {
	var oerr *oauthError
	switch {
	case a.clientID != clientID:
		return badRequest("invalid_grant", fmt.Sprintf("the %s was issued to client %s, not %s", what, a.clientID, clientID))
	case !now.Before(a.expires):
		oerr = badRequest("expired_token", fmt.Sprintf("the %s has expired; start over with a new request", what))
	case a.state == deviceRedeemed:
		oerr = badRequest("invalid_grant", fmt.Sprintf("the %s has already been exchanged for tokens", what))
	case !a.lastPoll.IsZero() && now.Sub(a.lastPoll) < a.interval:
		a.interval += 5 * time.Second
		oerr = badRequest("slow_down", fmt.Sprintf("polling faster than the interval; wait at least %d seconds between requests", int(a.interval/time.Second)))
	case a.state == devicePending:
		oerr = badRequest("authorization_pending", "the user has not yet approved the request at "+where)
	case a.state == deviceDenied:
		oerr = badRequest("access_denied", "the user denied the request")
	}
	a.lastPoll = now
	return oerr
}

// userCodeAlphabet has no vowels, so user codes spell no words, and no
// letters easily confused with each other (RFC 8628 §6.1).
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// newUserCode returns a code like "WDJB-MJHT".
func newUserCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		// 256 is not a multiple of 20, so this is slightly biased, which
		// does not matter for a demo whose codes live 10 minutes.
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:])
}

// normalizeUserCode accepts a user code typed with any case, spaces or
// dashes (RFC 8628 §6.1) and returns it as issued.
func normalizeUserCode(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(s))
	if len(s) != 8 {
		return s
	}
	return s[:4] + "-" + s[4:]
}

// advertisedInterval is the device polling interval in whole seconds, at
// least 1.
func (p *Provider) advertisedInterval() int {
	return max(1, int((p.opts.DeviceInterval+time.Second-1)/time.Second))
}

// handleDeviceAuthorization serves the device authorization endpoint (RFC
// 8628 §3.1, §3.2). Clients authenticate as at the token endpoint.
func (p *Provider) handleDeviceAuthorization(w http.ResponseWriter, r *http.Request) {
	form, oerr := readBackChannelForm(r)
	if oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	c, oerr := p.authenticateClient(r, form, p.endpoint("/device_authorization"))
	if oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	scope, oerr := parseScope(form.Get("scope"))
	if oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	now := p.now()
	d := &deviceGrant{
		deviceCode: randomToken(),
		scope:      scope,
		pendingApproval: pendingApproval{
			clientID: c.ID,
			expires:  now.Add(deviceCodeLifetime),
			interval: time.Duration(p.advertisedInterval()) * time.Second,
		},
	}
	p.mu.Lock()
	p.store.sweep(now)
	for {
		d.userCode = newUserCode()
		if _, taken := p.store.userCodes[d.userCode]; !taken {
			break
		}
	}
	p.store.devices[d.deviceCode] = d
	p.store.userCodes[d.userCode] = d.deviceCode
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":               d.deviceCode,
		"user_code":                 d.userCode,
		"verification_uri":          p.endpoint("/device"),
		"verification_uri_complete": p.endpoint("/device") + "?" + url.Values{"user_code": {d.userCode}}.Encode(),
		"expires_in":                int(deviceCodeLifetime / time.Second),
		"interval":                  p.advertisedInterval(),
	})
}

// handleDevice is the verification page: a form for the user code, or, with
// user_code, the demo user's approval (or, with deny=1, refusal) of it.
func (p *Provider) handleDevice(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	action := p.endpoint("/device")
	if strings.TrimSpace(q.Get("user_code")) == "" {
		renderPage(w, http.StatusOK, "device", pageData{Title: "Connect a device", Action: action})
		return
	}
	userCode := normalizeUserCode(q.Get("user_code"))
	deny := q.Get("deny") != "" && q.Get("deny") != "0"
	now := p.now()
	p.mu.Lock()
	var d *deviceGrant
	if dc, ok := p.store.userCodes[userCode]; ok {
		d = p.store.devices[dc]
	}
	var status int
	var title, msg string
	switch {
	case d == nil || !now.Before(d.expires):
		status, title, msg = http.StatusBadRequest, "Unknown code", fmt.Sprintf("The code %s is unknown or has expired. Check the code shown on your device.", userCode)
	case d.state != devicePending:
		status, title, msg = http.StatusBadRequest, "Code already used", fmt.Sprintf("The code %s has already been approved or denied.", userCode)
	case deny:
		d.state = deviceDenied
		status, title, msg = http.StatusOK, "Device denied", fmt.Sprintf("You denied %s access. You can close this page.", d.clientID)
	default:
		s := p.signIn(now, false, -1)
		d.state, d.authTime, d.sid = deviceApproved, s.authTime, s.sid
		status, title, msg = http.StatusOK, "Device approved", fmt.Sprintf("Demo User approved %s. Return to your device.", d.clientID)
	}
	p.mu.Unlock()
	if status != http.StatusOK {
		renderPage(w, status, "device", pageData{Title: title, Message: msg, Action: action})
		return
	}
	messagePage(w, status, title, msg)
}

// grantDevice polls for a device authorization (RFC 8628 §3.4, §3.5).
func (p *Provider) grantDevice(c *registeredClient, form url.Values, f Faults, jkt string) (*tokenResponse, *oauthError) {
	dc := form.Get("device_code")
	if dc == "" {
		return nil, badRequest("invalid_request", "device_code is missing")
	}
	ext, oerr := grantExtras{}.narrow(form) // resources and details of the token request (RFC 8707 §2.2)
	if oerr != nil {
		return nil, oerr
	}
	now := p.now()
	p.mu.Lock()
	d := p.store.devices[dc]
	if d == nil {
		oerr = badRequest("invalid_grant", "unknown device_code")
	} else {
		oerr = d.poll(now, c.ID, "device_code", p.endpoint("/device"))
	}
	if oerr != nil {
		p.mu.Unlock()
		return nil, oerr
	}
	d.state = deviceRedeemed
	g := &grant{clientID: c.ID, user: demoUser, authTime: d.authTime, sid: d.sid, extras: ext}
	scope := d.scope
	p.mu.Unlock()
	return p.issueTokens(g, scope, scope, "", true, f, jkt)
}
