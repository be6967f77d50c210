package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sync"
)

// Result is a JSON answer from userinfo or introspection: the members as received and the bytes.
type Result struct {
	Status  int
	Members map[string]any
	Body    []byte
	// JWT is set when the answer was a signed JWT (userinfo as application/jwt, OpenID Connect Core
	// §5.3.2); Members then holds its claims. An encrypted answer is decrypted with the client's
	// decryption key first: JWT is then the signed JWT inside, or, when the provider only
	// encrypted, the JWE with its decrypted claims.
	JWT *JWT
	// Report is every check on a userinfo answer that is a JWT: decryption, then the signature,
	// iss and aud of a signed one (OpenID Connect Core §5.3.2, §10.1). It is nil for a JSON
	// answer, which is not signed, so there is nothing to verify.
	Report *Report
	// Subject is userinfo's check that the answer is about the id_token's subject (OpenID Connect
	// Core §5.3.2, named CheckUserInfoSubject); zero for introspection.
	Subject Check
}

// Checks are every check on a userinfo answer: the Report's, then the subject's.
func (r *Result) Checks() []Check {
	var out []Check
	if r.Report != nil {
		out = append(out, r.Report.Checks...)
	}
	if r.Subject.Name != "" {
		out = append(out, r.Subject)
	}
	return out
}

// OK reports whether no check on the answer failed.
func (r *Result) OK() bool { return Report{Checks: r.Checks()}.OK() }

// Form says in a phrase what a userinfo answer was and how it was protected (OpenID Connect Core
// §5.3.2): plain JSON, a signed JWT, signed then encrypted, or encrypted only.
func (r *Result) Form() string {
	switch {
	case r.Report == nil || r.JWT == nil:
		return "plain JSON (application/json), not signed: there is no signature, iss or aud to verify"
	case r.Report.Encrypted != nil:
		e := r.Report.Encrypted
		return fmt.Sprintf("a JWT (application/jwt) signed with alg %s, then encrypted to the client's key (JWE alg %s, enc %s)", r.JWT.Alg(), e.Alg(), e.Enc())
	case r.JWT.Kind == JWTKindJWE:
		return fmt.Sprintf("a JWE (application/jwt) encrypted to the client's key (alg %s, enc %s) around plain JSON: not signed", r.JWT.Alg(), r.JWT.Enc())
	}
	return fmt.Sprintf("a signed JWT (application/jwt, alg %s)", r.JWT.Alg())
}

// challengeParam matches one auth-param of a WWW-Authenticate challenge (RFC 9110 §11.2).
var challengeParam = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"|(\w+)=([^\s,]+)`) })

// bearerChallenge reads an RFC 6750 §3 error from a 401 or 403 answer's WWW-Authenticate header.
func bearerChallenge(r response, endpoint string) *OAuthError {
	if r.status != http.StatusUnauthorized && r.status != http.StatusForbidden {
		return nil
	}
	oe := &OAuthError{Status: r.status, Endpoint: endpoint}
	for _, m := range challengeParam().FindAllStringSubmatch(r.header.Get("WWW-Authenticate"), -1) {
		name, value := m[1], m[2]
		if name == "" {
			name, value = m[3], m[4]
		}
		switch name {
		case "error":
			oe.Code = value
		case "error_description":
			oe.Description = value
		case "error_uri":
			oe.URI = value
		}
	}
	if oe.Code == "" {
		var em errorMembers
		if json.Unmarshal(r.body, &em) == nil && em.Error != "" {
			oe.Code, oe.Description, oe.URI = em.Error, em.ErrorDescription, em.ErrorURI
		} else {
			// RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
			oe.Code, oe.Description = "invalid_token", fmt.Sprintf("HTTP %d without an error code; WWW-Authenticate: %q", r.status, r.header.Get("WWW-Authenticate"))
		}
	}
	return oe
}

func jsonResult(r response, endpoint string) (*Result, error) {
	var raw json.RawMessage
	if err := decodeJSON(r, endpoint, &raw); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var members map[string]any
	if err := dec.Decode(&members); err != nil || members == nil {
		return nil, &Error{Kind: KindNonJSON, Detail: fmt.Sprintf("%s answered a body that is not a JSON object: %s", endpoint, snippet(r.body))}
	}
	return &Result{Status: r.status, Members: members, Body: r.body}, nil
}

// Introspect asks the introspection endpoint about a token (RFC 7662 §2.1), authenticating as the
// client. hint is an optional token_type_hint.
func (c *Client) Introspect(ctx context.Context, token, hint string) (*Result, error) {
	endpoint, err := c.endpoints(ctx, "introspection", func(e Endpoints) string { return e.Introspection })
	if err != nil {
		return nil, err
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	r, err := c.postForm(ctx, "introspect", endpoint, form, true)
	if err != nil {
		return nil, err
	}
	res, err := jsonResult(r, "introspection endpoint")
	if err != nil {
		return nil, err
	}
	if _, ok := res.Members["active"].(bool); !ok {
		return nil, &Error{Kind: KindNonJSON, Detail: "the introspection answer has no boolean \"active\" member (RFC 7662 §2.2): " + snippet(r.body)}
	}
	return res, nil
}

// Active reports an introspection result's active member.
func (r *Result) Active() bool { a, _ := r.Members["active"].(bool); return a }

// Revoke asks the revocation endpoint to revoke a token (RFC 7009 §2.1). Success is HTTP 200, also for
// tokens the server does not know (§2.2).
func (c *Client) Revoke(ctx context.Context, token, hint string) error {
	endpoint, err := c.endpoints(ctx, "revocation", func(e Endpoints) string { return e.Revocation })
	if err != nil {
		return err
	}
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	r, err := c.postForm(ctx, "revoke", endpoint, form, true)
	if err != nil {
		return err
	}
	return bodilessSuccess(r, http.StatusOK, "revocation endpoint", "RFC 7009 §2.2 says success is 200")
}

// bodilessSuccess judges an answer whose success carries nothing to read: the status want is
// success; any other is the endpoint's error (decodeJSON), or an unexpected status, which rule
// explains.
func bodilessSuccess(r response, want int, endpoint, rule string) error {
	if r.status == want {
		return nil
	}
	var ignored map[string]any
	if err := decodeJSON(r, endpoint, &ignored); err != nil {
		return err
	}
	return &Error{Kind: KindUnexpectedStatus, Detail: fmt.Sprintf("the %s answered HTTP %d; %s", endpoint, r.status, rule)}
}

// LogoutURL builds the RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0 §2).
// postLogoutRedirect and state are optional; idTokenHint is recommended, and left out when the
// provider takes none (LogoutTakesIDTokenHint). postLogoutRedirect goes in the parameter the
// configuration's LogoutRedirectParam names.
func (c *Client) LogoutURL(ctx context.Context, idTokenHint, postLogoutRedirect, state string) (string, error) {
	endpoint, err := c.endpoints(ctx, "end session", func(e Endpoints) string { return e.EndSession })
	if err != nil {
		return "", err
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", &Error{Kind: KindMissingEndpoint, Detail: "bad end session endpoint URL " + endpoint, Err: err}
	}
	q := u.Query()
	q.Set("client_id", c.Config.ClientID)
	if !c.LogoutTakesIDTokenHint() {
		idTokenHint = ""
	}
	for k, v := range map[string]string{"id_token_hint": idTokenHint, c.LogoutRedirectParameter(): postLogoutRedirect, "state": state} {
		if v != "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// LogoutTakesIDTokenHint reports whether the logout URL carries the id_token as id_token_hint: it
// does unless the configuration says the provider takes none (LogoutWithoutIDTokenHint).
func (c *Client) LogoutTakesIDTokenHint() bool { return !c.Config.LogoutWithoutIDTokenHint }

// LogoutRedirectParameter is the logout URL's parameter that carries the post-logout redirect:
// post_logout_redirect_uri (OpenID Connect RP-Initiated Logout 1.0 §2), unless the configuration
// names the vendor's own (AWS Cognito: logout_uri).
func (c *Client) LogoutRedirectParameter() string {
	if c.Config.LogoutRedirectParam != "" {
		return c.Config.LogoutRedirectParam
	}
	return "post_logout_redirect_uri"
}
