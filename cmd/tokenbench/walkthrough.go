package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// The client the walkthrough plays: a confidential client authenticating with HTTP Basic.
const walkthroughClient = "demo-basic"

// walkthrough is the guided tour of `tokenbench demo`: one OpenID Connect flow, step by step, on
// stdout. Each step stops the tour on failure, with the explanation on stderr.
type walkthrough struct {
	e       *env
	out     io.Writer
	c       *flows.Client
	trace   *tracePrinter
	browser bool
	step    int

	session   *flows.AuthSession
	code      string
	token     *flows.Token
	refreshed *flows.Token
}

func (o *demoOptions) runWalkthrough(ctx context.Context, e *env, faults demoidp.Faults) error {
	e.cancelOnInterrupt() // it serves the provider while a browser may sign in
	p, err := startDemo(o.addr, faults)
	if err != nil {
		return err
	}
	defer p.Close()
	c, err := demoClient(p)
	if err != nil {
		return err
	}
	w := &walkthrough{e: e, out: e.stdout, c: c, browser: o.browser, trace: &tracePrinter{w: e.stderr, enabled: o.verbose}}
	defer w.closeSession()
	w.intro(p, faults)
	for _, step := range []func(context.Context) error{
		w.discover, w.authorize, w.exchange, w.checkIDToken, w.refresh,
		w.userInfo, w.introspect, w.revoke, w.introspectAgain, w.logout,
	} {
		err := step(ctx)
		w.trace.flush(c.Trace)
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(w.out, "\nDone: every step passed. Try `tokenbench demo --fault wrong-state` (or expired-id-token, deny …)\nto watch a check catch a misbehaving provider, and -v to see every HTTP exchange.\n")
	return nil
}

// demoClient is a flows client for the walkthrough's demo client.
func demoClient(p *demoidp.Provider) (*flows.Client, error) {
	return flows.NewClient(demoConfig(p))
}

func (w *walkthrough) intro(p *demoidp.Provider, faults demoidp.Faults) {
	fmt.Fprintf(w.out, "tokenbench demo: one OpenID Connect flow, step by step, against the built-in provider.\n\n")
	fmt.Fprintf(w.out, "Provider  %s (inside this process; it stops when the walkthrough ends)\n", p.Issuer())
	fmt.Fprintf(w.out, "Client    %s, a confidential client authenticating with HTTP Basic (RFC 6749 §2.3.1)\n", walkthroughClient)
	fmt.Fprintf(w.out, "User      Demo User (demo / demo)\n")
	if s := faults.String(); s != "" {
		fmt.Fprintf(w.out, "Faults    %s: the provider misbehaves on purpose; watch which check catches it\n", s)
	}
	fmt.Fprintf(w.out, "Tokens are shown shortened (first 12 characters).\n")
}

// closeSession closes the loopback listener if a step failed before the callback.
func (w *walkthrough) closeSession() {
	if w.session != nil {
		w.session.Close()
	}
}

// heading starts a step.
func (w *walkthrough) heading(title, spec string) {
	w.step++
	fmt.Fprintf(w.out, "\n%2d. %s  (%s)\n", w.step, title, spec)
}

// say prints one indented line of the current step.
func (w *walkthrough) say(format string, args ...any) {
	fmt.Fprintf(w.out, "    "+format+"\n", args...)
}

func (w *walkthrough) discover(ctx context.Context) error {
	w.heading("Discovery", "OpenID Connect Discovery 1.0 §4, RFC 8414 §3")
	w.say("The client reads the provider's metadata instead of being configured with every endpoint.")
	meta, err := w.c.Discover(ctx)
	if err != nil {
		return err
	}
	w.say("GET %s", meta.Source)
	w.say("issuer                  %s", meta.Issuer)
	w.say("authorization_endpoint  %s", meta.Authorization)
	w.say("token_endpoint          %s", meta.Token)
	w.say("userinfo_endpoint       %s", meta.UserInfo)
	w.say("jwks_uri                %s", meta.JWKS)
	w.say("introspection, revocation and end_session endpoints too; iss in responses: %v (RFC 9207)", meta.IssParameterSupported)
	return nil
}

// authorize sends the authorization request through the session, lets the demo user sign in (in
// the user's browser, or tokenbench playing one) and checks the response that comes back to the
// loopback listener.
func (w *walkthrough) authorize(ctx context.Context) error {
	w.heading("Authorization request", "RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1")
	_, res, err := w.c.Authorize(ctx, flows.AuthorizeOptions{Ready: w.showRequest, Open: w.signIn,
		Ignored: func(ig flows.IgnoredCallback) { noteIgnored(w.e.stderr, ig) }})
	if res == nil {
		return err
	}
	w.heading("Callback checks", "RFC 6749 §4.1.2, RFC 9207 §2.4")
	printChecksIndented(w.out, "    ", "authorization response", res.Checks)
	if err != nil {
		return err
	}
	w.code = res.Code
	w.say("code   %s  short-lived and single-use (RFC 6749 §4.1.2)", shorten(res.Code))
	return nil
}

// showRequest explains the prepared request; the session bound the listener first, so the request
// names its real port (RFC 8252 §7.3). It also announces the sign-in: Ready runs before the opener,
// on the walkthrough's own goroutine, so all the printing stays on it.
func (w *walkthrough) showRequest(s *flows.AuthSession) {
	w.session = s // before signIn runs, which reads it
	req := s.Request
	w.say("%s", req.URL)
	w.say("response_type=code, scope=%s, redirect_uri=%s", req.Params.Get("scope"), req.RedirectURI)
	w.say("state  %s  a one-time value the response must echo, so a forged or mixed-up response is rejected (RFC 6749 §10.12)", shorten(req.State))
	w.say("nonce  %s  a one-time value the id_token must carry, tying it to this request (OpenID Connect Core §3.1.2.1)", shorten(req.Nonce))
	w.say("PKCE   %s  code_challenge = SHA-256 of a code_verifier sent only with the token request: a stolen code is useless (RFC 7636 §4)", shorten(req.CodeChallenge))
	w.heading("The demo user signs in and approves", "RFC 6749 §4.1.2")
	if w.browser {
		w.say("Sign in in your browser (demo / demo); tokenbench waits on %s (ctrl-c to stop).", s.RedirectURI())
		return
	}
	w.say("tokenbench plays the browser: it opens the URL, and the provider (whose user is always signed in)")
	w.say("redirects it to tokenbench's own loopback listener %s (RFC 8252 §7.3).", s.RedirectURI())
}

// signIn sends the user to the provider: the real browser with --browser, else tokenbench plays
// one, whose failure to reach the listener ends the wait. It runs beside the wait, so it prints
// nothing to the walkthrough (showRequest announced it).
func (w *walkthrough) signIn(ctx context.Context, u string) error {
	if w.browser {
		openBrowser(w.e, u)
		return nil
	}
	return visitAsBrowser(ctx, u, w.session.RedirectURI())
}

// visitAsBrowser plays the user's browser: it opens url and follows the redirects to the loopback
// listener at redirectURI. It returns why the visit did not end with a response the listener took:
// the last page's URL is named without its query, which may hold a code.
func visitAsBrowser(ctx context.Context, u, redirectURI string) error {
	hc := &http.Client{Timeout: 15 * time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("the simulated browser could not follow the authorization URL: %w", err)
	}
	resp.Body.Close()
	last := *resp.Request.URL
	last.RawQuery, last.Fragment, last.RawFragment = "", "", ""
	if strings.HasPrefix(redirectURI, last.String()) {
		return fmt.Errorf("the callback listener did not take the response the simulated browser brought back (HTTP %d)", resp.StatusCode)
	}
	return fmt.Errorf("the simulated browser ended at %s (HTTP %d) without reaching the callback listener", last.Redacted(), resp.StatusCode)
}

func (w *walkthrough) exchange(ctx context.Context) error {
	w.heading("Token request", "RFC 6749 §4.1.3, RFC 7636 §4.5")
	w.say("POST the code with the code_verifier and redirect_uri, authenticated with HTTP Basic.")
	t, err := w.c.ExchangeCode(ctx, w.session.Request, w.code)
	if err != nil {
		return err
	}
	w.token = t
	w.say("access_token   %s  (%s, expires in %ds)", shorten(t.AccessToken), t.TokenType, t.ExpiresIn)
	w.say("id_token       %s  (a JWT about the user's sign-in)", shorten(t.IDToken))
	w.say("refresh_token  %s", shorten(t.RefreshToken))
	w.say("scope          %s", t.Scope)
	return nil
}

func (w *walkthrough) checkIDToken(ctx context.Context) error {
	w.heading("id_token checks", "OpenID Connect Core §3.1.3.7")
	if w.token.IDToken == "" {
		return &flows.Error{Kind: flows.KindMalformedJWT, Detail: "the token response has no id_token although openid was requested"}
	}
	report := w.c.ValidateIDToken(ctx, w.token.IDToken, flows.Expect{
		Nonce: w.session.Request.Nonce, AccessToken: w.token.AccessToken, ServerDate: w.token.ServerDate, IDToken: true,
	})
	printChecksIndented(w.out, "    ", "id_token", report.Checks)
	if !report.OK() {
		explainFailedChecks(w.e.stderr, report.Checks)
		return errChecksFailed
	}
	warnUnverified(w.e.stderr, "id_token", report)
	if j := report.Token; j != nil {
		w.say("The user: sub %q, name %q, email %q", j.ClaimString("sub"), j.ClaimString("name"), j.ClaimString("email"))
	}
	return nil
}

func (w *walkthrough) refresh(ctx context.Context) error {
	w.heading("Refresh", "RFC 6749 §6")
	t, err := w.c.Refresh(ctx, w.token.RefreshToken)
	if err != nil {
		return err
	}
	w.refreshed = t
	w.say("new access_token  %s", shorten(t.AccessToken))
	w.say("refresh token     %s (RFC 9700 §4.14.2)", rotationText(t.Rotation))
	return nil
}

func (w *walkthrough) userInfo(ctx context.Context) error {
	w.heading("UserInfo", "OpenID Connect Core §5.3")
	w.say("GET with the access token as a bearer token (RFC 6750 §2.1):")
	res, err := w.c.UserInfo(ctx, w.refreshed.AccessToken)
	if err != nil {
		return err
	}
	w.sayJSON(res.Body)
	return nil
}

func (w *walkthrough) introspect(ctx context.Context) error {
	w.heading("Introspection", "RFC 7662 §2")
	w.say("The client asks the provider whether the access token is active:")
	res, err := w.c.Introspect(ctx, w.refreshed.AccessToken, "access_token")
	if err != nil {
		return err
	}
	w.sayJSON(res.Body)
	return nil
}

func (w *walkthrough) revoke(ctx context.Context) error {
	w.heading("Revocation", "RFC 7009 §2")
	if err := w.c.Revoke(ctx, w.refreshed.AccessToken, "access_token"); err != nil {
		return err
	}
	w.say("revoked (HTTP 200)")
	return nil
}

func (w *walkthrough) introspectAgain(ctx context.Context) error {
	w.heading("Introspection again", "RFC 7662 §2.2")
	res, err := w.c.Introspect(ctx, w.refreshed.AccessToken, "access_token")
	if err != nil {
		return err
	}
	if res.Active() {
		return fmt.Errorf("the revoked access token is still active: the provider did not revoke it (RFC 7009 §2.1)")
	}
	w.say("active: false — the revoked token is no longer accepted")
	return nil
}

func (w *walkthrough) logout(ctx context.Context) error {
	w.heading("Logout URL", "OpenID Connect RP-Initiated Logout 1.0 §2")
	hint := w.refreshed.IDToken
	if hint == "" {
		hint = w.token.IDToken
	}
	u, err := w.c.LogoutURL(ctx, hint, "", "")
	if err != nil {
		return err
	}
	w.say("Opening it ends the user's session at the provider (id_token_hint shortened here):")
	w.say("%s", strings.Replace(u, url.QueryEscape(hint), shorten(hint), 1))
	return nil
}

// sayJSON prints a JSON body indented under the step.
func (w *walkthrough) sayJSON(body []byte) {
	for _, line := range strings.Split(indentJSON(body), "\n") {
		w.say("%s", line)
	}
}
