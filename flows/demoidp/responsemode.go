package demoidp

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// supportedResponseTypes are the response types the provider serves: the
// code flow, the implicit flow and the hybrid flow (OIDC Core §3, OAuth 2.0
// Multiple Response Type Encoding Practices §5).
var supportedResponseTypes = []string{"code", "code id_token", "id_token", "id_token token", "code token", "code id_token token"}

// supportedResponseModes are the response modes it can answer in: query,
// fragment, form_post (OAuth 2.0 Form Post Response Mode) and the
// JWT-secured modes of JARM §2.3.
var supportedResponseModes = []string{"query", "fragment", "form_post", "jwt", "query.jwt", "fragment.jwt", "form_post.jwt"}

// jarmLifetime is how long a JARM response JWT is valid (JARM §2.1 asks
// for a short exp; 10 minutes is its suggestion).
const jarmLifetime = 10 * time.Minute

// normalizeResponseType orders a response_type's words as in
// supportedResponseTypes, or returns "" for an unsupported one.
func normalizeResponseType(rt string) string {
	words := strings.Fields(rt)
	for _, s := range supportedResponseTypes {
		known := strings.Fields(s)
		if len(known) == len(words) && !slices.ContainsFunc(words, func(w string) bool { return !slices.Contains(known, w) }) {
			return s
		}
	}
	return ""
}

// responseType is the request's response_type in canonical order; "code"
// when it is missing or unsupported (errors about it go back as for code).
func (req *authzRequest) responseType() string {
	if rt := normalizeResponseType(req.params.Get("response_type")); rt != "" {
		return rt
	}
	return "code"
}

// has reports whether the response type includes word (code, token,
// id_token).
func (req *authzRequest) has(word string) bool {
	return slices.Contains(strings.Fields(req.responseType()), word)
}

// frontChannelTokens reports whether the response type returns tokens from
// the authorization endpoint.
func (req *authzRequest) frontChannelTokens() bool { return req.has("token") || req.has("id_token") }

// responseMode is the mode the response is sent in: the requested one when
// it is supported and allowed for the response type, else the response
// type's default (query for code, fragment otherwise; "jwt" means
// query.jwt or fragment.jwt the same way, JARM §2.3.4).
func (req *authzRequest) responseMode() string {
	def := "query"
	if req.frontChannelTokens() {
		def = "fragment"
	}
	m := req.params.Get("response_mode")
	switch {
	case m == "jwt":
		return def + ".jwt"
	case !slices.Contains(supportedResponseModes, m), modeProblem(req, m) != "":
		return def
	}
	return m
}

// modeProblem says why a supported response mode cannot carry the response
// type's answer, or is "".
func modeProblem(req *authzRequest, m string) string {
	if req.frontChannelTokens() && (m == "query" || m == "query.jwt") {
		// Multiple Response Type Encoding Practices §3.0 and JARM §2.3.1:
		// tokens must not travel in the query, where logs and Referer
		// headers keep them.
		return fmt.Sprintf("response_mode %s cannot be used with response_type %q: tokens must not be sent in the query string (OAuth 2.0 Multiple Response Type Encoding Practices §3.0, JARM §2.3.1); use fragment or form_post", m, req.responseType())
	}
	return ""
}

// parseResponseTypeAndMode checks response_type and response_mode, and the
// nonce and openid scope an id_token from the authorization endpoint needs.
func (req *authzRequest) parseResponseTypeAndMode(q url.Values) *oauthError {
	rt := q.Get("response_type")
	switch {
	case rt == "":
		return badRequest("invalid_request", "response_type is missing")
	case normalizeResponseType(rt) == "":
		return badRequest("unsupported_response_type", fmt.Sprintf("response_type %q is not supported; the provider supports %s", rt, quoteAll(supportedResponseTypes)))
	}
	if m := q.Get("response_mode"); m != "" {
		if !slices.Contains(supportedResponseModes, m) {
			return badRequest("invalid_request", fmt.Sprintf("response_mode %q is not supported; the provider supports %s", m, strings.Join(supportedResponseModes, ", ")))
		}
		if why := modeProblem(req, m); why != "" {
			return badRequest("invalid_request", why)
		}
	}
	if req.has("id_token") {
		if !slices.Contains(strings.Fields(q.Get("scope")), "openid") {
			return badRequest("invalid_scope", fmt.Sprintf("response_type %q returns an id_token, which needs the openid scope (OIDC Core §3.2.2.1)", req.responseType()))
		}
		if q.Get("nonce") == "" {
			return badRequest("invalid_request", fmt.Sprintf("nonce is required with response_type %q, which returns an id_token from the authorization endpoint (OIDC Core §3.2.2.1, §3.3.2.11)", req.responseType()))
		}
	}
	return nil
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// approvedResponse is the successful authorization response for req: a
// code, and for the implicit and hybrid response types an access token and
// an ID token issued at once, the ID token carrying c_hash and at_hash (OIDC
// Core §3.2.2.5, §3.3.2.5, §3.3.2.11).
func (p *Provider) approvedResponse(req *authzRequest, login bool, f Faults) (url.Values, error) {
	params := url.Values{}
	var code, at string
	if req.has("code") {
		code = p.issueCode(req, login, f)
		params.Set("code", code)
		login = false // issueCode has signed the user in
	}
	if !req.frontChannelTokens() {
		return params, nil
	}
	now := p.now()
	p.mu.Lock()
	s := p.signIn(now, login, req.maxAge)
	g := &grant{clientID: req.client.ID, user: demoUser, authTime: s.authTime, sid: s.sid}
	p.mu.Unlock()
	if req.has("token") {
		rec := &accessRecord{grant: g, clientID: g.clientID, scope: req.scope, aud: p.issuer, jti: randomToken(), iat: now, exp: now.Add(accessTokenLifetime)}
		var err error
		if at, err = p.signToken(p.accessTokenClaims(rec), typAccessToken, f); err != nil {
			return nil, err
		}
		p.mu.Lock()
		p.store.access[at] = rec
		p.mu.Unlock()
		params.Set("access_token", at)
		params.Set("token_type", "Bearer")
		params.Set("expires_in", strconv.Itoa(int(accessTokenLifetime/time.Second)))
		params.Set("scope", strings.Join(req.scope, " "))
	}
	if req.has("id_token") {
		claims := p.idTokenClaims(g, req.scope, req.nonce, at, now, f)
		if at == "" {
			delete(claims, "at_hash")
		}
		if code != "" {
			claims["c_hash"] = leftHalfHash(code)
		}
		idt, err := p.idToken(req.client.ID, claims, f)
		if err != nil {
			return nil, err
		}
		params.Set("id_token", idt)
	}
	return params, nil
}

// sendAuthzResponse sends an authorization response (success or error) in
// the request's response mode: a redirect with the parameters in the query
// or the fragment, or an auto-submitting form (form_post); a JARM mode wraps
// them in a signed JWT first.
func (p *Provider) sendAuthzResponse(w http.ResponseWriter, r *http.Request, req *authzRequest, params url.Values, status int, f Faults) {
	queryURL := p.authzResponseURL(req.redirectURI, req.state, params, f) // adds state and iss to params
	mode := req.responseMode()
	if base, ok := strings.CutSuffix(mode, ".jwt"); ok {
		jwt, err := p.jarmResponse(req, params, f)
		if err != nil {
			messagePage(w, http.StatusInternalServerError, "Internal error", err.Error())
			return
		}
		params = url.Values{"response": {jwt}}
		mode = base
		queryURL = withQuery(req.redirectURI, params)
	}
	switch mode {
	case "fragment":
		u, _ := url.Parse(req.redirectURI) // checked by checkRedirectURI already
		u.Fragment, u.RawFragment = "", ""
		http.Redirect(w, r, u.String()+"#"+params.Encode(), status)
	case "form_post":
		formPost(w, req.redirectURI, params)
	default:
		http.Redirect(w, r, queryURL, status)
	}
}

// withQuery adds params to a redirect URI's query, keeping any query it has.
func withQuery(redirectURI string, params url.Values) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return redirectURI
	}
	if u.RawQuery != "" {
		u.RawQuery += "&" + params.Encode()
	} else {
		u.RawQuery = params.Encode()
	}
	return u.String()
}

// formPostPage is the auto-submitting form of the Form Post Response Mode
// (§2): the parameters as hidden fields, posted to the redirect URI.
var formPostPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("form_post").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Submit this form</title></head>
<body><form method="post" action="{{.Action}}">{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><p>JavaScript is off: press Continue to send the response to the application.</p><button type="submit">Continue</button></noscript></form>
<script>document.forms[0].submit()</script></body></html>
`))
})

func formPost(w http.ResponseWriter, action string, params url.Values) {
	var buf bytes.Buffer
	if err := formPostPage().Execute(&buf, struct {
		Action string
		Fields []hiddenField
	}{action, hiddenFields(params)}); err != nil {
		http.Error(w, "internal error: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}
