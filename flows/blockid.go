package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// DirectAuthorizePath is where BlockID serves its direct authorize, under the issuer.
const DirectAuthorizePath = "/v1/authorize"

// DirectAuthorizeEndpoint is the URL DirectAuthorize posts to: the configured authorization endpoint
// when one is set (given explicitly, or a profile's or the blockid preset's, which is this same URL),
// else {issuer}/v1/authorize. The discovered authorization_endpoint is never used: it is the page a
// browser opens, and a provider's direct authorize, when it has one, is a separate API.
func (c *Client) DirectAuthorizeEndpoint() (string, error) {
	if e := strings.TrimSpace(c.Config.Endpoints.Authorization); e != "" {
		return e, nil
	}
	iss := strings.TrimRight(c.issuer(), "/")
	if iss == "" {
		return "", &Error{Kind: KindMissingEndpoint, Detail: "the direct authorize posts to {issuer}" + DirectAuthorizePath + ": give the issuer, or the endpoint itself (--authorization-endpoint)"}
	}
	return iss + DirectAuthorizePath, nil
}

// DirectAuthorize performs the BlockID-style direct authorization: the authorization request is POSTed
// to DirectAuthorizeEndpoint with a proof_of_authentication_jwt instead of opening a browser, and the
// answer (303, or 200) carries the authorization response in its Location, which is read without
// being followed. The parameters returned go to VerifyCallback like a browser's.
func (c *Client) DirectAuthorize(ctx context.Context, req *AuthRequest, proofJWT string) (url.Values, error) {
	endpoint, err := c.DirectAuthorizeEndpoint()
	if err != nil {
		return nil, err
	}
	form := url.Values{}
	for _, k := range []string{"client_id", "response_type", "scope", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method"} {
		if v := req.Params.Get(k); v != "" {
			form.Set(k, v)
		}
	}
	form.Set("proof_of_authentication_jwt", proofJWT)
	r, err := c.postForm(ctx, "direct authorize", endpoint, form, false)
	if err != nil {
		return nil, err
	}
	loc := r.header.Get("Location")
	if loc == "" {
		var ignored map[string]any
		if err := decodeJSON(r, "direct authorize endpoint", &ignored); err != nil {
			return nil, err
		}
		return nil, &Error{Kind: KindMissingCode, Detail: fmt.Sprintf("the direct authorize endpoint answered HTTP %d without a Location header", r.status)}
	}
	if r.status != http.StatusSeeOther && r.status != http.StatusFound && r.status != http.StatusOK {
		return nil, &Error{Kind: KindUnexpectedStatus, Detail: fmt.Sprintf("the direct authorize endpoint answered HTTP %d (expected 303 or 200)", r.status)}
	}
	params, _, err := ParseCallback(loc)
	var fe *Error
	if errors.As(err, &fe) && fe.Kind == KindMissingCode {
		return nil, &Error{Kind: KindMissingCode, Detail: "the direct authorize answer's Location has neither code nor error: " + redactURL(loc)}
	}
	return params, err
}
