package flows

import (
	"context"
	"fmt"
	"net/url"
)

// LogoutOptions say what an RP-initiated logout sends and how it reaches the user. The caller owns
// every effect: Logout opens and prints nothing itself.
type LogoutOptions struct {
	// IDTokenHint is the id_token of the session to end, sent as id_token_hint unless the provider
	// takes none (Client.LogoutTakesIDTokenHint). Optional.
	IDTokenHint string
	// PostLogoutRedirectURI is where the provider sends the browser afterwards, in the parameter the
	// provider names (Client.LogoutRedirectParameter). A loopback one is listened on (port 0: any
	// free port) and its state checked; any other is sent as given and not waited for. Empty sends
	// none: the provider then shows its own page, and there is nothing to wait for.
	PostLogoutRedirectURI string
	// Ready is called once the URL is built, before it is opened. Optional.
	Ready func(*LogoutRequest)
	// Open hands the logout URL to a browser; its error ends the wait. Nil opens nothing.
	Open func(ctx context.Context, url string) error
}

// LogoutRequest is one RP-initiated logout request as sent.
type LogoutRequest struct {
	// URL is the logout URL; State the state it carries (empty without a redirect).
	URL   string
	State string
	// RedirectURI is the post-logout redirect URI sent, with the port actually bound.
	RedirectURI string
	// IDTokenHintSent reports whether the URL carries id_token_hint.
	IDTokenHintSent bool
	// Listening reports whether tokenbench waits on loopback for the browser to come back.
	Listening bool
	// Notice says why the listener is not where the redirect URI said (Listener.Notice), or is empty.
	Notice string
}

// LogoutResult is what came back to the post-logout redirect URI.
type LogoutResult struct {
	// Params are the redirect's parameters.
	Params url.Values
	// Checks are the state check, passed or failed.
	Checks []Check
}

// Logout runs an RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): it builds the URL,
// calls Ready, opens it, and, when the post-logout redirect URI is loopback, waits for the browser
// to come back there and checks that the state sent comes back unchanged (§3: the OP passes the
// state back when it redirects). The result is nil when nothing was waited for; its checks are in it
// even with an error.
func (c *Client) Logout(ctx context.Context, opts LogoutOptions) (*LogoutRequest, *LogoutResult, error) {
	req := &LogoutRequest{RedirectURI: opts.PostLogoutRedirectURI}
	var l *Listener
	if IsLoopback(req.RedirectURI) {
		var err error
		if l, err = listen(req.RedirectURI, "post-logout redirect"); err != nil {
			return nil, nil, err
		}
		defer l.Close()
		req.RedirectURI, req.Listening, req.Notice = l.RedirectURI(), true, l.Notice()
	}
	if req.RedirectURI != "" {
		req.State = randomValue() // RP-Initiated Logout §2: state is only meaningful with a redirect
	}
	u, err := c.LogoutURL(ctx, opts.IDTokenHint, req.RedirectURI, req.State)
	if err != nil {
		return nil, nil, err
	}
	req.URL, req.IDTokenHintSent = u, opts.IDTokenHint != "" && c.LogoutTakesIDTokenHint()
	if opts.Ready != nil {
		opts.Ready(req)
	}
	if l == nil {
		if opts.Open != nil {
			return req, nil, opts.Open(ctx, u)
		}
		return req, nil, nil
	}
	res := &LogoutResult{}
	err = openWhileWaiting(ctx, opts.Open, u, func(ctx context.Context) (bool, error) {
		params, err := l.Wait(ctx, func(p url.Values) error {
			res.Params = p
			check, err := logoutState(req.State, p)
			res.Checks = append(res.Checks, check)
			return err
		})
		return params != nil, err
	})
	if res.Params == nil {
		return req, nil, err
	}
	return req, res, err
}

// logoutState checks the state of a post-logout redirect against the one sent, and an error answer.
func logoutState(sent string, p url.Values) (Check, error) {
	if code := p.Get("error"); code != "" {
		return skip("state", "the provider answered with an error"), &OAuthError{Code: code, Description: p.Get("error_description"), URI: p.Get("error_uri"), Endpoint: "end session endpoint"}
	}
	switch got := p.Get("state"); {
	case !p.Has("state"):
		detail := "the post-logout redirect carries no state, but the logout request sent one (RP-Initiated Logout 1.0 §3 says it comes back)"
		return fail("state", KindStateMismatch, "%s", detail), &Error{Kind: KindStateMismatch, Detail: detail}
	case got != sent:
		detail := fmt.Sprintf("the post-logout redirect's state %q is not the %q sent: it belongs to another request, or was forged", got, sent)
		return fail("state", KindStateMismatch, "%s", detail), &Error{Kind: KindStateMismatch, Detail: detail}
	}
	return pass("state", "the post-logout redirect's state matches the one sent"), nil
}
