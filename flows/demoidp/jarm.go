package demoidp

import "net/url"

// jarmResponse wraps an authorization response's parameters in a JWT
// signed with the provider's current key (JARM §2.1): iss, aud (the
// client_id) and exp, plus every parameter, and encrypted when the client
// registered encryption (JARM §2.3). The jarm-bad-signature fault corrupts its
// signature.
func (p *Provider) jarmResponse(req *authzRequest, params url.Values, f Faults) (string, error) {
	claims := map[string]any{}
	for k, v := range params {
		if len(v) > 0 {
			claims[k] = v[0]
		}
	}
	now := p.now()
	claims["iss"] = p.responseIssuer(f)
	claims["aud"] = req.client.ID
	claims["exp"] = now.Add(jarmLifetime).Unix()
	claims["iat"] = now.Unix()
	// The signing faults of ID tokens do not apply: only jarm-bad-signature does.
	jwt, err := p.signToken(claims, typIDToken, Faults{})
	if err != nil {
		return "", err
	}
	if f.JARMBadSignature {
		jwt = corruptSignature(jwt)
	}
	// JARM §2.3: a client registered for encryption gets the JWT signed, then encrypted.
	return req.client.encryption.seal(jwt)
}
