package flows

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// Grant type identifiers (RFC 6749 §4, RFC 8628 §3.4).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
)

// requestToken posts a grant to the token endpoint with the client's authentication and the
// configured extra token parameters, and parses the answer.
func (c *Client) requestToken(ctx context.Context, step string, form url.Values) (*Token, error) {
	endpoint, err := c.endpoints(ctx, "token", func(e Endpoints) string { return e.Token })
	if err != nil {
		return nil, err
	}
	for k, vs := range c.Config.TokenParams {
		for _, v := range vs {
			form.Add(k, v)
		}
	}
	r, err := c.postToken(ctx, step, endpoint, form)
	if err != nil {
		return nil, err
	}
	if r.status >= 300 && r.status <= 399 {
		return nil, redirectError(r) // named with the endpoint's URL, which ParseTokenResponse does not know
	}
	t, err := ParseTokenResponse(r.status, r.header, r.body, time.Now())
	c.noteTokenType(t)
	return t, err
}

// ExchangeCode redeems an authorization code (RFC 6749 §4.1.3) with the request's PKCE verifier
// (RFC 7636 §4.5) and redirect URI.
func (c *Client) ExchangeCode(ctx context.Context, req *AuthRequest, code string) (*Token, error) {
	form := url.Values{"grant_type": {GrantAuthorizationCode}, "code": {code}, "redirect_uri": {req.RedirectURI}}
	if req.CodeVerifier != "" {
		form.Set("code_verifier", req.CodeVerifier)
	}
	return c.requestToken(ctx, "token", form)
}

// Refresh uses a refresh token (RFC 6749 §6), asking for RefreshScopes (none by default), and says
// whether the provider rotated it.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	form := url.Values{"grant_type": {GrantRefreshToken}, "refresh_token": {refreshToken}}
	if len(c.Config.RefreshScopes) > 0 {
		form.Set("scope", strings.Join(c.Config.RefreshScopes, " "))
	}
	t, err := c.requestToken(ctx, "refresh", form)
	if err != nil {
		return nil, err
	}
	switch t.RefreshToken {
	case "":
		t.Rotation = RotationOmitted // §6: the client keeps using the old one
	case refreshToken:
		t.Rotation = RotationUnchanged
	default:
		t.Rotation = RotationRotated
	}
	return t, nil
}

// ClientCredentials requests a token for the client itself (RFC 6749 §4.4).
func (c *Client) ClientCredentials(ctx context.Context) (*Token, error) {
	form := url.Values{"grant_type": {GrantClientCredentials}}
	if s := c.Config.scope(); s != "" {
		form.Set("scope", s)
	}
	return c.requestToken(ctx, "token", form)
}

// Password requests a token with the resource owner's credentials (RFC 6749 §4.3; deprecated by
// RFC 9700 §2.4 but still met in the field).
func (c *Client) Password(ctx context.Context, username, password string) (*Token, error) {
	form := url.Values{"grant_type": {GrantPassword}, "username": {username}, "password": {password}}
	if s := c.Config.scope(); s != "" {
		form.Set("scope", s)
	}
	return c.requestToken(ctx, "token", form)
}
