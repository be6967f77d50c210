package flows

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// KindRequestObjectSigning is a request object tokenbench could not sign: no key and no secret, or
// a key that does not fit the algorithm. It has an entry in assets/explanations.yaml.
const KindRequestObjectSigning Kind = "request_object_signing_failed"

// RequestObjectType is the typ of request objects (RFC 9101 §4, §10.8).
const RequestObjectType = "oauth-authz-req+jwt"

// requestObjectLifetime is how long a request object is valid: long enough for a slow sign-in
// page, short enough that a leaked one is soon useless.
const requestObjectLifetime = 5 * time.Minute

// SignRequestObject makes a signed request object (RFC 9101 §4) of the authorization parameters:
// every parameter as a claim (one value as a string, several as an array), with iss the client_id,
// aud the issuer, iat, nbf, exp and a fresh jti, typed oauth-authz-req+jwt. It is signed with the
// private_key_jwt key and its algorithm, or, without a key, with HS256 (or the HMAC SigningAlg) and
// the client secret.
func (c *Client) SignRequestObject(ctx context.Context, params url.Values) (string, error) {
	cfg := c.Config
	var key jose.SigningKey
	switch {
	case cfg.SigningKey != nil:
		alg := cfg.SigningAlg
		if alg == "" || alg[0] == 'H' {
			alg = DefaultAlg(cfg.SigningKey)
		}
		key = jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: cfg.SigningKey}
	case cfg.ClientSecret != "":
		var err error
		if key, err = secretSigningKey(cfg.ClientSecret, cfg.SigningAlg, "request object"); err != nil {
			return "", err
		}
	default:
		return "", &Error{Kind: KindRequestObjectSigning, Detail: "a request object must be signed: give the private_key_jwt signing key (--signing-key) or a client secret (HS256)"}
	}
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType(RequestObjectType))
	if err != nil {
		return "", &Error{Kind: KindRequestObjectSigning, Detail: fmt.Sprintf("cannot sign the request object with %s: %v", key.Algorithm, err), Err: err}
	}
	aud := c.issuer()
	if aud == "" {
		// Without an issuer there is nothing better to name than the authorization endpoint.
		if aud, err = c.endpoints(ctx, "authorization", func(e Endpoints) string { return e.Authorization }); err != nil {
			return "", err
		}
	}
	claims := map[string]any{}
	for k, vs := range params {
		if len(vs) == 1 {
			claims[k] = vs[0]
		} else {
			claims[k] = append([]string(nil), vs...)
		}
	}
	now := c.Now()
	std := jwt.Claims{
		Issuer:    cfg.ClientID,
		Audience:  jwt.Audience{aud},
		ID:        randomValue(),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		Expiry:    jwt.NewNumericDate(now.Add(requestObjectLifetime)),
	}
	s, err := jwt.Signed(signer).Claims(claims).Claims(std).Serialize()
	if err != nil {
		return "", &Error{Kind: KindRequestObjectSigning, Detail: fmt.Sprintf("cannot sign the request object with %s: %v", key.Algorithm, err), Err: err}
	}
	return s, nil
}
