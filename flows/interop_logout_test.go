package flows_test

import (
	"context"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// logout signs in with a browser that keeps its cookies, then ends that session as `tokenbench
// logout` does (OpenID Connect RP-Initiated Logout 1.0): the logout URL with the id_token as
// id_token_hint, the registered post-logout redirect URI on loopback and a state; the browser
// confirms on the provider's page, and the listener must see the state sent come back (§3). With
// forge, the browser is handed the URL with another state, which the provider passes back: the
// listener must not take that redirect, and the logout must end in a state mismatch.
func (s *session) logout(ctx context.Context, t *testing.T, forge bool) outcome {
	c, _ := s.client(t, "basic")
	b := s.p.browser
	b.jar, _ = cookiejar.New(nil)
	tok, err := s.codeFlow(ctx, c, b)
	if err != nil {
		return failed("sign-in: %v", err)
	}
	redirect := s.p.postLogoutRedirect
	if redirect == "" {
		redirect = c.Config.RedirectURI
	}
	return s.endSession(ctx, c, b, tok.IDToken, redirect, forge)
}

// endSession runs the logout of the session b signed in to with idToken, and checks the post-logout
// redirect; then, unless forge, that the session is gone.
func (s *session) endSession(ctx context.Context, c *flows.Client, b scriptedBrowser, idToken, redirect string, forge bool) outcome {
	lctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	pages := make(chan string, 1) // the browser's last page; it runs beside the wait
	last := func() string {
		select {
		case p := <-pages:
			return p
		case <-time.After(5 * time.Second):
			return "(the browser has not finished)"
		}
	}
	var sent *flows.LogoutRequest
	_, res, err := c.Logout(lctx, flows.LogoutOptions{
		IDTokenHint:           idToken,
		PostLogoutRedirectURI: redirect,
		Ready:                 func(r *flows.LogoutRequest) { sent = r },
		Open: func(ctx context.Context, u string) error {
			if forge {
				v, _ := url.Parse(u)
				q := v.Query()
				q.Set("state", "forged-"+q.Get("state"))
				v.RawQuery = q.Encode()
				u = v.String()
			}
			page, err := b.run(ctx, u)
			pages <- page
			if forge && err == nil {
				cancel() // the listener ignored the redirect and waits on: nothing else is coming
			}
			return err
		},
	})
	switch {
	case sent == nil:
		return failed("no logout request: %v", err)
	case !sent.IDTokenHintSent || !sent.Listening || sent.State == "":
		return failed("the logout URL %s: id_token_hint sent %v, listening %v, state %q", sent.URL, sent.IDTokenHintSent, sent.Listening, sent.State)
	case forge:
		if kindOf(err) != flows.KindStateMismatch || res == nil || len(res.Checks) == 0 || res.Checks[0].Status != flows.CheckFail {
			return failed("a post-logout redirect with a forged state: err = %v, result %+v, want a failed state check and a state mismatch", err, res)
		}
		if page := last(); !strings.Contains(page, "does not belong") {
			return failed("the listener's answer to the forged redirect: %.200q", page)
		}
		return pass()
	case err != nil:
		return failed("logout to %s: %v (the browser's last page: %.300q)", sent.RedirectURI, err, last())
	case res == nil || res.Params.Get("state") != sent.State:
		return failed("the post-logout redirect came back without the state sent: %+v", res)
	}
	// The session is gone: a silent sign-in in the same browser must now ask for a login (OIDC Core
	// §3.1.2.1, prompt=none).
	cfg := c.Config
	cfg.AuthParams = url.Values{"prompt": {"none"}}
	silent, err := flows.NewClient(cfg, flows.TransportOptions{Timeout: 15 * time.Second})
	if err != nil {
		return failed("%v", err)
	}
	_, err = s.codeFlow(ctx, silent, b)
	switch {
	case err == nil && s.p.stateless:
		return deviation("the post-logout redirect comes back with the state, but there was no session to end: the provider signs every request in at once")
	case oauthCode(err) != "login_required":
		return failed("prompt=none after logout: err = %v, want login_required (the session was not ended)", err)
	}
	return pass()
}
