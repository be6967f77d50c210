package flows

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ResponseTypes are the response_type values tokenbench knows (RFC 6749 §3.1.1, OpenID Connect Core
// §3, OAuth 2.0 Multiple Response Type Encoding Practices §5): the code flow, the implicit flow and
// the hybrid flow. Another value is sent as given and its response taken as it comes.
var ResponseTypes = []string{"code", "code id_token", "id_token", "id_token token", "code token", "code id_token token"}

// ResponseModes are the response_mode values tokenbench can receive on its loopback listener:
// query, fragment (OAuth 2.0 Multiple Response Type Encoding Practices §2.1), form_post (OAuth 2.0
// Form Post Response Mode §2) and the JWT-secured ones of JARM (§2.3).
var ResponseModes = []string{"query", "fragment", "form_post", "jwt", "query.jwt", "fragment.jwt", "form_post.jwt"}

// NormalizeResponseType puts a response_type's words in the order of ResponseTypes ("id_token code"
// becomes "code id_token") and reports whether it is one of them.
func NormalizeResponseType(s string) (string, bool) {
	words := strings.Fields(s)
	set := map[string]bool{}
	for _, w := range words {
		set[w] = true
	}
	for _, rt := range ResponseTypes {
		known := strings.Fields(rt)
		if len(known) != len(set) || len(known) != len(words) {
			continue
		}
		if !slices.ContainsFunc(known, func(w string) bool { return !set[w] }) {
			return rt, true
		}
	}
	return strings.Join(words, " "), false
}

// IsJARMMode reports whether a response_mode asks for a JWT-secured response (JARM §2.3).
func IsJARMMode(mode string) bool { return mode == "jwt" || strings.HasSuffix(mode, ".jwt") }

// hasWord reports whether a space-separated value, such as response_type, contains word.
func hasWord(value, word string) bool { return slices.Contains(strings.Fields(value), word) }

// ResponseType is the response_type sent, "code" when none was.
func (r *AuthRequest) ResponseType() string {
	if rt := r.Params.Get("response_type"); rt != "" {
		return rt
	}
	return "code"
}

// ResponseMode is the response_mode sent; empty when none was (the response type's default: query
// for code, fragment for the others).
func (r *AuthRequest) ResponseMode() string { return r.Params.Get("response_mode") }

// authParams are AuthParams with ResponseType and ResponseMode added, unless AuthParams already names
// them.
func (c ClientConfig) authParams() url.Values {
	if c.ResponseType == "" && c.ResponseMode == "" {
		return c.AuthParams
	}
	v := maps.Clone(c.AuthParams)
	if v == nil {
		v = url.Values{}
	}
	if c.ResponseType != "" && !v.Has("response_type") {
		v.Set("response_type", c.ResponseType)
	}
	if c.ResponseMode != "" && !v.Has("response_mode") {
		v.Set("response_mode", c.ResponseMode)
	}
	return v
}

// needsNonce reports whether the request carries a nonce: when openid is requested, and always when an
// id_token comes back from the authorization endpoint, where it is required (OpenID Connect Core
// §3.2.2.1, §3.3.2.11).
func (c ClientConfig) needsNonce() bool {
	return c.hasOpenID() || hasWord(c.authParams().Get("response_type"), "id_token")
}

// FrontChannel are the tokens an implicit or hybrid response carries in the authorization response
// itself (OpenID Connect Core §3.2.2.5, §3.3.2.5), and the checks on its id_token.
type FrontChannel struct {
	ResponseType string
	AccessToken  string
	TokenType    string
	ExpiresIn    int64
	IDToken      string
	// IDTokenReport is every check on IDToken, with c_hash against the code and at_hash against the
	// access token; nil when there is no id_token.
	IDTokenReport *Report
}

// verifyFrontChannel checks that the response carries what the response type asks for, and validates
// a front-channel id_token: nonce, c_hash against the code (required with code id_token, OpenID
// Connect Core §3.3.2.11) and at_hash against the access token (required with id_token token, §3.2.2.10).
func (c *Client) verifyFrontChannel(ctx context.Context, req *AuthRequest, res *AuthResponse, bareCode bool) error {
	rt := "code"
	if req != nil && !bareCode {
		rt = req.ResponseType()
	}
	p := res.Params
	if hasWord(rt, "code") && res.Code == "" {
		return &Error{Kind: KindMissingCode, Detail: "the authorization response has neither code nor error"}
	}
	if hasWord(rt, "token") && p.Get("access_token") == "" {
		return &Error{Kind: KindMissingAccessToken, Detail: fmt.Sprintf("the response_type %q asks for an access token in the authorization response, and it has none (parameters: %s)", rt, strings.Join(keys(p), ", "))}
	}
	if hasWord(rt, "id_token") && p.Get("id_token") == "" {
		return &Error{Kind: KindInvalidCallback, Detail: fmt.Sprintf("the response_type %q asks for an id_token in the authorization response, and it has none (parameters: %s)", rt, strings.Join(keys(p), ", "))}
	}
	if !p.Has("access_token") && !p.Has("id_token") {
		return nil
	}
	f := &FrontChannel{ResponseType: rt, AccessToken: p.Get("access_token"), TokenType: p.Get("token_type"), IDToken: p.Get("id_token")}
	f.ExpiresIn, _ = strconv.ParseInt(p.Get("expires_in"), 10, 64)
	res.Front = f
	if f.IDToken == "" {
		return nil
	}
	exp := Expect{Code: res.Code, AccessToken: f.AccessToken}
	if req != nil {
		exp.Nonce = req.Nonce
		if n, err := strconv.Atoi(req.Params.Get("max_age")); err == nil && n > 0 {
			exp.MaxAge = time.Duration(n) * time.Second
		}
	}
	report := c.ValidateIDToken(ctx, f.IDToken, exp)
	if res.Code != "" {
		requireClaim(&report, "c_hash", "the id_token comes from the authorization endpoint with a code, so it must carry c_hash (OpenID Connect Core §3.3.2.11): without it a swapped code goes unnoticed")
	}
	if f.AccessToken != "" {
		requireClaim(&report, "at_hash", "the id_token comes from the authorization endpoint with an access token, so it must carry at_hash (OpenID Connect Core §3.2.2.10, §3.3.2.11)")
	}
	f.IDTokenReport = &report
	return reportError(report, "the id_token in the authorization response")
}

// requireClaim turns the named check into a failure when it was skipped because the token lacks the
// claim.
func requireClaim(r *Report, name, why string) {
	if r.Token == nil || r.Token.Claims == nil {
		return
	}
	if _, present := r.Token.Claims[name]; present {
		return
	}
	for i, c := range r.Checks {
		if c.Name == name && c.Status == CheckSkipped {
			r.Checks[i] = fail(name, KindMissingClaim, "the token has no %s claim: %s", name, why)
		}
	}
}

// reportError is the first failed check of r as an error naming what was checked, or nil.
func reportError(r Report, what string) error {
	failed := r.Failed()
	if len(failed) == 0 {
		return nil
	}
	more := ""
	if len(failed) > 1 {
		more = fmt.Sprintf(" (and %s more)", plural(len(failed)-1, "failed check"))
	}
	return &Error{Kind: failed[0].Kind, Detail: fmt.Sprintf("%s fails its %s check: %s%s", what, failed[0].Name, failed[0].Detail, more)}
}

// fragmentMarker is the form member the fragment page adds when it posts the fragment back.
const fragmentMarker = "tokenbench_fragment"

// fragmentScript reads the response from the URL's fragment, removes it from the address bar and the
// history, and posts it to the same path of the listener: nowhere else.
const fragmentScript = `(function(){var h=location.hash.slice(1);history.replaceState(null,"",location.pathname);` +
	`var f=document.createElement("form");f.method="post";f.action=location.pathname;` +
	`var p=new URLSearchParams(h);p.append("` + fragmentMarker + `","1");` +
	`p.forEach(function(v,k){var i=document.createElement("input");i.type="hidden";i.name=k;i.value=v;f.appendChild(i)});` +
	`document.body.appendChild(f);f.submit()})();`

// fragmentPage is the page the listener answers a callback without parameters with: the response is
// then in the fragment, which browsers never send, and the script hands it back.
var fragmentPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
	`<title>tokenbench</title></head><body><p>Handing the authorization response to tokenbench…</p>` +
	`<noscript><p>JavaScript is off, so this page cannot read the response from the URL's #fragment: copy the URL from the address bar and paste it into tokenbench.</p></noscript>` +
	`<script>` + fragmentScript + `</script></body></html>`

// fragmentCSP allows the page's own script, by its hash, and a form post to the listener only.
var fragmentCSP = func() string {
	sum := sha256.Sum256([]byte(fragmentScript))
	return "default-src 'none'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; form-action 'self'; base-uri 'none'"
}()

// serveFragmentPage answers a GET without parameters on the callback path with the fragment page,
// and reports whether it did.
func serveFragmentPage(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet || len(r.Form) > 0 {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", fragmentCSP)
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(fragmentPage)) //nolint:errcheck // the browser may be gone
	return true
}

// callbackParams are the parameters of a callback: the query, a form_post body, or the fragment the
// fragment page posted back (its marker removed).
func callbackParams(r *http.Request) url.Values {
	if r.Method != http.MethodPost || !r.PostForm.Has(fragmentMarker) {
		return r.Form
	}
	p := maps.Clone(r.Form)
	p.Del(fragmentMarker)
	return p
}

// hasFrontChannelResult reports whether pasted parameters are an implicit response (id_token,
// access_token) or a JARM response (response), which carry no code.
func hasFrontChannelResult(p url.Values) bool {
	return p.Get("id_token") != "" || p.Get("access_token") != "" || p.Get("response") != ""
}
