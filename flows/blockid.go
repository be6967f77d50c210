package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DirectAuthorizePath is where BlockID serves its direct authorize, under the issuer.
const DirectAuthorizePath = "/v1/authorize"

// KindProofJWT is a proof_of_authentication_jwt the direct authorize cannot use: expired before it
// was sent, or refused by the provider with HTTP 401. It has an entry in assets/explanations.yaml.
const KindProofJWT Kind = "proof_jwt_rejected"

// checkProofJWT refuses to send a proof whose exp has passed (beyond the clock-skew allowance): the
// provider would answer a bare 401. A proof that is not a JWT is sent as it is; the provider judges.
func (c *Client) checkProofJWT(proof string) error {
	j, err := DecodeJWT(proof)
	if err != nil {
		return nil
	}
	exp, ok := j.ClaimTime("exp")
	if now := c.Now(); ok && now.After(exp.Add(c.Skew)) {
		return &Error{Kind: KindProofJWT, Detail: fmt.Sprintf("the proof_of_authentication_jwt expired at %s, %s ago, so it was not sent: get a fresh one from the authentication that produced it",
			exp.UTC().Format(time.DateTime+" UTC"), now.Sub(exp).Round(time.Second))}
	}
	return nil
}

// proofRefused describes a 401 from the direct authorize: the provider authenticated the request by
// its proof JWT and refused it.
func proofRefused(r response) error {
	d := "the direct authorize endpoint answered HTTP 401: the provider refused the proof_of_authentication_jwt (expired, signed for another community or client, or revoked)"
	var body struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(r.body, &body) == nil && (body.Message != "" || body.Error != "") {
		d += fmt.Sprintf("; it said %q", strings.TrimSpace(body.Message+" "+body.Error))
	}
	return &Error{Kind: KindProofJWT, Detail: d}
}

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

// NewDirectAuthRequest builds the authorization request DirectAuthorize posts: as NewAuthRequest
// does, for DirectAuthorizeEndpoint, so that no discovery is needed (BlockID's tenant hosts often
// have none). The redirect URI must be given, in the configuration: the provider puts the code in a
// Location on it, and no listener waits there, so a loopback placeholder with port 0 would be sent
// as it is and refused.
func (c *Client) NewDirectAuthRequest(ctx context.Context) (*AuthRequest, error) {
	endpoint, err := c.DirectAuthorizeEndpoint()
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(c.Config.RedirectURI); c.Config.RedirectURI == "" || err != nil || u.Port() == "0" {
		return nil, &Error{Kind: KindMissingEndpoint, Detail: fmt.Sprintf("the direct authorize needs the client's registered redirect URI (%q is not one): the provider answers with a Location on it and no browser or listener is involved", c.Config.RedirectURI)}
	}
	return c.newAuthRequest(ctx, endpoint, "")
}

// DirectAuthorize performs the BlockID-style direct authorization: the authorization request is POSTed
// to DirectAuthorizeEndpoint with a proof_of_authentication_jwt instead of opening a browser, and the
// answer (303, or 200) carries the authorization response in its Location, which is read without
// being followed, or (BlockID's documented 200) in the url member of a JSON body. A proof JWT whose
// exp has passed is not sent, and a 401 is explained as the proof's refusal. The parameters returned go to VerifyCallback like a browser's.
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
	if err := c.checkProofJWT(proofJWT); err != nil {
		return nil, err
	}
	form.Set("proof_of_authentication_jwt", proofJWT)
	r, err := c.postForm(ctx, "direct authorize", endpoint, form, false)
	if err != nil {
		return nil, err
	}
	if r.status == http.StatusUnauthorized {
		return nil, proofRefused(r)
	}
	loc := r.header.Get("Location")
	if loc == "" && r.status == http.StatusOK {
		// BlockID's documented answer is a 200 with the redirect in a JSON member:
		// {"statusCode": 200, "url": "https://…?code=…&state=…"}.
		var answer struct {
			URL string `json:"url"`
		}
		if body, _ := withoutBOM(r.body); json.Unmarshal(body, &answer) == nil {
			loc = answer.URL
		}
	}
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
