package flows

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// AuthRequest is an authorization request (RFC 6749 §4.1.1) and the secrets the client keeps until the
// response comes back.
type AuthRequest struct {
	// URL is the authorization URL to open in a browser.
	URL string
	// RedirectURI, State, Nonce and the PKCE pair (RFC 7636 §4.1–4.2) as sent.
	RedirectURI   string
	State         string
	Nonce         string
	PKCE          PKCEMethod
	CodeVerifier  string
	CodeChallenge string
	// Params are every parameter of the request.
	Params url.Values
	// RequestObject is the signed request object (RFC 9101) carrying Params, sent by value or pushed;
	// empty when none was made.
	RequestObject string
	// RequestObjectURI is the request_uri the request object is served at when sent by reference
	// (RFC 9101 §5.2); empty when it went by value or was pushed.
	RequestObjectURI string
	// PAR is the pushed authorization request's answer (RFC 9126 §2.2), nil when the request was
	// not pushed; URL then carries only client_id and request_uri.
	PAR *PushedAuthorization
}

// AuthParamNames are the optional authorization parameters tokenbench knows by name (OpenID Connect
// Core §3.1.2.1, RFC 8707, RFC 6749 §3.1); any other parameter is sent as given.
var AuthParamNames = []string{"prompt", "login_hint", "max_age", "acr_values", "claims", "resource", "audience", "response_mode", "ui_locales", "id_token_hint"}

// NewAuthRequest builds an authorization request with a fresh state, a fresh nonce (when openid is
// requested) and PKCE as configured, for redirectURI (the configured one when empty). The parameters in
// ClientConfig.AuthParams are added; they may override state or nonce, to reproduce a customer's
// request exactly.
func (c *Client) NewAuthRequest(ctx context.Context, redirectURI string) (*AuthRequest, error) {
	endpoint, err := c.endpoints(ctx, "authorization", func(e Endpoints) string { return e.Authorization })
	if err != nil {
		return nil, err
	}
	return c.newAuthRequest(ctx, endpoint, redirectURI)
}

// newAuthRequest builds the request NewAuthRequest describes for the authorization endpoint given.
func (c *Client) newAuthRequest(ctx context.Context, endpoint, redirectURI string) (*AuthRequest, error) {
	if redirectURI == "" {
		redirectURI = c.Config.RedirectURI
	}
	r := &AuthRequest{RedirectURI: redirectURI, State: randomValue(), PKCE: c.Config.pkce()}
	if c.Config.needsNonce() {
		r.Nonce = randomValue()
	}
	extra := c.Config.authParams()
	if v := extra.Get("state"); v != "" {
		r.State = v
	}
	if v := extra.Get("nonce"); v != "" {
		r.Nonce = v
	}
	conf := oauth2.Config{ClientID: c.Config.ClientID, RedirectURL: redirectURI, Scopes: c.Config.Scopes, Endpoint: oauth2.Endpoint{AuthURL: endpoint}}
	var opts []oauth2.AuthCodeOption
	switch r.PKCE {
	case PKCES256:
		r.CodeVerifier = oauth2.GenerateVerifier()
		r.CodeChallenge = oauth2.S256ChallengeFromVerifier(r.CodeVerifier)
		opts = append(opts, oauth2.S256ChallengeOption(r.CodeVerifier))
	case PKCEPlain:
		r.CodeVerifier = oauth2.GenerateVerifier()
		r.CodeChallenge = r.CodeVerifier // RFC 7636 §4.2: plain sends the verifier itself
		opts = append(opts, oauth2.SetAuthURLParam("code_challenge", r.CodeChallenge), oauth2.SetAuthURLParam("code_challenge_method", "plain"))
	}
	if r.Nonce != "" {
		opts = append(opts, oauth2.SetAuthURLParam("nonce", r.Nonce))
	}
	r.URL = conf.AuthCodeURL(r.State, opts...)
	r.URL = addParams(r.URL, extra)
	if u, err := url.Parse(r.URL); err == nil {
		r.Params = u.Query()
	}
	if err := c.secureAuthRequest(ctx, r, endpoint); err != nil {
		return nil, err
	}
	return r, nil
}

// addParams adds extra parameters to a URL, replacing any of the same name (several values of one name,
// such as resource in RFC 8707, are all kept).
func addParams(raw string, extra url.Values) string {
	if len(extra) == 0 {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for k, vs := range extra {
		if k == "state" || k == "nonce" {
			continue // already applied to the request itself
		}
		q[k] = append([]string(nil), vs...)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenIDRequested reports whether the request asked for an id_token.
func (r *AuthRequest) OpenIDRequested() bool {
	for _, s := range strings.Fields(r.Params.Get("scope")) {
		if s == "openid" {
			return true
		}
	}
	return false
}

// MaxAge is the max_age the request asked for (OpenID Connect Core §3.1.2.1), which makes auth_time
// required and checked; 0 when none or unreadable.
func (r *AuthRequest) MaxAge() time.Duration {
	n, err := strconv.Atoi(r.Params.Get("max_age"))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}
