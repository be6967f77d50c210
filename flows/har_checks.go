package flows

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// The checks a HAR file allows: state and nonce round trips, PKCE, redirect_uri consistency,
// RFC 9207 iss, every error explained, every token decoded and checked, time gaps, and cookies a
// browser would have dropped.

// codeLifetimeWarning and codeLifetimeMax bound the time between an authorization response and
// the token request redeeming its code: RFC 6749 §4.1.2 recommends a lifetime of 10 minutes at
// most, and many providers use 30 seconds to 5 minutes.
const (
	codeLifetimeWarning = 30 * time.Second
	codeLifetimeMax     = 10 * time.Minute
)

var (
	inputTagRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?is)<input\b[^>]*>`) })
	attrRE     = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)\b(name|value)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))`)
	})
)

// formPostFields are the hidden fields of an auto-submitting form_post page (OAuth 2.0 Form Post
// Response Mode §2), or none.
func formPostFields(body []byte) url.Values {
	v := url.Values{}
	if len(body) == 0 || !strings.Contains(strings.ToLower(string(body[:min(len(body), 1<<20)])), "<form") {
		return v
	}
	for _, tag := range inputTagRE().FindAll(body[:min(len(body), 1<<20)], 200) {
		var name, value string
		for _, m := range attrRE().FindAllSubmatch(tag, -1) {
			val := string(m[2]) + string(m[3]) + string(m[4])
			if strings.EqualFold(string(m[1]), "name") {
				name = html.UnescapeString(val)
			} else {
				value = html.UnescapeString(val)
			}
		}
		if name != "" {
			v.Add(name, value)
		}
	}
	return v
}

// add adds a finding of area "flow" about an entry.
func (h *HARFlow) add(status FindingStatus, check, summary, meaning, action, code string) {
	h.Findings = append(h.Findings, Finding{Area: "flow", Check: check, Status: status, Summary: summary, Meaning: meaning, Action: action, Code: code})
}

// check runs every check on the steps found.
func (h *HARFlow) check() {
	if len(h.Steps) == 0 {
		h.add(FindingUnknown, "oauth", fmt.Sprintf("no OAuth or OpenID Connect exchange among the %d entries", len(h.Exchanges)),
			"the file was recorded before the login, or without the provider's pages (a filter, another tab)",
			"record again: open the developer tools, tick Preserve log, then start the login", "")
		return
	}
	h.add(FindingOK, "oauth", fmt.Sprintf("%d OAuth exchanges among %d entries", len(h.Steps), len(h.Exchanges)), "", "", "")
	for _, s := range h.Steps {
		if s.Error != nil {
			h.add(FindingFailed, "error", fmt.Sprintf("#%d %s: %s", s.Entry, s.Kind, describeOAuth(s.Error)), "", "", s.Error.Code)
		}
	}
	h.roundTrips()
	h.tokens(context.Background(), nil)
	h.cookies()
}

// roundTrips pairs each authorization request with the response and the token request that
// follow it, and checks what must match.
func (h *HARFlow) roundTrips() {
	for i, s := range h.Steps {
		if s.Kind != HARAuthorization {
			continue
		}
		req := s.Params
		resp, token := h.next(i, HARCallback, HARFormPost), h.next(i, HARToken)
		if resp == nil && h.continued(i) {
			continue // a login or consent page posted the request on: checked there
		}
		h.pkce(s)
		if resp == nil {
			h.noResponse(s)
			continue
		}
		h.state(s, *resp)
		h.iss(*resp)
		if token != nil && resp.Params.Has("code") {
			h.redirectURI(s, *token)
			h.codeAge(*resp, *token)
			h.verifier(req, *token)
		}
	}
}

// continued reports whether the i-th step, an authorization request, is sent on by the next
// step: the same request again (a login or consent page posting it back to the authorization
// endpoint), with the same client_id and state.
func (h *HARFlow) continued(i int) bool {
	if i+1 >= len(h.Steps) {
		return false
	}
	a, b := h.Steps[i].Params, h.Steps[i+1].Params
	return h.Steps[i+1].Kind == HARAuthorization && a.Get("client_id") == b.Get("client_id") && a.Get("state") == b.Get("state")
}

// noResponse reports an authorization request that no response follows: an error page when the
// provider answered one (RFC 6749 §4.1.2.1: it must not redirect when the client_id or the
// redirect_uri is wrong), else an unfinished login.
func (h *HARFlow) noResponse(s HARStep) {
	x := s.Exchange
	if x.Status < 400 {
		h.add(FindingUnknown, "response", fmt.Sprintf("#%d: no authorization response follows the request", s.Entry),
			"the user did not finish, the provider showed an error page, or the recording stopped", "look at the last pages of the file", "")
		return
	}
	text := pageText(x.ResponseBody, 200)
	code, action := "invalid_request", "read the page: it names the parameter the provider refused"
	if redirectURIPageRE().MatchString(text) {
		code = "redirect_uri_mismatch"
		action = fmt.Sprintf("register %s for client %s exactly, or send one that is registered", s.Params.Get("redirect_uri"), s.Params.Get("client_id"))
	}
	h.add(FindingFailed, "authorization", fmt.Sprintf("#%d: the provider answered the authorization request with an error page (%d): %s", s.Entry, x.Status, text),
		"a provider shows an error instead of redirecting back when it cannot trust the client_id or the redirect_uri (RFC 6749 §4.1.2.1)", action, code)
}

// redirectURIPageRE tells an error page about the redirect URI.
var redirectURIPageRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)redirect[_ ]?ur[il]`) })

// next is the first step after the i-th of one of the kinds, before the next authorization
// request; nil when there is none.
func (h *HARFlow) next(i int, kinds ...string) *HARStep {
	for j := i + 1; j < len(h.Steps); j++ {
		if h.Steps[j].Kind == HARAuthorization {
			return nil
		}
		for _, k := range kinds {
			if h.Steps[j].Kind == k {
				return &h.Steps[j]
			}
		}
	}
	return nil
}

// state checks the state round trip (RFC 6749 §4.1.2, §10.12).
func (h *HARFlow) state(req, resp HARStep) {
	sent, got := req.Params.Get("state"), resp.Params.Get("state")
	switch {
	case sent == "":
		h.add(FindingFailed, "state", fmt.Sprintf("#%d: the authorization request has no state", req.Entry),
			"nothing ties the response to this browser: a CSRF attacker can inject their own code (RFC 6749 §10.12)", "have the client send a random state and check it", "")
	case got == sent:
		h.add(FindingOK, "state", fmt.Sprintf("#%d → #%d: state came back unchanged", req.Entry, resp.Entry), "", "", "")
	default:
		h.add(FindingFailed, "state", fmt.Sprintf("#%d → #%d: state %q was sent and %q came back", req.Entry, resp.Entry, sent, got),
			"the client must refuse this response", "", string(KindStateMismatch))
	}
}

// iss checks RFC 9207's iss parameter of the authorization response.
func (h *HARFlow) iss(resp HARStep) {
	iss := resp.Params.Get("iss")
	want := ""
	if h.Metadata != nil {
		want = h.Metadata.Issuer
	}
	switch {
	case iss == "" && h.Metadata != nil && h.Metadata.IssParameterSupported:
		h.add(FindingFailed, "iss", fmt.Sprintf("#%d: the provider advertises RFC 9207 but the response has no iss", resp.Entry), "", "", string(KindIssMismatch))
	case iss == "":
		h.add(FindingUnknown, "iss", fmt.Sprintf("#%d: the authorization response has no iss (RFC 9207)", resp.Entry),
			"a client using several providers cannot tell which one answered (mix-up, RFC 9700 §4.4)", "", "")
	case want == "" || iss == want:
		h.add(FindingOK, "iss", fmt.Sprintf("#%d: the response names the issuer %s", resp.Entry, iss), "", "", "")
	default:
		h.add(FindingFailed, "iss", fmt.Sprintf("#%d: the response names the issuer %q, the metadata %q", resp.Entry, iss, want),
			"a client checking RFC 9207 refuses it: the response may come from another provider", "", string(KindIssMismatch))
	}
}

// pkce checks the authorization request's code challenge (RFC 7636 §4.3, RFC 9700 §2.1.1).
func (h *HARFlow) pkce(s HARStep) {
	if !strings.Contains(s.Params.Get("response_type"), "code") && !s.Params.Has("request_uri") {
		return
	}
	switch m := s.Params.Get("code_challenge_method"); {
	case s.Params.Has("request_uri") && !s.Params.Has("code_challenge"):
		h.add(FindingUnknown, "pkce", fmt.Sprintf("#%d: the request was pushed (PAR): its PKCE parameters are in the push", s.Entry), "", "", "")
	case !s.Params.Has("code_challenge"):
		h.add(FindingFailed, "pkce", fmt.Sprintf("#%d: the authorization request has no code_challenge", s.Entry),
			"an intercepted code can be redeemed by anyone (RFC 9700 §2.1.1 requires PKCE)", "have the client send code_challenge with S256", "")
	case m == "S256":
		h.add(FindingOK, "pkce", fmt.Sprintf("#%d: PKCE with S256", s.Entry), "", "", "")
	default:
		h.add(FindingFailed, "pkce", fmt.Sprintf("#%d: PKCE with method %q, not S256", s.Entry, orNone(m)),
			"plain sends the verifier itself, so the challenge protects nothing when the request is seen (RFC 7636 §7.2)", "use S256", "")
	}
}

// verifier checks the token request's code_verifier against the challenge (RFC 7636 §4.6).
func (h *HARFlow) verifier(req url.Values, token HARStep) {
	ch, v := req.Get("code_challenge"), token.Params.Get("code_verifier")
	switch {
	case ch == "":
	case v == "":
		h.add(FindingFailed, "code_verifier", fmt.Sprintf("#%d: the token request has no code_verifier", token.Entry),
			"the provider refuses the code with invalid_grant", "", "invalid_grant")
	case v == Redacted || strings.Contains(v, "redacted"):
	case req.Get("code_challenge_method") == "S256":
		sum := sha256.Sum256([]byte(v))
		if base64.RawURLEncoding.EncodeToString(sum[:]) == ch {
			h.add(FindingOK, "code_verifier", fmt.Sprintf("#%d: code_verifier matches the code_challenge", token.Entry), "", "", "")
		} else {
			h.add(FindingFailed, "code_verifier", fmt.Sprintf("#%d: code_verifier does not match the code_challenge", token.Entry),
				"the client sent another login's verifier (two tabs, a stale session); the provider answers invalid_grant", "", "invalid_grant")
		}
	}
}

// redirectURI checks that the token request repeats the authorization request's redirect_uri
// (RFC 6749 §4.1.3).
func (h *HARFlow) redirectURI(req, token HARStep) {
	a, t := req.Params.Get("redirect_uri"), token.Params.Get("redirect_uri")
	switch {
	case a == "" && t == "":
	case a == t:
		h.add(FindingOK, "redirect_uri", fmt.Sprintf("#%d and #%d send the same redirect_uri", req.Entry, token.Entry), "", "", "")
	default:
		h.add(FindingFailed, "redirect_uri", fmt.Sprintf("#%d sends redirect_uri %q, the token request #%d %q", req.Entry, a, token.Entry, t),
			"the provider refuses the code with invalid_grant (RFC 6749 §4.1.3: it must be identical)", "send the same redirect_uri in both", "invalid_grant")
	}
}

// codeAge reports the time between the response carrying the code and the token request.
func (h *HARFlow) codeAge(resp, token HARStep) {
	start, end := resp.Exchange.Started, token.Exchange.Started
	if start.IsZero() || end.IsZero() {
		return
	}
	gap := end.Sub(start)
	failed := token.Error != nil && token.Error.Code == "invalid_grant"
	switch {
	case gap > codeLifetimeMax || (failed && gap > codeLifetimeWarning):
		h.add(FindingFailed, "code_age", fmt.Sprintf("the code of #%d was redeemed %s later, at #%d", resp.Entry, fmtDuration(gap), token.Entry),
			"authorization codes live minutes at most (RFC 6749 §4.1.2 recommends 10): it had likely expired", "redeem the code at once; look for what delays the client", "invalid_grant")
	case failed:
		h.add(FindingUnknown, "code_age", fmt.Sprintf("the code of #%d was redeemed %s later, at #%d, and refused with invalid_grant", resp.Entry, fmtDuration(gap), token.Entry),
			"too soon for a usual code lifetime: the provider's clock or a code lifetime of seconds, a code used twice, or a redirect_uri or code_verifier that does not match",
			"read the error_description, and the provider's log for that request", "")
	case gap > codeLifetimeWarning:
		h.add(FindingUnknown, "code_age", fmt.Sprintf("the code of #%d was redeemed %s later, at #%d", resp.Entry, fmtDuration(gap), token.Entry),
			"some providers' codes live 30 seconds", "", "")
	default:
		h.add(FindingOK, "code_age", fmt.Sprintf("the code of #%d was redeemed %s later", resp.Entry, fmtDuration(gap)), "", "", "")
	}
}

// harTokenNames are the members that carry JWTs worth checking.
var harTokenNames = []string{"id_token", "access_token", "logout_token"}

// tokens decodes and checks every JWT the steps carry: token responses, front-channel responses
// and id_token_hint. keys verifies signatures; nil means the JWK Set found in the file, if any.
func (h *HARFlow) tokens(ctx context.Context, keys KeySource) {
	if keys == nil && h.jwks != nil {
		keys, _ = ParseStaticKeys(h.jwks, "the HAR file")
	}
	h.Tokens = nil
	// nonce and clientID are the authorization request's the steps follow, or the token
	// request's client_id (in the form or HTTP Basic).
	nonce, clientID := "", ""
	for _, s := range h.Steps {
		switch s.Kind {
		case HARAuthorization:
			nonce, clientID = s.Params.Get("nonce"), s.Params.Get("client_id")
		case HARToken:
			if id := requestClientID(s); id != "" {
				clientID = id
			}
		}
		var found map[string]string
		switch s.Kind {
		case HARToken:
			found = stringMembers(jsonObject(s.Exchange.ResponseBody))
		case HARCallback, HARFormPost:
			found = map[string]string{"id_token": s.Params.Get("id_token"), "access_token": s.Params.Get("access_token")}
		default:
			continue
		}
		for _, name := range harTokenNames {
			raw := found[name]
			if strings.Count(raw, ".") < 2 || strings.Contains(raw, "redacted") {
				continue
			}
			if name != "id_token" && strings.Count(raw, ".") == 4 {
				continue // an encrypted access token is the resource server's to read, not the client's (RFC 9068 §1, RFC 6749 §1.4)
			}
			exp := Expect{ServerDate: serverDate(s.Exchange), ReceivedAt: s.Exchange.Started}
			if name == "id_token" {
				exp.IDToken, exp.Nonce, exp.Audience = true, nonce, clientID
				if h.Metadata != nil {
					exp.Issuer, exp.AllowedAlgs = h.Metadata.Issuer, h.Metadata.IDTokenSigningAlgs
				}
				exp.AccessToken = found["access_token"]
				if exp.AccessToken == "" || strings.Contains(exp.AccessToken, "redacted") {
					exp.AccessToken = ""
				}
			}
			rep := Verify(ctx, raw, keys, exp, s.Exchange.Started, DefaultSkew)
			if name != "id_token" && rep.Token == nil {
				continue // an opaque access token
			}
			h.Tokens = append(h.Tokens, HARJWT{Entry: s.Entry, Name: name, Report: rep})
		}
	}
	h.Findings = slices.DeleteFunc(h.Findings, func(f Finding) bool { return f.Check == "token" })
	for _, t := range h.Tokens {
		failed := t.Report.Failed()
		switch {
		case len(failed) > 0:
			for _, c := range failed {
				h.add(FindingFailed, "token", fmt.Sprintf("#%d %s: %s: %s", t.Entry, t.Name, c.Name, c.Detail), "", "", string(c.Kind))
			}
		case !t.Report.SignatureVerified():
			h.add(FindingUnknown, "token", fmt.Sprintf("#%d %s: every check passed but the signature was not verified", t.Entry, t.Name),
				"the file has no JWK Set for it", "run again with --fetch-keys to fetch the provider's keys", "")
		default:
			h.add(FindingOK, "token", fmt.Sprintf("#%d %s: every check passed, signature verified", t.Entry, t.Name), "", "", "")
		}
	}
}

// VerifyTokens checks every token of the file again with keys, such as the provider's JWK Set
// fetched over the network (RemoteKeys), replacing the earlier token findings.
func (h *HARFlow) VerifyTokens(ctx context.Context, keys KeySource) {
	h.tokens(ctx, keys)
}

// JWKSURL is where the provider's keys are, from the metadata in the file or the issuer of a
// token in it; empty when the file says neither.
func (h *HARFlow) JWKSURL() string {
	if h.Metadata != nil && h.Metadata.JWKS != "" {
		return h.Metadata.JWKS
	}
	return ""
}

// HasJWKS reports whether the file holds a JWK Set, against which tokens were verified.
func (h *HARFlow) HasJWKS() bool { return h.jwks != nil }

// Issuer is the issuer the file names: its metadata's, else the first token's iss.
func (h *HARFlow) Issuer() string {
	if h.Metadata != nil {
		return h.Metadata.Issuer
	}
	for _, t := range h.Tokens {
		if t.Report.Token != nil {
			if iss := t.Report.Token.ClaimString("iss"); iss != "" {
				return iss
			}
		}
	}
	return ""
}

// requestClientID is the client_id a token request names: in its form, or as the user of its
// HTTP Basic credentials (RFC 6749 §2.3.1: form-encoded before they are joined).
func requestClientID(s HARStep) string {
	if id := s.Params.Get("client_id"); id != "" {
		return id
	}
	req := http.Request{Header: s.Exchange.RequestHeader}
	if user, _, ok := req.BasicAuth(); ok {
		if id, err := url.QueryUnescape(user); err == nil {
			return id
		}
		return user
	}
	return ""
}

// stringMembers are the string members of a JSON object.
func stringMembers(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// serverDate is an answer's Date header, or zero.
func serverDate(x Exchange) time.Time {
	t, _ := http.ParseTime(x.ResponseHeader.Get("Date"))
	return t
}

// cookies reports cookies a browser would have refused to store, or would not send where the flow
// needs them.
func (h *HARFlow) cookies() {
	formPost := false
	for _, s := range h.Steps {
		if s.Kind == HARAuthorization && strings.HasPrefix(s.Params.Get("response_mode"), "form_post") {
			formPost = true
		}
	}
	for _, x := range h.Exchanges {
		u, err := url.Parse(x.URL)
		if err != nil {
			continue
		}
		for _, line := range x.ResponseHeader.Values("Set-Cookie") {
			for part := range strings.SplitSeq(line, "\n") { // some exports join several with newlines
				c, err := http.ParseSetCookie(strings.TrimSpace(part))
				if err != nil {
					continue
				}
				h.cookie(x, u, c, part, formPost)
			}
		}
	}
}

// cookie checks one Set-Cookie (RFC 6265bis §4.1, §5.7; the SameSite rules browsers apply).
func (h *HARFlow) cookie(x Exchange, u *url.URL, c *http.Cookie, raw string, formPost bool) {
	where := fmt.Sprintf("#%d cookie %s from %s", x.ID, c.Name, u.Host)
	secureContext := u.Scheme == "https" || isLoopback(u)
	noneAttr := c.SameSite == http.SameSiteNoneMode
	switch {
	case noneAttr && !c.Secure:
		h.add(FindingFailed, "cookie", where+": SameSite=None without Secure",
			"browsers refuse to store it (Chrome since version 80): the session it carries is lost", "add Secure (and serve over https)", "")
	case c.Secure && !secureContext:
		h.add(FindingFailed, "cookie", where+": Secure, set over plain http",
			"browsers refuse a Secure cookie from an insecure origin", "serve the site over https", "")
	case strings.HasPrefix(c.Name, "__Host-") && (!c.Secure || c.Domain != "" || c.Path != "/"):
		h.add(FindingFailed, "cookie", where+": a __Host- cookie without Secure, with a Domain, or with a Path other than /",
			"browsers refuse it (RFC 6265bis §4.1.3.2)", "", "")
	case strings.HasPrefix(c.Name, "__Secure-") && !c.Secure:
		h.add(FindingFailed, "cookie", where+": a __Secure- cookie without Secure", "browsers refuse it (RFC 6265bis §4.1.3.1)", "", "")
	case c.Domain != "" && !domainMatches(u.Hostname(), c.Domain):
		h.add(FindingFailed, "cookie", fmt.Sprintf("%s: Domain=%s does not cover %s", where, c.Domain, u.Hostname()),
			"browsers refuse a cookie for another site (third-party)", "", "")
	case formPost && !noneAttr && !strings.Contains(strings.ToLower(raw), "samesite"):
		h.add(FindingUnknown, "cookie", where+": no SameSite attribute, and the flow uses response_mode=form_post",
			"browsers treat it as SameSite=Lax and do not send it with the provider's cross-site POST to the redirect URI: a session or state cookie set before the login is missing at the callback",
			"set SameSite=None; Secure on cookies the callback needs", "")
	}
}

// domainMatches reports whether host is domain or a subdomain of it (RFC 6265 §5.1.3).
func domainMatches(host, domain string) bool {
	host, domain = strings.ToLower(host), strings.ToLower(strings.TrimPrefix(domain, "."))
	return host == domain || strings.HasSuffix(host, "."+domain)
}
