package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
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
}

// UserInfo calls the userinfo endpoint with the access token as a bearer token (OpenID Connect Core
// §5.3, RFC 6750 §2.1). A refusal comes back as an *OAuthError read from WWW-Authenticate (RFC 6750 §3).
func (c *Client) UserInfo(ctx context.Context, accessToken string) (*Result, error) {
	endpoint, err := c.endpoints(ctx, "userinfo", func(e Endpoints) string { return e.UserInfo })
	if err != nil {
		return nil, err
	}
	r, err := c.resourceRequest(WithStep(ctx, "userinfo"), http.MethodGet, endpoint, "application/json, application/jwt", accessToken, nil, nil)
	if err != nil {
		return nil, err
	}
	if oe := bearerChallenge(r, "userinfo endpoint"); oe != nil {
		return nil, oe
	}
	if mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); mt == "application/jwt" && r.status == http.StatusOK {
		j, err := c.openUserInfoJWT(string(bytes.TrimSpace(r.body)))
		if err != nil {
			return nil, err
		}
		return &Result{Status: r.status, Members: j.Claims, Body: r.body, JWT: j}, nil
	}
	return jsonResult(r, "userinfo endpoint")
}

// openUserInfoJWT decodes an application/jwt userinfo answer, decrypting it with the client's
// decryption key when it is a JWE. OpenID Connect Core §5.3.2 lets the provider sign, encrypt, or
// both (signed, then encrypted), so the plaintext is a JWS or the claims' JSON.
func (c *Client) openUserInfoJWT(raw string) (*JWT, error) {
	j, err := DecodeJWT(raw)
	if err != nil || j.Kind != JWTKindJWE {
		return j, err
	}
	plain, check := decryptJWE(j, c.Config.DecryptionKey)
	if plain == nil {
		return nil, &Error{Kind: check.Kind, Detail: "the userinfo answer: " + check.Detail}
	}
	if bytes.HasPrefix(bytes.TrimSpace(plain), []byte("{")) {
		if j.Claims, err = decodeObject(plain, "decrypted userinfo"); err != nil {
			return nil, err
		}
		j.Payload = plain
		return j, nil
	}
	return DecodeJWT(string(plain))
}

// challengeParam matches one auth-param of a WWW-Authenticate challenge (RFC 9110 §11.2).
var challengeParam = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"|(\w+)=([^\s,]+)`)

// bearerChallenge reads an RFC 6750 §3 error from a 401 or 403 answer's WWW-Authenticate header.
func bearerChallenge(r response, endpoint string) *OAuthError {
	if r.status != http.StatusUnauthorized && r.status != http.StatusForbidden {
		return nil
	}
	oe := &OAuthError{Status: r.status, Endpoint: endpoint}
	for _, m := range challengeParam.FindAllStringSubmatch(r.header.Get("WWW-Authenticate"), -1) {
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
	if r.status == http.StatusOK {
		return nil
	}
	var ignored map[string]any
	if err := decodeJSON(r, "revocation endpoint", &ignored); err != nil {
		return err
	}
	return &Error{Kind: KindUnexpectedStatus, Detail: fmt.Sprintf("the revocation endpoint answered HTTP %d; RFC 7009 §2.2 says success is 200", r.status)}
}

// LogoutURL builds the RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0 §2).
// postLogoutRedirect and state are optional; idTokenHint is recommended.
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
	for k, v := range map[string]string{"id_token_hint": idTokenHint, "post_logout_redirect_uri": postLogoutRedirect, "state": state} {
		if v != "" {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
