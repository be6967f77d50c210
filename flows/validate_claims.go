package flows

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

// The claim checks of Verify that are not about time (validate_time.go): iss, sub, aud and azp,
// nonce, and the at_hash / c_hash half-hashes (OpenID Connect Core §3.1.3.7, §3.3.2.11).

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
	case isIssuerTemplate(v.want.Issuer):
		return v.issTemplate(iss)
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

// issTemplate checks iss against a multi-tenant issuer template, the expected issuer when the
// provider's discovery document names one (the Microsoft identity platform's common and
// organizations endpoints: https://login.microsoftonline.com/{tenantid}/v2.0). Each token names
// its tenant in the tid claim; iss must then be the template with that tenant, exactly (OpenID
// Connect Core §3.1.3.7 item 2), so a token whose iss and tid name different tenants fails.
func (v *verification) issTemplate(iss string) Check {
	tmpl := v.want.Issuer
	tid, present, ok := v.stringClaim(tenantClaim)
	switch {
	case !present:
		return fail("iss", KindIssMismatch, "the expected issuer is the multi-tenant template %q, which the token's %s claim (its tenant ID) fills, but the token has no %s claim, so iss %q cannot be checked against it", tmpl, tenantClaim, tenantClaim, iss)
	case !ok:
		return fail("iss", KindIssMismatch, "the expected issuer is the multi-tenant template %q, which the token's %s claim fills, but %s is %s, not a string", tmpl, tenantClaim, tenantClaim, jsonTypeName(v.j.Claims[tenantClaim]))
	}
	want, filled := fillIssuerTemplate(tmpl, tid)
	switch {
	case !filled:
		return fail("iss", KindIssMismatch, "the expected issuer is the multi-tenant template %q, but the token's %s %q cannot name a tenant in it (it is empty or holds characters that would change the URL)", tmpl, tenantClaim, tid)
	case iss == want:
		return passText("iss", "iss "+strconv.Quote(iss)+" matches the multi-tenant issuer template "+strconv.Quote(tmpl)+" with "+tenantClaim+" "+strconv.Quote(tid))
	}
	return fail("iss", KindIssMismatch, "iss is %q, but the multi-tenant issuer template %q with the token's %s %q gives %q: the token's iss and its tenant do not agree (the match must be exact, OpenID Connect Core §3.1.3.7)", iss, tmpl, tenantClaim, tid, want)
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

// quoteList renders strings as a quoted, comma-separated list, and an empty list as "[]".
func quoteList(ss []string) string {
	if len(ss) == 0 {
		return "[]"
	}
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
	// An empty array is still an array of strings (RFC 7519 §4.1.3): it is checked like any other.
	case !isArray && auds == nil || isArray && len(auds) != len(raw.([]any)):
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
