package stepper

import (
	"context"
	"errors"
	"net/url"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Adapters from flows calls to tea.Cmd (STYLE §3). Each captures values only — the client, the
// context created in Update, the reqID — never a model, and returns one message carrying the reqID.
// Nothing here changes state: the screen does that in Update when the message comes back.

// inspectToken asks the root to show the inspector on a raw token.
func inspectToken(raw, label string) tea.Cmd {
	return func() tea.Msg { return ui.NavigateMsg{To: ui.InspectScreen, Token: raw, Label: label} }
}

// recorder notes how many exchanges the trace held before a call, to return the last one made by
// the call: the raw response a failed step shows on R.
type recorder struct {
	trace *flows.Trace
	n     int
}

func newRecorder(t *flows.Trace) recorder { return recorder{trace: t, n: t.Len()} }

// last is the last exchange recorded since the recorder was made, or nil. A JWKS fetch made to
// check a token (after the step's own request) is passed over unless there is nothing else.
func (r recorder) last() *flows.Exchange {
	xs := r.trace.Exchanges()
	if len(xs) <= r.n {
		return nil
	}
	xs = xs[r.n:]
	x := xs[len(xs)-1]
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i].Step != "jwks" {
			x = xs[i]
			break
		}
	}
	c := *x
	return &c // a copy: the snapshot's exchanges are the trace's own
}

// discover fetches the provider's metadata.
func discover(ctx context.Context, c *flows.Client, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		meta, err := c.Discover(ctx)
		return discoveredMsg{reqID: id, meta: meta, err: err, raw: rec.last()}
	}
}

// loadMetadata returns the metadata the client already discovered (Discover answers from its cache:
// the caller only asks after a step that needed discovery succeeded).
func loadMetadata(ctx context.Context, c *flows.Client) tea.Cmd {
	return func() tea.Msg {
		meta, _ := c.Discover(ctx)
		return metadataLoadedMsg{meta: meta}
	}
}

// requestAuthorization starts an authorization session (flows.AuthSession): the loopback listener
// is bound first when the redirect URI is loopback (RFC 8252 §7.3: the request names the port
// actually bound), then the request is built; on failure nothing is left listening.
func requestAuthorization(ctx context.Context, c *flows.Client, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		sess, err := c.StartAuthorization(ctx)
		return authRequestedMsg{reqID: id, session: sess, err: err, raw: rec.last()}
	}
}

// awaitCallback waits on the session's loopback listener for the authorization response and
// verifies it. The listener is closed when the wait ends, whether by a response or by ctx.
func awaitCallback(ctx context.Context, sess *flows.AuthSession, id int) tea.Cmd {
	return func() tea.Msg {
		res, err := sess.Await(ctx)
		return callbackReceived(id, res, err)
	}
}

// verifyPasted reads a pasted redirected URL (a URL, a query, a fragment or a bare code) and
// verifies it against the session's request.
func verifyPasted(ctx context.Context, sess *flows.AuthSession, pasted string, id int) tea.Cmd {
	return func() tea.Msg {
		res, err := sess.Paste(ctx, pasted)
		return callbackReceived(id, res, err)
	}
}

// watchIgnored waits for the next request the session's listener ignored (a state that is not the
// request's, another Host or web origin: flows.IgnoredCallback); the stepper re-arms it after each
// one while the wait goes on, and ctx ends it with the wait.
func watchIgnored(ctx context.Context, sess *flows.AuthSession, id int) tea.Cmd {
	ch := sess.Ignored()
	return func() tea.Msg {
		select {
		case ig := <-ch:
			return callbackIgnoredMsg{reqID: id, ignored: ig, ctx: ctx, session: sess}
		case <-ctx.Done():
			return nil
		}
	}
}

func callbackReceived(id int, res *flows.AuthResponse, err error) callbackReceivedMsg {
	var params url.Values
	if res != nil {
		params = res.Params
	}
	return callbackReceivedMsg{reqID: id, res: res, params: params, err: err}
}

// validateIDToken checks an id_token when there is one (OpenID Connect Core §3.1.3.7).
func validateIDToken(ctx context.Context, c *flows.Client, t *flows.Token, nonce string) (flows.Report, bool) {
	if t == nil || t.IDToken == "" {
		return flows.Report{}, false
	}
	return c.ValidateIDToken(ctx, t.IDToken, flows.Expect{
		Nonce: nonce, AccessToken: t.AccessToken, ServerDate: t.ServerDate, IDToken: true,
	}), true
}

// exchangeCode redeems the session's authorization code and checks the id_token. The exchange
// runs on c, the configuration the Token step was started with.
func exchangeCode(ctx context.Context, c *flows.Client, sess *flows.AuthSession, res *flows.AuthResponse, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		t, err := c.ExchangeCode(ctx, sess.Request, res.Code)
		msg := tokenResultMsg{reqID: id, step: stepToken, grant: flows.GrantAuthorizationCode, token: t, err: err}
		if err == nil {
			msg.report, msg.hasReport = validateIDToken(ctx, c, t, sess.Request.Nonce)
			msg.binding = bindingChecks(c, t)
		}
		msg.raw = rec.last()
		return msg
	}
}

// grantRequest is a token request by one of the grants that need no browser.
type grantRequest struct {
	grant              string
	username, password string
}

// requestGrant runs the client-credentials or password grant.
func requestGrant(ctx context.Context, c *flows.Client, g grantRequest, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		var t *flows.Token
		var err error
		switch g.grant {
		case flows.GrantPassword:
			t, err = c.Password(ctx, g.username, g.password)
		default:
			t, err = c.ClientCredentials(ctx)
		}
		msg := tokenResultMsg{reqID: id, step: stepToken, grant: g.grant, token: t, err: err}
		if err == nil {
			msg.report, msg.hasReport = validateIDToken(ctx, c, t, "")
			msg.binding = bindingChecks(c, t)
		}
		msg.raw = rec.last()
		return msg
	}
}

// refreshToken uses the refresh token; the result says whether it rotated.
func refreshToken(ctx context.Context, c *flows.Client, prev *flows.Token, nonce string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		t, err := c.Refresh(ctx, prev.RefreshToken)
		msg := tokenResultMsg{reqID: id, step: stepRefresh, grant: flows.GrantRefreshToken, token: t, previous: prev, err: err}
		if err == nil {
			// OpenID Connect Core §12.2: a refreshed id_token carries no nonce.
			msg.report, msg.hasReport = validateIDToken(ctx, c, t, "")
			msg.binding = bindingChecks(c, t)
		}
		msg.raw = rec.last()
		return msg
	}
}

// startDevice starts the device flow (RFC 8628 §3.1).
func startDevice(ctx context.Context, c *flows.Client, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		d, err := c.DeviceAuthorize(ctx)
		return deviceStartedMsg{reqID: id, auth: d, err: err, raw: rec.last()}
	}
}

// pollDevice polls the token endpoint for a device code (RFC 8628 §3.4) on its own goroutine and
// returns the command waiting for its first message. Each pending answer comes through a channel as
// a devicePolledMsg, and the final answer as a tokenResultMsg; the screen re-arms waitForDevice after
// each devicePolledMsg (STYLE §3, examples/realtime). Cancelling ctx ends the polling, whose final
// message (the cancellation) still comes through the channel, so that the screen knows the goroutine
// is done with the client.
func pollDevice(ctx context.Context, c *flows.Client, d *flows.DeviceAuthorization, now func() time.Time, id int) tea.Cmd {
	ch := make(chan tea.Msg, 1)
	go func() {
		rec := newRecorder(c.Trace)
		t, err := c.PollDevice(ctx, d, func(p flows.DevicePoll) {
			select {
			case ch <- devicePolledMsg{reqID: id, poll: p, at: now(), ch: ch}:
			case <-ctx.Done(): // nobody shows it any more
			}
		})
		msg := tokenResultMsg{reqID: id, step: stepToken, grant: flows.GrantDeviceCode, token: t, err: err}
		if err == nil {
			msg.report, msg.hasReport = validateIDToken(ctx, c, t, "")
			msg.binding = bindingChecks(c, t)
		}
		msg.raw = rec.last()
		ch <- msg // always read: the waiter is re-armed until this one arrives
	}()
	return waitForDevice(ch)
}

// waitForDevice waits for the next message of the device polling goroutine.
func waitForDevice(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

// callUserInfo calls the userinfo endpoint with the access token.
func callUserInfo(ctx context.Context, c *flows.Client, accessToken, idToken string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		// OpenID Connect Core §5.3.2: the answer's sub must be the id_token's.
		want := flows.UserInfoExpect{NoSubject: "this session has no id_token"}
		if idToken != "" {
			if sub, err := c.IDTokenSubject(idToken); err == nil {
				want = flows.UserInfoExpect{Subject: sub}
			} else {
				want.NoSubject = "the session's id_token could not be read (" + err.Error() + ")"
			}
		}
		r, err := c.UserInfo(ctx, accessToken, want)
		return resourceResultMsg{reqID: id, step: stepUserInfo, result: r, err: err, raw: rec.last()}
	}
}

// callIntrospect asks the introspection endpoint about a token.
func callIntrospect(ctx context.Context, c *flows.Client, token, hint string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		r, err := c.Introspect(ctx, token, hint)
		return resourceResultMsg{reqID: id, step: stepIntrospect, result: r, err: err, raw: rec.last()}
	}
}

// revokeToken revokes a token, then asks introspection whether it is still active (RFC 7009 §2.1),
// when the provider has an introspection endpoint; that second answer is informative only.
func revokeToken(ctx context.Context, c *flows.Client, token, hint string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		if err := c.Revoke(ctx, token, hint); err != nil {
			return revokedMsg{reqID: id, err: err, raw: rec.last()}
		}
		raw := rec.last()
		msg := revokedMsg{reqID: id, raw: raw}
		if r, err := c.Introspect(ctx, token, hint); err == nil {
			a := r.Active()
			msg.active = &a
		}
		return msg
	}
}

// buildLogoutURL builds the RP-initiated logout URL.
func buildLogoutURL(ctx context.Context, c *flows.Client, idTokenHint string, id int) tea.Cmd {
	return func() tea.Msg {
		u, err := c.LogoutURL(ctx, idTokenHint, "", "")
		return logoutBuiltMsg{reqID: id, url: u, err: err}
	}
}

// openURL opens a URL with the injected browser opener.
func openURL(open func(string) error, u string) tea.Cmd {
	return func() tea.Msg {
		if open == nil {
			return browserOpenedMsg{url: u, err: errors.New("no browser opener")}
		}
		return browserOpenedMsg{url: u, err: open(u)}
	}
}
