package flows

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// GrantTokenExchange is the token exchange grant type (RFC 8693 §2.1).
const GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

// Token type identifiers (RFC 8693 §3).
const (
	TokenTypeAccessToken  = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeRefreshToken = "urn:ietf:params:oauth:token-type:refresh_token"
	TokenTypeIDToken      = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeSAML1        = "urn:ietf:params:oauth:token-type:saml1"
	TokenTypeSAML2        = "urn:ietf:params:oauth:token-type:saml2"
	TokenTypeJWT          = "urn:ietf:params:oauth:token-type:jwt"
)

// tokenTypeNames are the short names of the standard token types.
var tokenTypeNames = []struct{ short, uri string }{
	{"access_token", TokenTypeAccessToken},
	{"refresh_token", TokenTypeRefreshToken},
	{"id_token", TokenTypeIDToken},
	{"saml1", TokenTypeSAML1},
	{"saml2", TokenTypeSAML2},
	{"jwt", TokenTypeJWT},
}

// TokenTypeNames lists the short names TokenTypeURI accepts.
func TokenTypeNames() []string {
	out := make([]string, len(tokenTypeNames))
	for i, n := range tokenTypeNames {
		out[i] = n.short
	}
	return out
}

// TokenTypeURI turns a short name (access_token, refresh_token, id_token, saml1, saml2, jwt) into its
// RFC 8693 §3 URI. A URI (anything with a colon) is returned as it is, so that a provider's own
// token types can be used; anything else is not a token type.
func TokenTypeURI(s string) (string, bool) {
	for _, n := range tokenTypeNames {
		if s == n.short || s == n.uri {
			return n.uri, true
		}
	}
	if strings.Contains(s, ":") {
		return s, true
	}
	return "", false
}

// TokenExchangeRequest is a token exchange request (RFC 8693 §2.1).
type TokenExchangeRequest struct {
	// SubjectToken and SubjectTokenType are required: the token that represents the party the new
	// token is for, and its type URI.
	SubjectToken     string
	SubjectTokenType string
	// ActorToken represents the party acting for the subject; ActorTokenType is required with it.
	ActorToken     string
	ActorTokenType string
	// Resource (absolute URIs) and Audience (logical names) say where the token is to be used.
	Resource []string
	Audience []string
	// Scope is the space-separated scope asked for; the configured scopes when empty.
	Scope string
	// RequestedTokenType is the type URI wanted; the provider chooses when empty.
	RequestedTokenType string
}

// TokenExchange exchanges a subject token (and optionally an actor token) for a new token (RFC 8693
// §2). The answer's issued_token_type is Token.IssuedTokenType.
func (c *Client) TokenExchange(ctx context.Context, r TokenExchangeRequest) (*Token, error) {
	if r.SubjectToken == "" || r.SubjectTokenType == "" {
		return nil, errors.New("token exchange needs a subject token and its type (RFC 8693 §2.1)")
	}
	if (r.ActorToken == "") != (r.ActorTokenType == "") {
		return nil, errors.New("an actor token and its type go together (RFC 8693 §2.1): give both or neither")
	}
	for _, res := range r.Resource {
		if u, err := url.Parse(res); err != nil || !u.IsAbs() || u.Fragment != "" {
			return nil, fmt.Errorf("resource %q must be an absolute URI without a fragment (RFC 8693 §2.1)", res)
		}
	}
	form := url.Values{
		"grant_type":         {GrantTokenExchange},
		"subject_token":      {r.SubjectToken},
		"subject_token_type": {r.SubjectTokenType},
	}
	if r.ActorToken != "" {
		form.Set("actor_token", r.ActorToken)
		form.Set("actor_token_type", r.ActorTokenType)
	}
	for _, res := range r.Resource {
		form.Add("resource", res)
	}
	for _, a := range r.Audience {
		form.Add("audience", a)
	}
	scope := r.Scope
	if scope == "" {
		scope = c.Config.scope()
	}
	if scope != "" {
		form.Set("scope", scope)
	}
	if r.RequestedTokenType != "" {
		form.Set("requested_token_type", r.RequestedTokenType)
	}
	return c.requestToken(ctx, "token", form)
}

// IssuedTokenType is the answer's issued_token_type (RFC 8693 §2.2.1), or "" when there is none.
func (t *Token) IssuedTokenType() string {
	s, _ := t.Members["issued_token_type"].(string)
	return s
}
