package flows

import (
	"context"
	"fmt"
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
	// "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time", "clock_skew", and first "decryption"
	// for a JWE.
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
	// Token is the decoded token; nil when it could not be decoded. For an encrypted token it is the
	// decrypted JWS once decryption passed.
	Token *JWT
	// Encrypted is the JWE as received when Token was decrypted from it; nil otherwise.
	Encrypted *JWT
	Checks    []Check
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
	// expected when present. An Issuer holding {tenantid} is a multi-tenant template
	// (https://login.microsoftonline.com/{tenantid}/v2.0): iss must be it filled with the token's
	// tid claim.
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
	// DecryptionKey is the client's private key that decrypts an encrypted token (JWE); nil: an
	// encrypted token fails the decryption check.
	DecryptionKey *jose.JSONWebKey
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
		return v.skipRest(r, "the token could not be decoded")
	}
	r.Token, v.j = j, j
	if j.Kind == JWTKindJWE {
		return v.verifyEncrypted(r)
	}
	return v.verifySigned(r)
}

// verifyEncrypted decrypts a JWE with the decryption key (the first check, "decryption") and then
// makes every check of a plain JWS on the content: an id_token or a JARM response is signed, then
// encrypted (OpenID Connect Core §10.2, JARM §2.3, RFC 7519 §5.2 nested JWT). The report's Token
// is the decrypted JWS and Encrypted the JWE as received.
func (v *verification) verifyEncrypted(r Report) Report {
	outer := v.j
	plain, dec := decryptJWE(outer, v.want.DecryptionKey)
	r.Checks = append(r.Checks, dec)
	if plain == nil {
		r.Checks = append(r.Checks, pass("format", "a JWE (encrypted token) with alg %s and enc %s", outer.Alg(), outer.Enc()))
		return v.skipRest(r, "the token could not be decrypted, so its content cannot be checked")
	}
	inner, err := DecodeJWT(string(plain))
	if err == nil && inner.Kind != JWTKindJWS {
		err = malformed("the content is another JWE; tokenbench decrypts one layer")
	}
	if err != nil {
		_, detail := errKindDetail(err, KindMalformedJWT)
		r.Checks = append(r.Checks, fail("format", KindMalformedJWT, "the decrypted content is not a signed JWT, as an encrypted token must be (signed, then encrypted: OpenID Connect Core §10.2): %s", detail))
		return v.skipRest(r, "the decrypted content is not a signed JWT")
	}
	r.Token, r.Encrypted, v.j = inner, outer, inner
	return v.verifySigned(r)
}

// skipRest reports every check after format as skipped, saying why, and ends with the clock skew.
func (v *verification) skipRest(r Report, why string) Report {
	for _, n := range append([]string{"typ", "alg", "signature"}, claimCheckNames...) {
		r.Checks = append(r.Checks, skip(n, "%s", why))
	}
	r.Checks = append(r.Checks, v.clockSkew())
	return r
}

// verifySigned makes every check on a decoded JWS, appending to r.
func (v *verification) verifySigned(r Report) Report {
	add := func(c ...Check) { r.Checks = append(r.Checks, c...) }
	j := v.j
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

// ValidateIDToken checks an id_token from this client's provider (OpenID Connect Core §3.1.3.7).
// Empty fields of exp are filled in: Issuer from the provider's metadata or configuration
// (ExpectedIssuer: a multi-tenant issuer template when discovery found one), Audience and AuthorizedParty from the client_id, ClientSecret from the configuration, and
// AllowedAlgs from the metadata's id_token_signing_alg_values_supported when it has been
// discovered. The signature is checked against the provider's JWKS (Keys), the times with the
// client's clock (Now) and allowance (Skew).
func (c *Client) ValidateIDToken(ctx context.Context, raw string, exp Expect) Report {
	var meta *Metadata
	if strings.TrimSpace(c.Config.Issuer) != "" && (c.Config.Endpoints.JWKS == "" || exp.Issuer == "") {
		// The JWKS needs discovery when none is configured, and the expected issuer is the one
		// discovery found (OpenID Connect Core §3.1.3.7 item 2), which may differ from the
		// configured one: a trailing slash, or a multi-tenant template such as Entra ID's
		// https://login.microsoftonline.com/{tenantid}/v2.0 for the common tenant. Discovery is
		// cached; a failure shows on the signature or iss check.
		meta, _ = c.Discover(ctx)
	} else {
		meta = c.knownMetadata()
	}
	exp.IDToken = true
	if exp.Issuer == "" {
		exp.Issuer = c.ExpectedIssuer()
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
	if exp.DecryptionKey == nil {
		exp.DecryptionKey = c.Config.DecryptionKey
	}
	if len(exp.AllowedAlgs) == 0 && meta != nil {
		exp.AllowedAlgs = meta.IDTokenSigningAlgs
	}
	return Verify(ctx, raw, c.Keys(), exp, c.now(), c.Skew)
}
