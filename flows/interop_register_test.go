package flows_test

import (
	"context"
	"maps"
	"net/http/cookiejar"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// registration registers a client as `tokenbench register --save` does (discovery's
// registration_endpoint, flows.DefaultRegistration, the initial access token), signs in with it
// as `token --profile` does (profiles.FromRegistration, then Resolve) and signs out to the
// post-logout redirect URI registered by default, and then reads, updates and
// deletes its registration (RFC 7592 §2.1–2.3), after which the client must be refused.
func (s *session) registration(ctx context.Context) outcome {
	c, err := flows.NewClient(flows.ClientConfig{Issuer: s.p.clients["basic"].Issuer}, flows.TransportOptions{Timeout: 15 * time.Second})
	if err != nil {
		return failed("%v", err)
	}
	endpoint, err := c.RegistrationEndpoint(ctx)
	if err != nil {
		return failed("%v", err)
	}
	meta := flows.DefaultRegistration()
	if s.p.initialAccessToken != "" {
		// RFC 7591 §3: a provider that wants an initial access token refuses a request without one.
		if _, err := c.Register(ctx, endpoint, meta, ""); oauthCode(err) != "invalid_token" {
			return failed("registration without the initial access token the provider wants: err = %v, want invalid_token (RFC 6750 §3.1)", err)
		}
	}
	reg, err := c.Register(ctx, endpoint, meta, s.p.initialAccessToken)
	if err != nil {
		return failed("register: %v", err)
	}
	if reg.ClientSecret == "" || reg.RegistrationAccessToken == "" || reg.RegistrationClientURI == "" {
		return failed("the answer lacks client_secret, registration_access_token or registration_client_uri: %s", reg.Body)
	}

	// Sign in as the new client, through the profile the CLI would save, on any free port (as for a
	// user who cannot bind port 80, which the port-less redirect URI means), then sign out to the
	// post-logout redirect URI registered by default, on another free port.
	p := profiles.FromRegistration("interop-registered", s.p.clients["basic"].Issuer, reg)
	anyPort := strings.Replace(flows.DefaultRegistrationRedirectURI, "127.0.0.1/", "127.0.0.1:0/", 1)
	if p.RedirectURI != flows.DefaultRegistrationRedirectURI {
		return failed("the registered client's redirect URI is %q, not the one asked for", p.RedirectURI)
	}
	p.RedirectURI = anyPort
	cfg, _, err := profiles.Resolve(ctx, p, nil, profiles.Run{ClientSecret: reg.ClientSecret})
	if err != nil {
		return failed("the registered client as a profile: %v", err)
	}
	rc, err := flows.NewClient(cfg, flows.TransportOptions{Timeout: 15 * time.Second})
	if err != nil {
		return failed("%v", err)
	}
	b := s.p.browser
	b.jar, _ = cookiejar.New(nil)
	tok, err := s.codeFlow(ctx, rc, b)
	if err != nil {
		return failed("sign-in as the registered client: %v", err)
	}
	if r := rc.ValidateIDToken(ctx, tok.IDToken, flows.Expect{AccessToken: tok.AccessToken, IDToken: true}); !r.OK() {
		return failed("id_token of the registered client: %v", r.Failed())
	}
	if o := s.endSession(ctx, rc, b, tok.IDToken, anyPort, false); o.status != "pass" {
		return failed("logout as the registered client: %s", o.detail)
	}

	// RFC 7592 §2.1: read; §2.2: update with the whole document as read, the name changed.
	read, err := c.ReadRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken)
	if err != nil {
		return failed("read: %v", err)
	}
	if read.ClientID != reg.ClientID || read.Metadata["client_name"] != "tokenbench" {
		return failed("read gave client %q named %v, want %q named tokenbench", read.ClientID, read.Metadata["client_name"], reg.ClientID)
	}
	doc := maps.Clone(read.Metadata)
	doc["client_name"] = "tokenbench interop"
	upd, err := c.UpdateRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken, doc)
	if err != nil {
		return failed("update: %v", err)
	}
	if upd.ClientID != reg.ClientID || upd.Metadata["client_name"] != "tokenbench interop" {
		return failed("update gave client %q named %v", upd.ClientID, upd.Metadata["client_name"])
	}
	// RFC 7592 §3: the answer may carry a new registration access token, which replaces the old.
	rat := reg.RegistrationAccessToken
	if upd.RegistrationAccessToken != "" && upd.RegistrationAccessToken != rat {
		if _, err := c.ReadRegistration(ctx, reg.RegistrationClientURI, rat); oauthCode(err) != "invalid_token" {
			return failed("the registration access token was rotated on update, but the old one reading it gets err = %v, want invalid_token", err)
		}
		rat = upd.RegistrationAccessToken
	}
	if again, err := c.ReadRegistration(ctx, reg.RegistrationClientURI, rat); err != nil || again.Metadata["client_name"] != "tokenbench interop" {
		return failed("read after update: %v, client_name %v", err, again.Metadata["client_name"])
	}

	// RFC 7592 §2.3: delete; the client's credentials and its registration are gone.
	if err := c.DeleteRegistration(ctx, reg.RegistrationClientURI, rat); err != nil {
		return failed("delete: %v", err)
	}
	// RFC 7592 §2.1: a client that does not exist is 401 (invalid_token).
	if _, err := c.ReadRegistration(ctx, reg.RegistrationClientURI, rat); oauthCode(err) != "invalid_token" {
		return failed("read after delete: err = %v, want invalid_token", err)
	}
	if tok.RefreshToken == "" {
		return failed("the registered client got no refresh token to try after delete")
	}
	if _, err := rc.Refresh(ctx, tok.RefreshToken); oauthCode(err) != "invalid_client" {
		return failed("refresh as the deleted client: err = %v, want invalid_client", err)
	}
	return pass()
}
