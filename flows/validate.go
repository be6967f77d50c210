package flows

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The failure kinds of token validation; a failed Check carries one, and each has an explanation in
// assets. KindMalformedJWT and KindIssMismatch (errors.go) are used too.
const (
	KindSignatureInvalid  Kind = "signature_invalid"
	KindUnknownKID        Kind = "unknown_kid"
	KindAlgNone           Kind = "alg_none"
	KindAlgNotAllowed     Kind = "alg_not_allowed"
	KindTokenExpired      Kind = "token_expired"
	KindTokenNotYetValid  Kind = "token_not_yet_valid"
	KindIssuedInFuture    Kind = "issued_in_future"
	KindAudienceMismatch  Kind = "audience_mismatch"
	KindAZPMismatch       Kind = "azp_mismatch"
	KindAtHashMismatch    Kind = "at_hash_mismatch"
	KindCHashMismatch     Kind = "c_hash_mismatch"
	KindNonceMismatch     Kind = "nonce_mismatch"
	KindClockSkew         Kind = "clock_skew"
	KindJWENotDecryptable Kind = "jwe_not_decryptable"
	// KindMissingClaim is a claim the token must carry and does not (OpenID Connect Core §2).
	KindMissingClaim Kind = "missing_claim"
	// KindTokenTypeMismatch is a token of another type, by its typ header, used as an id_token
	// (RFC 8725 §3.11).
	KindTokenTypeMismatch Kind = "token_type_mismatch"
	// KindAuthTimeTooOld is an authentication older than the max_age that was requested
	// (OpenID Connect Core §3.1.2.1).
	KindAuthTimeTooOld Kind = "auth_time_too_old"
	// KindMalformedJWKS is a JWK Set that is not usable: not JSON, no "keys" array, or no key
	// go-jose can read (RFC 7517 §5).
	KindMalformedJWKS Kind = "malformed_jwks"
)

// CheckStatus is the outcome of one check.
type CheckStatus string

// The check outcomes.
const (
	CheckPass    CheckStatus = "pass"
	CheckFail    CheckStatus = "fail"
	CheckSkipped CheckStatus = "skipped"
)

// Check is one validation check on a token.
type Check struct {
	// Name is the check: "format", "typ", "alg", "signature", "iss", "sub", "aud", "azp", "exp",
	// "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time", "clock_skew", or "decrypt" for a JWE.
	Name   string
	Status CheckStatus
	// Detail is a plain sentence saying what was found; a skipped check's starts "skipped: " and says
	// why.
	Detail string
	// Kind names the failure, for its explanation in assets; it is empty unless Status is fail.
	Kind Kind
}

// Report is every check on one token, in the order they were made.
type Report struct {
	// Token is the decoded token; nil when it could not be decoded.
	Token  *JWT
	Checks []Check
}

// OK reports whether no check failed.
func (r Report) OK() bool { return len(r.Failed()) == 0 }

// Failed returns the checks that failed.
func (r Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == CheckFail {
			out = append(out, c)
		}
	}
	return out
}

// Find returns the check with that name.
func (r Report) Find(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// Expect is what a token is checked against. Empty fields are not checked.
type Expect struct {
	// Issuer is the expected iss; Audience the client_id aud must contain; AuthorizedParty the azp
	// expected when present.
	Issuer          string
	Audience        string
	AuthorizedParty string
	// Nonce is the nonce sent in the authorization request; AccessToken and Code are checked against
	// at_hash and c_hash; MaxAge is the max_age sent (0: none).
	Nonce       string
	AccessToken string
	Code        string
	MaxAge      time.Duration
	// AllowedAlgs are the acceptable signature algorithms, normally the provider's
	// id_token_signing_alg_values_supported. Empty means any asymmetric algorithm go-jose can verify,
	// and the HMAC ones when ClientSecret is set; "none" is never accepted.
	AllowedAlgs []string
	// ClientSecret verifies HS256/384/512-signed tokens (OpenID Connect Core §10.1).
	ClientSecret string
	// ServerDate is the Date header of the response that carried the token, to measure the clock
	// difference with the provider; zero means unknown. ReceivedAt is when this machine received
	// that response; zero means the validation time.
	ServerDate time.Time
	ReceivedAt time.Time
	// IDToken applies the id_token rules of OpenID Connect Core §2 and §3.1.3.7: iss, sub, aud, exp
	// and iat are required.
	IDToken bool
}

// defaultAlgs are the asymmetric algorithms go-jose verifies, accepted when no list is given.
var defaultAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// hmacAlgs are the symmetric algorithms, keyed by the client secret.
var hmacAlgs = []string{"HS256", "HS384", "HS512"}

// claimCheckNames are the checks that read the claims, in report order.
var claimCheckNames = []string{"iss", "sub", "aud", "azp", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time"}

func pass(name, format string, args ...any) Check {
	return Check{Name: name, Status: CheckPass, Detail: fmt.Sprintf(format, args...)}
}

// passText is pass without formatting, for the checks every valid token goes through.
func passText(name, detail string) Check {
	return Check{Name: name, Status: CheckPass, Detail: detail}
}

func fail(name string, kind Kind, format string, args ...any) Check {
	return Check{Name: name, Status: CheckFail, Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

func skip(name, format string, args ...any) Check {
	return Check{Name: name, Status: CheckSkipped, Detail: "skipped: " + fmt.Sprintf(format, args...)}
}

// verification carries one Verify call's inputs.
type verification struct {
	ctx  context.Context
	keys KeySource
	want Expect
	now  time.Time
	skew time.Duration
	j    *JWT
}

// Verify decodes a token and makes every check on it, each reported separately with why: format,
// typ, alg, signature (against keys, by kid; nil keys skip it), then the claims against exp, with
// skew as the allowance on time checks and now as the current time (zero: time.Now). It never
// stops at the first failure, so a report shows everything that is wrong.
func Verify(ctx context.Context, raw string, keys KeySource, exp Expect, now time.Time, skew time.Duration) Report {
	if now.IsZero() {
		now = time.Now()
	}
	v := &verification{ctx: ctx, keys: keys, want: exp, now: now.UTC(), skew: skew}
	j, err := DecodeJWT(raw)
	r := Report{Checks: make([]Check, 0, 17)}
	add := func(c ...Check) { r.Checks = append(r.Checks, c...) }
	if err != nil {
		_, detail := errKindDetail(err, KindMalformedJWT)
		add(fail("format", KindMalformedJWT, "%s", detail))
		for _, n := range append([]string{"typ", "alg", "signature"}, claimCheckNames...) {
			add(skip(n, "the token could not be decoded"))
		}
		add(v.clockSkew())
		return r
	}
	r.Token, v.j = j, j
	if j.Kind == JWTKindJWE {
		add(pass("format", "a JWE (encrypted token) with alg %s and enc %s", j.Alg(), j.Enc()),
			fail("decrypt", KindJWENotDecryptable, "the token is encrypted, and tokenbench holds no decryption key, so none of its claims can be read or checked (an encrypted id_token is decrypted with the client's private key, OpenID Connect Core §10.2)"),
			skip("alg", "the token is encrypted: its alg %s is a key-management algorithm, not a signature", j.Alg()),
			skip("signature", "encrypted, tokenbench holds no decryption key"))
		for _, n := range claimCheckNames {
			add(skip(n, "the claims are encrypted"))
		}
		add(v.clockSkew())
		return r
	}
	add(passText("format", "a JWS (signed token) with alg "+j.Alg()+kidPhrase(j.Kid())+" and "+plural(len(j.Claims), "claim")))
	add(v.typ(), v.alg(), v.signature(), v.iss(), v.sub())
	add(v.aud()...)
	add(v.exp(), v.iat(), v.nbf(), v.nonce(),
		v.halfHash("at_hash", v.want.AccessToken, "access token", KindAtHashMismatch, "OpenID Connect Core §3.1.3.6"),
		v.halfHash("c_hash", v.want.Code, "authorization code", KindCHashMismatch, "OpenID Connect Core §3.3.2.11"),
		v.authTime(), v.clockSkew())
	return r
}

// plural renders a count with its noun: "1 claim", "3 claims".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

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
		return skip("signature", "no JWKS or issuer given, so the signature was not verified")
	default:
		var err error
		key, refetched, err = v.keys.Key(v.ctx, kid, alg)
		if err != nil {
			if slices.Contains(hmacAlgs, alg) {
				return skip("signature", "the token is HMAC-signed (%s) with the client secret (OpenID Connect Core §10.1), and no client secret was given", alg)
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

// stringClaim is a claim's string value, whether it is present, and whether it is a string.
func (v *verification) stringClaim(name string) (s string, present, isString bool) {
	raw, present := v.j.Claims[name]
	s, isString = raw.(string)
	return s, present, isString
}

func (v *verification) iss() Check {
	iss, present, ok := v.stringClaim("iss")
	switch {
	case !present && v.want.IDToken:
		return fail("iss", KindMissingClaim, "the token has no iss claim, which an id_token must carry (OpenID Connect Core §2)")
	case !present:
		return skip("iss", "the token has no iss claim")
	case !ok:
		return fail("iss", KindIssMismatch, "iss is %s, not a string", jsonTypeName(v.j.Claims["iss"]))
	case v.want.Issuer == "":
		return skip("iss", "no expected issuer was given; the token says %q", iss)
	case iss == v.want.Issuer:
		return passText("iss", "iss "+strconv.Quote(iss)+" is the expected issuer")
	}
	// OpenID Connect Core §3.1.3.7 item 2: the issuer must match exactly.
	hint := ""
	if strings.TrimSuffix(iss, "/") == strings.TrimSuffix(v.want.Issuer, "/") {
		hint = "; they differ only by a trailing slash, which still counts, as the match must be exact (OpenID Connect Core §3.1.3.7)"
	} else if strings.EqualFold(iss, v.want.Issuer) {
		hint = "; they differ only in case, which still counts, as the match must be exact (OpenID Connect Core §3.1.3.7)"
	}
	return fail("iss", KindIssMismatch, "iss is %q, but the expected issuer is %q%s", iss, v.want.Issuer, hint)
}

func (v *verification) sub() Check {
	sub, present, ok := v.stringClaim("sub")
	switch {
	case !present && v.want.IDToken:
		return fail("sub", KindMissingClaim, "the token has no sub claim, which an id_token must carry (OpenID Connect Core §2)")
	case !present:
		return skip("sub", "the token has no sub claim")
	case !ok:
		return fail("sub", KindMalformedJWT, "sub is %s, not a string (RFC 7519 §4.1.2)", jsonTypeName(v.j.Claims["sub"]))
	case sub == "" && v.want.IDToken:
		return fail("sub", KindMissingClaim, "sub is empty; an id_token's subject identifier must not be (OpenID Connect Core §2)")
	}
	return passText("sub", "the subject is "+strconv.Quote(sub))
}

// quoteList renders strings as a quoted, comma-separated list.
func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// aud returns the aud and azp checks, which depend on each other (OpenID Connect Core §3.1.3.7 items
// 3 to 5).
func (v *verification) aud() []Check {
	raw, present := v.j.Claims["aud"]
	auds := v.j.Audience()
	azp, azpPresent, azpOK := v.stringClaim("azp")
	var audCheck Check
	switch _, isArray := raw.([]any); {
	case !present && v.want.IDToken:
		audCheck = fail("aud", KindMissingClaim, "the token has no aud claim, which an id_token must carry (OpenID Connect Core §2)")
	case !present:
		audCheck = skip("aud", "the token has no aud claim")
	case auds == nil || isArray && len(auds) != len(raw.([]any)):
		audCheck = fail("aud", KindAudienceMismatch, "aud is %s, not a string or an array of strings (RFC 7519 §4.1.3)", jsonTypeName(raw))
	case v.want.Audience == "":
		audCheck = skip("aud", "no client_id was given to look for; aud is %s", quoteList(auds))
	case slices.Contains(auds, v.want.Audience):
		audCheck = passText("aud", "aud "+quoteList(auds)+" contains the client_id "+strconv.Quote(v.want.Audience))
		if len(auds) > 1 && !azpPresent {
			audCheck.Detail += "; with several audiences the token should also carry azp (OpenID Connect Core §3.1.3.7 item 4), and it does not"
		}
	default:
		audCheck = fail("aud", KindAudienceMismatch, "aud is %s and does not contain the client_id %q: the token was issued to another client", quoteList(auds), v.want.Audience)
	}
	var azpCheck Check
	switch {
	case !azpPresent && len(auds) > 1:
		azpCheck = skip("azp", "no azp claim, though the token has %d audiences and OpenID Connect Core §3.1.3.7 item 4 says it should then carry one", len(auds))
	case !azpPresent && len(auds) == 1:
		azpCheck = skip("azp", "no azp claim, which is fine with a single audience")
	case !azpPresent:
		azpCheck = skip("azp", "no azp claim")
	case !azpOK:
		azpCheck = fail("azp", KindAZPMismatch, "azp is %s, not a string", jsonTypeName(v.j.Claims["azp"]))
	case v.want.AuthorizedParty == "":
		azpCheck = skip("azp", "no client_id was given to compare with; azp is %q", azp)
	case azp == v.want.AuthorizedParty:
		// OpenID Connect Core §3.1.3.7 item 5.
		azpCheck = passText("azp", "azp "+strconv.Quote(azp)+" is the client_id")
	default:
		azpCheck = fail("azp", KindAZPMismatch, "azp is %q, but the client_id is %q: the token was issued to another client (OpenID Connect Core §3.1.3.7 item 5)", azp, v.want.AuthorizedParty)
	}
	return []Check{audCheck, azpCheck}
}

func (v *verification) nonce() Check {
	nonce, present, ok := v.stringClaim("nonce")
	switch {
	case v.want.Nonce == "" && present:
		return skip("nonce", "no nonce was sent in the authorization request (the token carries %s)", describeValue(v.j.Claims["nonce"]))
	case v.want.Nonce == "":
		return skip("nonce", "no nonce was sent in the authorization request")
	case !present:
		// OpenID Connect Core §3.1.3.7 item 11: a nonce sent must come back.
		return fail("nonce", KindNonceMismatch, "a nonce was sent in the authorization request, but the token has no nonce claim (OpenID Connect Core §3.1.3.7 item 11)")
	case !ok:
		return fail("nonce", KindNonceMismatch, "nonce is %s, not a string", jsonTypeName(v.j.Claims["nonce"]))
	case nonce == v.want.Nonce:
		return passText("nonce", "nonce "+strconv.Quote(nonce)+" is the one sent in the authorization request")
	}
	return fail("nonce", KindNonceMismatch, "nonce is %q, but the authorization request sent %q: the token answers another request, or was replayed", nonce, v.want.Nonce)
}

// claimHash returns the left half of the hash of value, base64url-encoded, with the hash of the
// token's alg (OpenID Connect Core §3.1.3.6 at_hash, §3.3.2.11 c_hash). For EdDSA (Ed25519) the
// hash is SHA-512, as the OpenID Connect working group settled (issue 1125).
func claimHash(alg, value string) (string, string, bool) {
	var sum []byte
	var name string
	switch {
	case alg == "EdDSA" || strings.HasSuffix(alg, "512"):
		s := sha512.Sum512([]byte(value))
		sum, name = s[:], "SHA-512"
	case strings.HasSuffix(alg, "384"):
		s := sha512.Sum384([]byte(value))
		sum, name = s[:], "SHA-384"
	case strings.HasSuffix(alg, "256"):
		s := sha256.Sum256([]byte(value))
		sum, name = s[:], "SHA-256"
	default:
		return "", "", false
	}
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), name, true
}

// halfHash checks at_hash against the access token or c_hash against the code.
func (v *verification) halfHash(name, value, what string, kind Kind, section string) Check {
	claim, present, ok := v.stringClaim(name)
	switch {
	case value == "" && present:
		return skip(name, "no %s was given to compare %s with", what, name)
	case value == "":
		return skip(name, "no %s was given, and the token has no %s claim", what, name)
	case !present:
		return skip(name, "the token has no %s claim; it is optional when the %s comes from the token endpoint (%s)", name, what, section)
	case !ok:
		return fail(name, kind, "%s is %s, not a string", name, jsonTypeName(v.j.Claims[name]))
	}
	want, hashName, known := claimHash(v.j.Alg(), value)
	switch {
	case !known:
		return skip(name, "alg %q defines no hash to compute %s with", v.j.Alg(), name)
	case claim == want:
		return passText(name, name+" "+strconv.Quote(claim)+" is the left half of the "+hashName+" hash of the "+what+" ("+section+")")
	}
	return fail(name, kind, "%s is %q, but the %s given hashes to %q (left half of %s, %s): the %s and the id_token did not come from the same response", name, claim, what, want, hashName, section, what)
}

// ValidateIDToken checks an id_token from this client's provider (OpenID Connect Core §3.1.3.7).
// Empty fields of exp are filled in: Issuer from the provider's metadata or configuration,
// Audience and AuthorizedParty from the client_id, ClientSecret from the configuration, and
// AllowedAlgs from the metadata's id_token_signing_alg_values_supported when it has been
// discovered. The signature is checked against the provider's JWKS (Keys), the times with the
// client's clock (Now) and allowance (Skew).
func (c *Client) ValidateIDToken(ctx context.Context, raw string, exp Expect) Report {
	var meta *Metadata
	if strings.TrimSpace(c.Config.Issuer) != "" && c.Config.Endpoints.JWKS == "" {
		// The JWKS needs discovery anyway; a failure shows on the signature check.
		meta, _ = c.Discover(ctx)
	} else {
		c.mu.Lock()
		meta = c.meta
		c.mu.Unlock()
	}
	exp.IDToken = true
	if exp.Issuer == "" {
		exp.Issuer = c.issuer()
	}
	if exp.Audience == "" {
		exp.Audience = c.Config.ClientID
	}
	if exp.AuthorizedParty == "" {
		exp.AuthorizedParty = c.Config.ClientID
	}
	if exp.ClientSecret == "" {
		exp.ClientSecret = c.Config.ClientSecret
	}
	if len(exp.AllowedAlgs) == 0 && meta != nil {
		exp.AllowedAlgs = meta.IDTokenSigningAlgs
	}
	return Verify(ctx, raw, c.Keys(), exp, c.now(), c.Skew)
}
