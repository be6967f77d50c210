package flows_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// The interop suite drives tokenbench's flows against independently written OpenID providers,
// installed and built by .ci/interop outside the repository and started here on loopback. It runs
// with TOKENBENCH_INTEROP=1 and prints a provider × feature table (TOKENBENCH_INTEROP_TABLE=FILE
// writes it as Markdown too). A feature a provider does not offer is "n/a" with the reason; one
// where the provider departs from the RFCs and tokenbench copes is "pass*" with the deviation named.

// interopFeatures are the table's columns, in order.
var interopFeatures = []string{
	"discovery", "code_pkce", "id_token", "userinfo", "refresh", "client_secret_post", "client_secret_jwt",
	"private_key_jwt", "public_pkce", "client_credentials", "introspection", "revocation", "par", "dpop",
	"device", "jwt_bearer", "token_exchange", "wrong_secret", "denied_login", "ciba_poll", "ciba_ping", "request_uri",
	"registration", "logout", "logout_wrong_state",
}

// outcome is one cell of the table.
type outcome struct {
	status string // pass, pass*, fail, n/a
	detail string
}

// session is what a provider's cases share: the tokens of the code flow.
type session struct {
	p     *interopProvider
	token *flows.Token
	sub   string
}

func TestInterop(t *testing.T) {
	if os.Getenv("TOKENBENCH_INTEROP") != "1" {
		t.Skip("the interop suite runs with TOKENBENCH_INTEROP=1 after .ci/interop has installed the providers (node, npm and the Go module proxy)")
	}
	starts := []func(*testing.T) *interopProvider{startOIDCProvider, startZitadel, startMockServer}
	var table [][]outcome
	var names []string
	failed := false
	for _, start := range starts {
		var row []outcome
		var name string
		t.Run(fmt.Sprintf("provider%d", len(names)+1), func(t *testing.T) {
			p := start(t)
			name = p.name
			s := &session{p: p}
			for _, f := range interopFeatures {
				o := s.run(t, f)
				row = append(row, o)
				t.Logf("%-20s %-5s %s", f, o.status, o.detail)
				if o.status == "fail" {
					t.Errorf("%s: %s", f, o.detail)
				}
			}
		})
		failed = failed || t.Failed()
		names = append(names, name)
		table = append(table, row)
	}
	md := interopTable(names, table)
	t.Log("\n" + md)
	if path := os.Getenv("TOKENBENCH_INTEROP_TABLE"); path != "" {
		if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// interopTable renders the results as Markdown, deviations and n/a reasons as notes below.
func interopTable(names []string, table [][]outcome) string {
	var b strings.Builder
	b.WriteString("| feature |")
	for _, n := range names {
		b.WriteString(" " + n + " |")
	}
	b.WriteString("\n|---|")
	for range names {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	var notes []string
	for i, f := range interopFeatures {
		b.WriteString("| " + f + " |")
		for j, row := range table {
			if i >= len(row) {
				b.WriteString(" – |")
				continue
			}
			o := row[i]
			b.WriteString(" " + o.status + " |")
			if o.status != "pass" && o.detail != "" {
				notes = append(notes, fmt.Sprintf("- %s, %s (%s): %s", names[j], f, o.status, o.detail))
			}
		}
		b.WriteString("\n")
	}
	if len(notes) > 0 {
		b.WriteString("\n" + strings.Join(notes, "\n") + "\n")
	}
	return b.String()
}

func pass() outcome                             { return outcome{status: "pass"} }
func deviation(format string, a ...any) outcome { return outcome{"pass*", fmt.Sprintf(format, a...)} }
func na(why string) outcome                     { return outcome{"n/a", why} }
func failed(format string, a ...any) outcome    { return outcome{"fail", fmt.Sprintf(format, a...)} }

// client builds the flows client of a role, or says why the provider has none.
func (s *session) client(t *testing.T, role string) (*flows.Client, bool) {
	cfg, ok := s.p.clients[role]
	if !ok {
		return nil, false
	}
	c, err := flows.NewClient(cfg, flows.TransportOptions{Timeout: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, true
}

// run runs one feature's case.
func (s *session) run(t *testing.T, feature string) outcome {
	if why, ok := s.p.notes[feature]; ok && !strings.HasPrefix(why, "*") {
		return na(why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	switch feature {
	case "discovery":
		c, _ := s.client(t, "basic")
		m, err := c.Discover(ctx)
		if err != nil {
			return failed("%v", err)
		}
		if m.Token == "" || m.JWKS == "" {
			return failed("metadata without token_endpoint or jwks_uri")
		}
		return pass()
	case "code_pkce":
		c, _ := s.client(t, "basic")
		tok, err := s.codeFlow(ctx, c, s.p.browser)
		if err != nil {
			return failed("%v", err)
		}
		s.token = tok
		return pass()
	case "id_token":
		if s.token == nil || s.token.IDToken == "" {
			return failed("the code flow gave no id_token")
		}
		c, _ := s.client(t, "basic")
		r := c.ValidateIDToken(ctx, s.token.IDToken, flows.Expect{AccessToken: s.token.AccessToken, IDToken: true, ServerDate: s.token.ServerDate})
		if !r.OK() || !r.SignatureVerified() {
			return failed("id_token checks: %v", r.Failed())
		}
		s.sub, _ = c.IDTokenSubject(s.token.IDToken)
		return pass()
	case "userinfo":
		c, _ := s.client(t, "basic")
		if s.token == nil {
			return failed("no access token")
		}
		res, err := c.UserInfo(ctx, s.token.AccessToken, flows.UserInfoExpect{Subject: s.sub})
		if err != nil {
			return failed("%v", err)
		}
		if res.Members["sub"] != s.sub {
			return failed("userinfo sub %v, id_token sub %q", res.Members["sub"], s.sub)
		}
		return pass()
	case "refresh":
		c, _ := s.client(t, "basic")
		if s.token == nil || s.token.RefreshToken == "" {
			return failed("the code flow gave no refresh token")
		}
		tok, err := c.Refresh(ctx, s.token.RefreshToken)
		if err != nil {
			return failed("%v", err)
		}
		// The refreshed tokens replace the old ones, which a provider may retire (zitadel does).
		if tok.RefreshToken == "" {
			tok.RefreshToken = s.token.RefreshToken
		}
		s.token = tok
		return pass()
	case "client_secret_post", "client_secret_jwt", "private_key_jwt", "public_pkce":
		role := map[string]string{"client_secret_post": "post", "client_secret_jwt": "jwt", "private_key_jwt": "pkjwt", "public_pkce": "public"}[feature]
		c, ok := s.client(t, role)
		if !ok {
			return na("no client registered for it")
		}
		tok, err := s.codeFlow(ctx, c, s.p.browser)
		if err != nil {
			return failed("%v", err)
		}
		if r := c.ValidateIDToken(ctx, tok.IDToken, flows.Expect{AccessToken: tok.AccessToken, IDToken: true}); tok.IDToken != "" && !r.OK() {
			return failed("id_token checks: %v", r.Failed())
		}
		return pass()
	case "client_credentials":
		c, _ := s.client(t, "cc")
		c.Config.Scopes = nil
		if _, err := c.ClientCredentials(ctx); err != nil {
			return failed("%v", err)
		}
		return pass()
	case "introspection":
		c, _ := s.client(t, "basic")
		if s.token == nil {
			return failed("no access token")
		}
		res, err := c.Introspect(ctx, s.token.AccessToken, "access_token")
		if err != nil {
			return failed("%v", err)
		}
		if !res.Active() {
			return failed("a fresh access token is not active: %s", res.Body)
		}
		return pass()
	case "revocation":
		c, _ := s.client(t, "basic")
		if s.token == nil {
			return failed("no token")
		}
		tok := s.token.RefreshToken
		hint := "refresh_token"
		if tok == "" {
			tok, hint = s.token.AccessToken, "access_token"
		}
		if err := c.Revoke(ctx, tok, hint); err != nil {
			return failed("%v", err)
		}
		if hint == "refresh_token" {
			_, err := c.Refresh(ctx, tok)
			switch {
			case err == nil && s.p.stateless:
				return deviation("revocation answers 200 (RFC 7009 §2.2), but the revoked refresh token still works: the provider keeps no state")
			case oauthCode(err) != "invalid_grant":
				return failed("a revoked refresh token still works (err %v)", err)
			}
		}
		return pass()
	case "par":
		c, _ := s.client(t, "basic")
		c.Config.PAR = true
		return s.signsIn(ctx, c)
	case "dpop":
		c, _ := s.client(t, "basic")
		c.Config.DPoP = true
		tok, err := s.codeFlow(ctx, c, s.p.browser)
		if err != nil {
			return failed("%v", err)
		}
		if !strings.EqualFold(tok.TokenType, "DPoP") {
			return failed("token_type %q, want DPoP", tok.TokenType)
		}
		if failedChecks := (flows.Report{Checks: c.DPoPChecks(tok)}).Failed(); len(failedChecks) > 0 {
			return failed("DPoP checks: %v", failedChecks)
		}
		if _, err := c.UserInfo(ctx, tok.AccessToken); err != nil {
			return failed("userinfo with the DPoP-bound token: %v", err)
		}
		return pass()
	case "ciba_poll", "ciba_ping":
		return s.ciba(ctx, t, strings.TrimPrefix(feature, "ciba_"))
	case "registration":
		return s.registration(ctx)
	case "logout", "logout_wrong_state":
		return s.logout(ctx, t, feature == "logout_wrong_state")
	case "request_uri":
		c, ok := s.client(t, "pkjwt")
		if !ok {
			return na("no client with a signing key")
		}
		c.Config.RequestObject, c.Config.RequestObjectByReference = true, true
		return s.signsIn(ctx, c)
	case "device":
		c, _ := s.client(t, "basic")
		d, err := c.DeviceAuthorize(ctx)
		if err != nil {
			return failed("%v", err)
		}
		u := d.VerificationURIComplete
		if u == "" {
			u = d.VerificationURI
		}
		go s.p.browser.run(ctx, u) //nolint:errcheck // the poll reports what matters
		if _, err := c.PollDevice(ctx, d, nil); err != nil {
			return failed("%v", err)
		}
		return pass()
	case "jwt_bearer":
		if s.p.bearer == nil {
			return na("not offered")
		}
		c, _ := s.client(t, "cc")
		c.Config.Scopes = []string{"openid"}
		a, err := c.MakeAssertion(ctx, *s.p.bearer)
		if err != nil {
			return failed("%v", err)
		}
		if _, err := c.JWTBearer(ctx, a); err != nil {
			return failed("%v", err)
		}
		return pass()
	case "token_exchange":
		c, _ := s.client(t, "basic")
		if s.token == nil {
			return failed("no access token")
		}
		// RFC 8693 §2.1: the session's access token as the subject, for the same client.
		tok, err := c.TokenExchange(ctx, flows.TokenExchangeRequest{SubjectToken: s.token.AccessToken, SubjectTokenType: flows.TokenTypeAccessToken})
		if err != nil {
			return failed("%v", err)
		}
		if tok.AccessToken == "" {
			return failed("no access token issued")
		}
		return pass()
	case "wrong_secret":
		c, _ := s.client(t, "cc")
		c.Config.ClientSecret = "wrong-" + c.Config.ClientSecret
		c.Config.Scopes = nil
		_, err := c.ClientCredentials(ctx)
		switch {
		case err == nil && s.p.stateless:
			return deviation("the provider does not authenticate clients: a wrong secret gets a token (RFC 6749 §2.3 wants the client authenticated); tokenbench cannot tell, and says nothing")
		case oauthCode(err) == "invalid_client":
			return pass()
		}
		return failed("err = %v, want invalid_client", err)
	case "denied_login":
		c, _ := s.client(t, "basic")
		deny := s.p.browser
		deny.deny = true
		_, err := s.codeFlow(ctx, c, deny)
		if oauthCode(err) != "access_denied" {
			return failed("err = %v, want access_denied", err)
		}
		return pass()
	}
	return failed("no case for %s", feature)
}

// signsIn runs the code flow with c in the provider's browser: a pass when it ends with an access token.
func (s *session) signsIn(ctx context.Context, c *flows.Client) outcome {
	tok, err := s.codeFlow(ctx, c, s.p.browser)
	if err != nil {
		return failed("%v", err)
	}
	if tok.AccessToken == "" {
		return failed("no access token")
	}
	return pass()
}

// codeFlow runs the authorization code flow with PKCE through the loopback listener and the
// scripted browser, then the code exchange.
func (s *session) codeFlow(ctx context.Context, c *flows.Client, b scriptedBrowser) (*flows.Token, error) {
	l, err := flows.Listen(c.Config.RedirectURI)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	req, err := c.NewAuthRequest(ctx, l.RedirectURI())
	if err != nil {
		return nil, err
	}
	browsed := make(chan error, 1)
	go func() {
		_, err := b.run(ctx, req.URL)
		browsed <- err
	}()
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	res, err := c.AwaitCallback(wctx, l, req)
	if err != nil {
		if berr := <-browsed; berr != nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%w (browser: %v)", err, berr)
		}
		return nil, err
	}
	return c.ExchangeCode(ctx, req, res.Code)
}

// ciba runs a backchannel authentication for the provider's user in mode (poll or ping, CIBA Core
// §10.1, §10.2); the provider's stand-in for the authentication device approves it.
func (s *session) ciba(ctx context.Context, t *testing.T, mode string) outcome {
	c, ok := s.client(t, "ciba_"+mode)
	if !ok {
		return na("no client registered for CIBA " + mode + " mode")
	}
	req := flows.CIBARequest{LoginHint: s.p.cibaUser, BindingMessage: "TB-1"}
	if mode == flows.CIBAPoll {
		a, err := c.BackchannelAuthorize(ctx, req)
		if err != nil {
			return failed("%v", err)
		}
		if _, err := c.PollCIBA(ctx, a, nil); err != nil {
			return failed("%v", err)
		}
		return pass()
	}
	n, err := flows.ListenCIBANotificationsTLS(c.Config.CIBANotificationEndpoint, *s.p.cibaCert)
	if err != nil {
		return failed("%v", err)
	}
	defer n.Close()
	req.ClientNotificationToken = n.Token()
	a, err := c.BackchannelAuthorize(ctx, req)
	if err != nil {
		return failed("%v", err)
	}
	tok, err := c.AwaitCIBA(ctx, a, n, mode)
	if err != nil {
		return failed("%v", err)
	}
	if r := c.ValidateIDToken(ctx, tok.IDToken, flows.Expect{AccessToken: tok.AccessToken}); !r.OK() {
		return failed("id_token checks: %v", r.Failed())
	}
	return pass()
}
