package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// jarmChecks are the checks of Verify that apply to a JARM response, in report order; the others
// (sub, azp, nonce, at_hash, c_hash, auth_time) concern id_tokens.
var jarmChecks = []string{"decryption", "format", "typ", "alg", "signature", "iss", "aud", "exp", "iat", "nbf", "clock_skew"}

// jwtOnlyClaims are the claims of the response JWT itself, not authorization response parameters.
var jwtOnlyClaims = []string{"aud", "exp", "iat", "nbf", "jti"}

// openJARM verifies a JWT-secured authorization response (JARM §2.4): the response parameter's JWT is
// checked against the provider's JWKS by kid, iss against the issuer, aud against the client_id and
// exp; its claims then stand for the response's parameters. A response that is not JWT-secured
// comes back as it is, except when the request asked for JARM: a plain response is then refused, as
// the provider ignored the request or someone removed the protection.
func (c *Client) openJARM(ctx context.Context, req *AuthRequest, params url.Values) (url.Values, *Report, error) {
	mode := ""
	if req != nil {
		mode = req.ResponseMode()
	}
	wanted := IsJARMMode(mode)
	raw := params.Get("response")
	switch {
	case raw == "" && wanted:
		return params, nil, &Error{Kind: KindInvalidCallback, Detail: fmt.Sprintf("response_mode %s asks for a JWT-secured response (JARM), but the response is plain parameters (%s): the provider ignored response_mode, or the protection was removed on the way", mode, strings.Join(keys(params), ", "))}
	case raw == "", !wanted && (params.Has("code") || params.Has("error")):
		return params, nil, nil
	}
	report := c.VerifyJARM(ctx, raw)
	if err := reportError(report, "the JWT-secured authorization response (JARM)"); err != nil {
		return params, &report, err
	}
	out := url.Values{}
	for k, v := range report.Token.Claims {
		if slices.Contains(jwtOnlyClaims, k) {
			continue
		}
		out.Set(k, claimString(v))
	}
	return out, &report, nil
}

// VerifyJARM checks a JARM response JWT (JARM §2.4): decryption with the client's decryption key
// when it is encrypted (JARM §2.3, signed then encrypted), format, alg among the provider's
// authorization_signing_alg_values_supported, signature against the JWKS by kid, iss equal to the
// issuer, aud containing the client_id, and exp, each reported; iss, aud and exp are required (§2.1).
func (c *Client) VerifyJARM(ctx context.Context, raw string) Report {
	var algs []string
	if strings.TrimSpace(c.Config.Issuer) != "" {
		if meta, err := c.Discover(ctx); err == nil {
			algs = stringList(meta.Raw()["authorization_signing_alg_values_supported"])
		}
	}
	exp := Expect{Issuer: c.issuer(), Audience: c.Config.ClientID, AllowedAlgs: algs, ClientSecret: c.Config.ClientSecret, DecryptionKey: c.Config.DecryptionKey}
	full := Verify(ctx, raw, c.Keys(), exp, c.now(), c.Skew)
	r := Report{Token: full.Token, Encrypted: full.Encrypted}
	for _, name := range jarmChecks {
		if ch, ok := full.Find(name); ok {
			r.Checks = append(r.Checks, ch)
		}
	}
	for _, name := range []string{"iss", "aud", "exp"} {
		requireClaim(&r, name, "a JARM response must carry iss, aud and exp (JARM §2.1)")
	}
	return r
}

// stringList reads a JSON array of strings, as metadata holds.
func stringList(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, x := range arr {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// claimString is a claim as a response parameter: strings as they are, anything else as JSON.
func claimString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
