package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The userinfo endpoint (OpenID Connect Core §5.3): the call, the verification of an answer that is
// a JWT (§5.3.2, signature per §10.1), and the check that the answer is about the id_token's
// subject (§5.3.2).

// KindUserInfoSubMismatch is a userinfo answer about another subject than the id_token's, or one
// whose subject cannot be compared: OpenID Connect Core §5.3.2 says its values must not be used.
const KindUserInfoSubMismatch Kind = "userinfo_sub_mismatch"

// CheckUserInfoSubject is the name of the check that the userinfo answer's subject is the
// id_token's.
const CheckUserInfoSubject = "sub match"

// UserInfoExpect is what a userinfo answer's subject is checked against.
type UserInfoExpect struct {
	// Subject is the sub of the session's id_token (see IDTokenSubject); empty when there is none,
	// and the check is then skipped.
	Subject string
	// NoSubject says why there is no id_token sub, for the skipped check ("this session has no
	// id_token"); empty gives a general reason.
	NoSubject string
}

// UserInfo calls the userinfo endpoint with the access token as a bearer token (OpenID Connect Core
// §5.3, RFC 6750 §2.1). A refusal comes back as an *OAuthError read from WWW-Authenticate (RFC 6750
// §3). An answer that is a JWT (application/jwt, §5.3.2) is decrypted with the client's decryption
// key when encrypted and verified when signed; the Result's Report has those checks. Its Subject
// compares the answer's subject with want's (the first given; none: the check is skipped).
func (c *Client) UserInfo(ctx context.Context, accessToken string, want ...UserInfoExpect) (*Result, error) {
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
	var res *Result
	if mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); mt == "application/jwt" && r.status == http.StatusOK {
		res, err = c.openUserInfoJWT(ctx, r)
	} else {
		res, err = jsonResult(r, "userinfo endpoint")
	}
	if err != nil {
		return nil, err
	}
	var exp UserInfoExpect
	if len(want) > 0 {
		exp = want[0]
	}
	res.Subject = c.userInfoSubject(res.Members, exp)
	return res, nil
}

// openUserInfoJWT reads and verifies an application/jwt userinfo answer. OpenID Connect Core §5.3.2
// lets the provider sign, encrypt, or both (signed, then encrypted): a JWE is decrypted with the
// client's decryption key first, and its plaintext is a JWS or the claims' JSON. An answer whose
// claims cannot be read at all is an error; everything else is a check in the Report.
func (c *Client) openUserInfoJWT(ctx context.Context, r response) (*Result, error) {
	raw := string(bytes.TrimSpace(r.body))
	j, err := DecodeJWT(raw)
	if err != nil {
		return nil, err
	}
	exp := c.userInfoExpect(ctx, r.header)
	var rep Report
	switch {
	case j.Kind == JWTKindJWS:
		rep = Verify(ctx, raw, c.Keys(), exp, c.now(), c.Skew)
	default:
		plain, dec := decryptJWE(j, c.Config.DecryptionKey)
		if plain == nil {
			return nil, &Error{Kind: dec.Kind, Detail: "the userinfo answer: " + dec.Detail}
		}
		if bytes.HasPrefix(bytes.TrimSpace(plain), []byte("{")) {
			if j.Claims, err = decodeObject(plain, "decrypted userinfo"); err != nil {
				return nil, err
			}
			j.Payload = plain
			rep = encryptedOnlyReport(j, dec)
			break
		}
		inner, err := DecodeJWT(string(plain))
		if err == nil && inner.Kind != JWTKindJWS {
			err = malformed("the decrypted userinfo answer is another JWE; tokenbench decrypts one layer")
		}
		if err != nil {
			return nil, err
		}
		// Signed, then encrypted (OpenID Connect Core §5.3.2, §10.2): the decryption check first,
		// then every check on the JWS inside, as Verify reports a nested token.
		rep = Verify(ctx, inner.Raw, c.Keys(), exp, c.now(), c.Skew)
		rep.Checks = append([]Check{dec}, rep.Checks...)
		rep.Encrypted = j
	}
	rep.Checks = userInfoChecks(rep)
	return &Result{Status: r.status, Members: rep.Token.Claims, Body: r.body, JWT: rep.Token, Report: &rep}, nil
}

// userInfoExpect is what a signed userinfo answer is checked against (OpenID Connect Core §5.3.2):
// iss is the issuer, aud contains the client_id, the signature verifies against the provider's
// keys, or the client secret for HMAC (§10.1), with one of the algorithms in the metadata's
// userinfo_signing_alg_values_supported (Discovery §3) when it lists them. A userinfo JWT need
// not carry exp or iat; the time checks apply when it does.
func (c *Client) userInfoExpect(ctx context.Context, h http.Header) Expect {
	var meta *Metadata
	if strings.TrimSpace(c.Config.Issuer) != "" {
		// The expected issuer is the discovered one; discovery is cached, and a failure shows on
		// the iss or signature check.
		meta, _ = c.Discover(ctx)
	}
	exp := Expect{Issuer: c.issuer(), Audience: c.Config.ClientID, ClientSecret: c.Config.ClientSecret}
	if meta != nil {
		exp.AllowedAlgs = stringList(meta.Raw()["userinfo_signing_alg_values_supported"])
	}
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		// Measured now, as the answer arrives: a JWKS fetch before the checks must not count.
		exp.ServerDate, exp.ReceivedAt = d, c.now()
	}
	return exp
}

// idTokenOnlyChecks are Verify's checks that OpenID Connect Core defines for id_tokens only
// (§3.1.3.7 items 4-5 and 11, §3.1.3.6, §3.3.2.11, §3.1.2.1); a userinfo answer has no azp,
// nonce, hashes or auth_time to check, so they are not part of its report.
var idTokenOnlyChecks = []string{"azp", "nonce", "at_hash", "c_hash", "auth_time"}

// userInfoChecks are a userinfo JWT's checks: Verify's without the id_token-only ones, and an iss or
// aud that is absent says that a signed answer should carry it.
func userInfoChecks(rep Report) []Check {
	out := make([]Check, 0, len(rep.Checks))
	for _, ch := range rep.Checks {
		if slices.Contains(idTokenOnlyChecks, ch.Name) {
			continue
		}
		if _, present := rep.Token.Claims[ch.Name]; ch.Status == CheckSkipped && (ch.Name == "iss" || ch.Name == "aud") && !present && rep.Token.Kind == JWTKindJWS {
			ch.Detail += "; OpenID Connect Core §5.3.2 says a signed userinfo answer should carry it"
		}
		out = append(out, ch)
	}
	return out
}

// encryptedOnlyReport is the report on a userinfo answer the provider encrypted without signing
// (OpenID Connect Core §5.3.2 allows it): decrypted, and nothing else to verify.
func encryptedOnlyReport(j *JWT, dec Check) Report {
	const unsigned = "the answer is encrypted, not signed: "
	return Report{Token: j, Checks: []Check{
		dec,
		pass("format", "a JWE (alg %s, enc %s) whose content is the claims as JSON, not a signed JWT: the provider encrypted the answer without signing it, which OpenID Connect Core §5.3.2 allows", j.Alg(), j.Enc()),
		skip("signature", unsigned+"there is no signature to verify; encryption to the client's key keeps the claims secret but does not prove who wrote them"),
		skip("iss", unsigned+"OpenID Connect Core §5.3.2 asks for iss only in a signed answer"),
		skip("aud", unsigned+"OpenID Connect Core §5.3.2 asks for aud only in a signed answer"),
	}}
}

// userInfoSubject checks that the answer's subject is the id_token's: OpenID Connect Core §5.3.2
// says they must match exactly, and that the answer's values must not be used when they do not.
// The member compared is the client's UserInfoSubjectClaim (sub unless a vendor names it otherwise).
func (c *Client) userInfoSubject(members map[string]any, want UserInfoExpect) Check {
	const name = CheckUserInfoSubject
	member := c.Config.UserInfoSubjectClaim
	if member == "" {
		member = "sub"
	}
	quirk := ""
	if member != "sub" {
		quirk = fmt.Sprintf(" (this provider names the subject %q in userinfo, not sub)", member)
	}
	if want.Subject == "" {
		why := want.NoSubject
		if why == "" {
			why = "no id_token sub was given to compare with"
		}
		return skip(name, "%s, so it is not known whether this answer is about the user an id_token names (OpenID Connect Core §5.3.2)", why)
	}
	raw, present := members[member]
	if !present {
		detail := fmt.Sprintf("the answer has no %q member%s, so it cannot be tied to the id_token's sub %q", member, quirk, want.Subject)
		if member == "sub" {
			detail += "; OpenID Connect Core §5.3.2 says a userinfo answer always carries sub"
		}
		// Nothing ties the answer to the user: its values must not be used (§5.3.2), so it fails.
		return fail(name, KindUserInfoSubMismatch, "%s%s", detail, otherSubjectHint(members, member))
	}
	got, ok := subjectValue(raw)
	switch {
	case !ok:
		return fail(name, KindUserInfoSubMismatch, "userinfo %s is %s, not a string, so it cannot match the id_token's sub %q%s; OpenID Connect Core §5.3.2 says the answer's values must not be used", member, jsonTypeName(raw), want.Subject, quirk)
	case got == want.Subject:
		return pass(name, "userinfo %s %q is the id_token's sub%s (OpenID Connect Core §5.3.2)", member, got, quirk)
	}
	hint := ""
	if strings.EqualFold(got, want.Subject) {
		hint = "; they differ only in case, which still counts, as the match must be exact"
	}
	return fail(name, KindUserInfoSubMismatch, "userinfo %s is %q, but the id_token's sub is %q%s: the answer is about another user, and OpenID Connect Core §5.3.2 says its values must not be used%s", member, got, want.Subject, quirk, hint)
}

// subjectValue is a subject member as a string: a string, or a number (some vendors' id).
func subjectValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

// otherSubjectHint points at the other usual subject member when the expected one is absent: a
// vendor quirk that does not fit this tenant, or a tenant that needs one.
func otherSubjectHint(members map[string]any, member string) string {
	other := "sub"
	if member == "sub" {
		other = "id"
	}
	v, present := members[other]
	if !present {
		return ""
	}
	if member == "sub" {
		return fmt.Sprintf("; it has an id member (%s): some vendors (Huawei OneAccess, Bamboo Cloud IDaaS) name the subject so, which their presets know", describeValue(v))
	}
	return fmt.Sprintf("; it has a sub member (%s): this tenant may name the subject sub after all", describeValue(v))
}

// IDTokenSubject reads the sub of an id_token, decrypting it with the client's decryption key when
// it is a JWE, for UserInfoExpect. Nothing is verified here: that is ValidateIDToken's work.
func (c *Client) IDTokenSubject(idToken string) (string, error) {
	j, err := DecodeJWT(idToken)
	if err != nil {
		return "", err
	}
	if j.Kind == JWTKindJWE {
		plain, dec := decryptJWE(j, c.Config.DecryptionKey)
		if plain == nil {
			return "", &Error{Kind: dec.Kind, Detail: "the id_token: " + dec.Detail}
		}
		if j, err = DecodeJWT(string(plain)); err != nil {
			return "", err
		}
		if j.Kind != JWTKindJWS {
			return "", malformed("the decrypted id_token is another JWE; tokenbench decrypts one layer")
		}
	}
	sub, present := j.Claims["sub"]
	s, ok := sub.(string)
	switch {
	case !present:
		return "", &Error{Kind: KindMissingClaim, Detail: "the id_token has no sub claim, which an id_token must carry (OpenID Connect Core §2)"}
	case !ok || s == "":
		return "", &Error{Kind: KindMalformedJWT, Detail: fmt.Sprintf("the id_token's sub is %s, not a non-empty string (OpenID Connect Core §2)", describeValue(sub))}
	}
	return s, nil
}
