package flows

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// The header and signature checks of Verify: typ (RFC 8725 §3.11), alg (never none, among the
// allowed), and the signature by kid against the key source.

// kidPhrase names a token's key id in a message: " (kid \"k1\")", or " (no kid)".
func kidPhrase(kid string) string {
	if kid == "" {
		return " (no kid)"
	}
	return " (kid " + strconv.Quote(kid) + ")"
}

// typDescriptions name the explicit token types of RFC 8725 §3.11 that are not id_tokens.
var typDescriptions = map[string]string{
	"at+jwt":                    "a JWT access token (RFC 9068 §2.1)",
	"logout+jwt":                "a logout token (OpenID Connect Back-Channel Logout §2.4)",
	"dpop+jwt":                  "a DPoP proof (RFC 9449 §4.2)",
	"secevent+jwt":              "a security event token (RFC 8417 §2.3)",
	"oauth-authz-req+jwt":       "a request object (RFC 9101 §4)",
	"token-introspection+jwt":   "a JWT introspection response (RFC 9701 §5)",
	"client-authentication+jwt": "a client assertion",
}

func (v *verification) typ() Check {
	raw, present := v.j.Header["typ"]
	typ, isString := raw.(string)
	switch {
	case !present && v.want.IDToken:
		return pass("typ", "no typ header, as usual for an id_token")
	case !present:
		return skip("typ", "no typ header")
	case !isString:
		return fail("typ", KindMalformedJWT, "the typ header is %s, not a string (RFC 7515 §4.1.9)", jsonTypeName(raw))
	}
	// RFC 7515 §4.1.9: media types compare without case, and "application/" may be left out.
	norm := strings.ToLower(typ)
	norm = strings.TrimPrefix(norm, "application/")
	desc, other := typDescriptions[norm]
	switch {
	case v.want.IDToken && other:
		return fail("typ", KindTokenTypeMismatch, "typ is %q: this is %s, not an id_token; accepting one kind of token in place of another is the confusion RFC 8725 §3.11 warns about", typ, desc)
	case norm == "jwt":
		return pass("typ", "typ is %q, a plain JWT", typ)
	case other:
		return pass("typ", "typ is %q: %s", typ, desc)
	case v.want.IDToken:
		return pass("typ", "typ is %q, which OpenID Connect Core does not define for id_tokens", typ)
	}
	return pass("typ", "typ is %q", typ)
}

// allowedAlgs is the effective algorithm list and a phrase saying where it came from.
func (v *verification) allowedAlgs() ([]string, string) {
	if len(v.want.AllowedAlgs) > 0 {
		return v.want.AllowedAlgs, "the provider's advertised algorithms"
	}
	if v.want.ClientSecret != "" {
		return append(slices.Clone(defaultAlgs), hmacAlgs...), "the algorithms tokenbench accepts when the provider advertises none (asymmetric ones, and HMAC with the client secret given)"
	}
	return defaultAlgs, "the asymmetric algorithms tokenbench accepts when the provider advertises none"
}

func (v *verification) alg() Check {
	alg := v.j.Alg()
	if strings.EqualFold(alg, "none") {
		// OpenID Connect Core §3.1.3.7 item 7 and RFC 8725 §3.1: an unsigned token proves nothing.
		return fail("alg", KindAlgNone, "unsigned: alg %s is never acceptable for an id_token (OpenID Connect Core §3.1.3.7, RFC 8725 §3.1): anyone could have written it", alg)
	}
	algs, from := v.allowedAlgs()
	list := strings.Join(algs, ", ")
	if !slices.Contains(algs, alg) {
		if slices.Contains(hmacAlgs, alg) && len(v.want.AllowedAlgs) == 0 {
			return fail("alg", KindAlgNotAllowed, "alg %s is an HMAC algorithm keyed with the client secret (OpenID Connect Core §10.1); the provider advertises no algorithms and no client secret was given, so it is not accepted (accepting it blindly invites the algorithm confusion of RFC 8725 §2.1)", alg)
		}
		return fail("alg", KindAlgNotAllowed, "alg %s is not among %s (%s)", alg, from, list)
	}
	if algFam, _ := algFamily(alg); algFam == "" {
		return fail("alg", KindAlgNotAllowed, "alg %s is listed as acceptable, but go-jose cannot verify it", alg)
	}
	return passText("alg", "alg "+alg+" is among "+from+" ("+list+")")
}

// hashSize is the output size in bytes of the hash an HMAC algorithm uses.
func hashSize(alg string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(alg, "HS"))
	return n / 8
}

func (v *verification) signature() Check {
	alg, kid := v.j.Alg(), v.j.Kid()
	if d := v.j.SignatureDamaged; d != "" {
		return fail("signature", KindSignatureInvalid, "%s, so the signature cannot be checked and nothing in this token can be trusted (a documentation sample with a redacted signature, or a token damaged when copied)", d)
	}
	if strings.EqualFold(alg, "none") {
		return skip("signature", "the token is unsigned (alg %s), so there is no signature to check", alg)
	}
	if fam, _ := algFamily(alg); fam == "" {
		return skip("signature", "go-jose cannot verify alg %q", alg)
	}
	var (
		key       *jose.JSONWebKey
		refetched bool
		note      string
	)
	switch {
	case slices.Contains(hmacAlgs, alg) && v.want.ClientSecret != "":
		if n := len(v.want.ClientSecret); n < hashSize(alg) {
			return fail("signature", KindSignatureInvalid, "the client secret is %d bytes, and %s needs a key of at least %d (RFC 7518 §3.2); go-jose refuses shorter keys, and a provider should not sign with one", n, alg, hashSize(alg))
		}
		key = &jose.JSONWebKey{Key: []byte(v.want.ClientSecret), Algorithm: alg, Use: "sig"}
		note = " keyed with the client secret (OpenID Connect Core §10.1)"
	case v.keys == nil && slices.Contains(hmacAlgs, alg):
		return skip("signature", "the token is HMAC-signed (%s) with the client secret (OpenID Connect Core §10.1), and no client secret was given", alg)
	case v.keys == nil:
		return skip("signature", "no JWKS or issuer given, so the signature was NOT verified and nothing in this token can be trusted yet")
	default:
		var err error
		key, refetched, err = v.keys.Key(v.ctx, kid, alg)
		if err != nil {
			if slices.Contains(hmacAlgs, alg) {
				return skip("signature", "the token is HMAC-signed (%s) with the client secret (OpenID Connect Core §10.1), and no client secret was given", alg)
			}
			if why, ok := v.noJWKSURL(err); ok {
				return skip("signature", "no JWKS URL: %s; set the JWKS URL (--jwks-uri, or the profile's jwks endpoint) to check it. The signature was NOT verified, so nothing in this token can be trusted yet", why)
			}
			kind, detail := errKindDetail(err, KindSignatureInvalid)
			if refetched && !strings.Contains(detail, "again") {
				detail += " (the JWKS was fetched again because the kid was not in the cached one)"
			}
			return fail("signature", kind, "%s", detail)
		}
		note = " by " + keyName(key)
		if refetched {
			note += "; the JWKS was fetched again because the kid was not in the cached one (keys rotate)"
		}
	}
	jws, err := jose.ParseSignedCompact(v.j.Raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil {
		return fail("signature", KindSignatureInvalid, "go-jose could not parse the token to check it: %s", strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
	}
	if _, err := jws.Verify(key); err != nil {
		why := "the token was altered after signing, or signed by another key"
		if strings.Contains(err.Error(), "critical") {
			why = strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
		}
		return fail("signature", KindSignatureInvalid, "the %s signature does not verify%s: %s", alg, note, why)
	}
	return passText("signature", "valid "+alg+" signature"+note)
}

// noJWKSURL says why, when err is the client's key source finding no JWKS URL at all: none is
// configured, and discovery found no metadata (BlockID's tenant host answers every /.well-known/
// path with an HTML page) or metadata without a jwks_uri. That is a check that could not be made,
// so it is skipped, saying why; a JWKS that could not be fetched or read still fails.
func (v *verification) noJWKSURL(err error) (string, bool) {
	rk, ok := v.keys.(remoteKeys)
	if !ok || rk.url != "" || rk.c == nil || rk.c.Config.Endpoints.JWKS != "" {
		return "", false
	}
	var fe *Error
	if !errors.As(err, &fe) {
		return "", false
	}
	issuer := strings.TrimSpace(rk.c.Config.Issuer)
	switch fe.Kind {
	case KindNoDiscovery:
		return "the provider has no discovery document for the issuer " + strconv.Quote(issuer) + " (none of its /.well-known/ URLs answered metadata) and no jwks endpoint is set", true
	case KindMissingEndpoint:
		meta := rk.c.knownMetadata()
		if meta != nil && meta.JWKS == "" {
			return "the provider's metadata at " + meta.Source + " has no jwks_uri and no jwks endpoint is set", true
		}
	}
	return "", false
}

// SignatureVerified reports whether the signature check passed. A report can be OK (no check
// failed) with the signature skipped, when there was no JWKS to check it with: such a token is not
// verified, since anyone could have written its claims, and a verdict must say so.
func (r Report) SignatureVerified() bool {
	c, ok := r.Find("signature")
	return ok && c.Status == CheckPass
}
