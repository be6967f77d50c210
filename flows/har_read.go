package flows

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Reading a browser's HAR file (HAR 1.2, as Chrome, Firefox, Edge and Safari export it, and as
// Trace.HAR writes it) and finding the OAuth / OpenID Connect exchanges among the rest.

// The limits on a HAR file: a file or an entry count over them is refused with an error that
// names the limit, never cut silently.
const (
	MaxHARBytes   = 256 << 20
	MaxHAREntries = 50000
)

// The kinds of OAuth exchange a HAR entry can be, in the order a flow has them.
const (
	HARDiscovery     = "discovery"
	HARJWKS          = "jwks"
	HARPAR           = "par"
	HARAuthorization = "authorization"
	HARCallback      = "authorization_response"
	HARFormPost      = "form_post_page"
	HARToken         = "token"
	HARUserInfo      = "userinfo"
	HARIntrospection = "introspection"
	HARRevocation    = "revocation"
	HARLogout        = "logout"
)

// HARStep is one OAuth exchange found in a HAR file.
type HARStep struct {
	// Entry is the entry's position in the file, from 1.
	Entry int
	// Kind is one of the HAR* kinds.
	Kind string
	// Exchange is the entry as an exchange, as recorded (call Redact before showing it).
	Exchange Exchange
	// Params are the OAuth parameters of the step: the authorization request's, the token
	// request's form, or the authorization response's (from the URL, the form_post body or the
	// Location the provider answered).
	Params url.Values
	// Error is the OAuth error the step answered, if any.
	Error *OAuthError
	// Redirected is set on an authorization response read from the Location of the redirect the
	// exchange answered, rather than from the exchange's own request or page.
	Redirected bool
}

// HARFlow is a HAR file read as OAuth: every entry as an exchange, the OAuth steps among them,
// the tokens found, and the findings of every check the file allows.
type HARFlow struct {
	Creator string
	// Exchanges are every entry of the file, in file order, as recorded.
	Exchanges []Exchange
	Steps     []HARStep
	// Metadata is the provider metadata found in the file, if any.
	Metadata *Metadata
	// Tokens are the JWTs found, each with every check made on it.
	Tokens []HARJWT
	// Findings are the checks on the flow, ✓ / ✗ / ? as the doctor reports them.
	Findings []Finding
	// jwks is the raw JWK Set found in the file, if any.
	jwks []byte
}

// HARJWT is one token found in the file and its checks.
type HARJWT struct {
	// Entry is the entry that carried it; Name says what it is ("id_token", "access_token" …).
	Entry  int
	Name   string
	Report Report
}

// The reading side of HAR 1.2: only what the analysis needs, with the types browsers write.
type (
	harInFile struct {
		Log *struct {
			Version string       `json:"version"`
			Creator harCreator   `json:"creator"`
			Entries []harInEntry `json:"entries"`
		} `json:"log"`
	}
	harInEntry struct {
		StartedDateTime string  `json:"startedDateTime"`
		Time            float64 `json:"time"`
		Request         struct {
			Method   string         `json:"method"`
			URL      string         `json:"url"`
			Headers  []harNameValue `json:"headers"`
			PostData *struct {
				MimeType string         `json:"mimeType"`
				Text     string         `json:"text"`
				Params   []harNameValue `json:"params"`
			} `json:"postData"`
		} `json:"request"`
		Response struct {
			Status      int            `json:"status"`
			Headers     []harNameValue `json:"headers"`
			Content     harContent     `json:"content"`
			RedirectURL string         `json:"redirectURL"`
		} `json:"response"`
	}
)

// ReadHAR reads a HAR file and analyses it: the OAuth steps, the tokens (their signatures checked
// against a JWK Set found in the file, if any), and the findings. It fails only on a file that is
// not HAR; entries it cannot use are skipped.
func ReadHAR(data []byte) (*HARFlow, error) {
	if len(data) > MaxHARBytes {
		return nil, fmt.Errorf("the HAR file is %d bytes, over the %d-byte limit (MaxHARBytes)", len(data), MaxHARBytes)
	}
	var f harInFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("not a HAR file (a JSON object with log.entries): %w", err)
	}
	if f.Log == nil {
		return nil, errors.New(`not a HAR file: no "log" member`)
	}
	if len(f.Log.Entries) > MaxHAREntries {
		return nil, fmt.Errorf("the HAR file has %d entries, over the %d-entry limit (MaxHAREntries)", len(f.Log.Entries), MaxHAREntries)
	}
	h := &HARFlow{Creator: strings.TrimSpace(f.Log.Creator.Name + " " + f.Log.Creator.Version)}
	for i, e := range f.Log.Entries {
		h.Exchanges = append(h.Exchanges, e.exchange(i+1))
	}
	h.classify()
	h.check()
	return h, nil
}

// exchange converts an entry; id is its position in the file.
func (e harInEntry) exchange(id int) Exchange {
	x := Exchange{ID: id, Method: e.Request.Method, URL: e.Request.URL, Status: e.Response.Status,
		RequestHeader: harHeader(e.Request.Headers), ResponseHeader: harHeader(e.Response.Headers)}
	if t, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err == nil {
		x.Started = t
	}
	if e.Time > 0 && e.Time < 1e12 {
		x.Duration = time.Duration(e.Time * float64(time.Millisecond))
	}
	if pd := e.Request.PostData; pd != nil {
		x.RequestBody = []byte(pd.Text)
		if pd.Text == "" && len(pd.Params) > 0 {
			v := url.Values{}
			for _, p := range pd.Params {
				v.Add(p.Name, p.Value)
			}
			x.RequestBody = []byte(v.Encode())
		}
		if x.RequestHeader.Get("Content-Type") == "" && pd.MimeType != "" {
			x.RequestHeader.Set("Content-Type", pd.MimeType)
		}
	}
	c := e.Response.Content
	x.ResponseBody = []byte(c.Text)
	if strings.EqualFold(c.Encoding, "base64") {
		if b, err := base64.StdEncoding.DecodeString(c.Text); err == nil {
			x.ResponseBody = b
		}
	}
	if x.ResponseHeader.Get("Content-Type") == "" && c.MimeType != "" {
		x.ResponseHeader.Set("Content-Type", c.MimeType)
	}
	if x.ResponseHeader.Get("Location") == "" && e.Response.RedirectURL != "" {
		x.ResponseHeader.Set("Location", e.Response.RedirectURL)
	}
	return x
}

// harHeader turns a HAR header list into a header, canonicalising HTTP/2's lower-case names and
// leaving out HTTP/2 pseudo-headers (:authority …).
func harHeader(list []harNameValue) http.Header {
	h := http.Header{}
	for _, nv := range list {
		if nv.Name == "" || strings.HasPrefix(nv.Name, ":") {
			continue
		}
		h.Add(nv.Name, nv.Value)
	}
	return h
}

// query is the query parameters of a URL.
func query(raw string) url.Values {
	u, err := url.Parse(raw)
	if err != nil {
		return url.Values{}
	}
	return u.Query()
}

// responseParams are the authorization response parameters in a URL: its query, and its fragment
// for the implicit and hybrid response types.
func responseParams(raw string) url.Values {
	u, err := url.Parse(raw)
	if err != nil {
		return url.Values{}
	}
	v := u.Query()
	if f, err := url.ParseQuery(u.Fragment); err == nil {
		for k, vs := range f {
			v[k] = vs
		}
	}
	return v
}

// formParams are the request's form fields, when it sends a form.
func formParams(x Exchange) url.Values {
	mt, _, _ := mime.ParseMediaType(x.RequestHeader.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" && !(mt == "" && bytes.Contains(x.RequestBody, []byte("="))) {
		return url.Values{}
	}
	v, err := url.ParseQuery(string(x.RequestBody))
	if err != nil {
		return url.Values{}
	}
	return v
}

// jsonObject decodes a JSON object body, or nil.
func jsonObject(body []byte) map[string]any {
	var m map[string]any
	if json.Unmarshal(bytes.TrimSpace(body), &m) != nil {
		return nil
	}
	return m
}

// isResponse reports whether params are an authorization response: a code, an error or a token,
// with a state or an iss beside it, or an error alone.
func isResponse(v url.Values) bool {
	answer := v.Has("code") || v.Has("error") || v.Has("id_token") || v.Has("access_token") || v.Has("response")
	return answer && (v.Has("state") || v.Has("iss") || v.Has("error") || v.Has("session_state"))
}

// classify finds the OAuth steps among the exchanges: discovery documents first, so that their
// endpoints name the rest; then each exchange by what it carries.
func (h *HARFlow) classify() {
	for _, x := range h.Exchanges {
		if strings.Contains(x.URL, "/.well-known/openid-configuration") || strings.Contains(x.URL, "/.well-known/oauth-authorization-server") {
			if m, err := ParseMetadata(x.ResponseBody); err == nil && x.Status == 200 {
				m.Source = x.URL
				if h.Metadata == nil {
					h.Metadata = m
				}
			}
		}
	}
	delivered := "" // the Location of the last redirect that carried an authorization response
	for _, x := range h.Exchanges {
		for _, s := range h.stepsOf(x) {
			// A browser's file has the redirect carrying the response, then the request that
			// delivers it to the redirect URI: one response, shown once, at the redirect.
			if s.Kind != HARCallback {
				h.Steps = append(h.Steps, s)
				continue
			}
			if x.URL == delivered {
				delivered = ""
				continue
			}
			if s.Redirected {
				delivered = resolveURL(x.URL, x.ResponseHeader.Get("Location"))
			}
			h.Steps = append(h.Steps, s)
		}
	}
}

// endpointIs reports whether the exchange's URL is the metadata's endpoint of that name.
func (h *HARFlow) endpointIs(x Exchange, pick func(Endpoints) string) bool {
	if h.Metadata == nil {
		return false
	}
	ep := pick(h.Metadata.Endpoints)
	if ep == "" {
		return false
	}
	a, err1 := url.Parse(ep)
	b, err2 := url.Parse(x.URL)
	return err1 == nil && err2 == nil && strings.EqualFold(a.Host, b.Host) && strings.TrimSuffix(a.Path, "/") == strings.TrimSuffix(b.Path, "/")
}

// stepsOf says which OAuth steps one exchange is: usually none or one; an authorization request
// answered with a redirect carrying the response is two.
func (h *HARFlow) stepsOf(x Exchange) []HARStep {
	step := func(kind string, params url.Values) HARStep {
		return HARStep{Entry: x.ID, Kind: kind, Exchange: x, Params: params}
	}
	q, form := query(x.URL), formParams(x)
	path := strings.ToLower(urlPath(x.URL))
	body := jsonObject(x.ResponseBody)
	var out []HARStep
	switch {
	case strings.Contains(path, "/.well-known/openid-configuration") || strings.Contains(path, "/.well-known/oauth-authorization-server"):
		out = append(out, step(HARDiscovery, q))
	case form.Has("grant_type") || h.endpointIs(x, func(e Endpoints) string { return e.Token }):
		out = append(out, step(HARToken, form))
	case (form.Has("response_type") || form.Has("request")) && form.Has("client_id") && body != nil && body["request_uri"] != nil,
		h.endpointIs(x, func(e Endpoints) string { return e.PushedAuthorization }):
		out = append(out, step(HARPAR, form))
	case (q.Has("response_type") || q.Has("request_uri") || q.Has("request")) && q.Has("client_id"):
		out = append(out, step(HARAuthorization, q))
	case x.Method == http.MethodPost && form.Has("response_type") && form.Has("client_id"):
		out = append(out, step(HARAuthorization, form))
	case isResponse(responseParams(x.URL)):
		out = append(out, step(HARCallback, responseParams(x.URL)))
	case x.Method == http.MethodPost && isResponse(form):
		out = append(out, step(HARCallback, form))
	case h.endpointIs(x, func(e Endpoints) string { return e.JWKS }) || (body != nil && body["keys"] != nil && (strings.Contains(path, "jwk") || strings.Contains(path, "cert") || strings.Contains(path, "keys"))):
		out = append(out, step(HARJWKS, nil))
		if x.Status == 200 && h.jwks == nil {
			h.jwks = x.ResponseBody
		}
	case h.endpointIs(x, func(e Endpoints) string { return e.UserInfo }) || strings.Contains(path, "userinfo"):
		out = append(out, step(HARUserInfo, nil))
	case h.endpointIs(x, func(e Endpoints) string { return e.Introspection }) || (form.Has("token") && strings.Contains(path, "introspect")):
		out = append(out, step(HARIntrospection, form))
	case h.endpointIs(x, func(e Endpoints) string { return e.Revocation }) || (form.Has("token") && strings.Contains(path, "revoke")):
		out = append(out, step(HARRevocation, form))
	case h.endpointIs(x, func(e Endpoints) string { return e.EndSession }) || q.Has("id_token_hint") || q.Has("post_logout_redirect_uri") || strings.Contains(path, "logout") || strings.Contains(path, "end_session"):
		out = append(out, step(HARLogout, q))
	}
	if loc := x.ResponseHeader.Get("Location"); x.Status >= 300 && x.Status < 400 && isResponse(responseParams(loc)) {
		r := step(HARCallback, responseParams(loc))
		r.Redirected = true
		out = append(out, r)
	}
	if fp := formPostFields(x.ResponseBody); isResponse(fp) {
		out = append(out, step(HARFormPost, fp))
	}
	for i := range out {
		out[i].Error = stepError(out[i], x)
	}
	return out
}

// resolveURL is ref resolved against base, as a browser follows a Location; ref itself when
// either does not parse.
func resolveURL(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := b.Parse(ref)
	if err != nil {
		return ref
	}
	return r.String()
}

// urlPath is a URL's path, or "".
func urlPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Path
}

// stepError is the OAuth error a step carries: error in an authorization response, an error
// member in a JSON answer, or a Bearer challenge.
func stepError(s HARStep, x Exchange) *OAuthError {
	switch s.Kind {
	case HARCallback, HARFormPost:
		if e := s.Params.Get("error"); e != "" {
			return &OAuthError{Code: e, Description: s.Params.Get("error_description"), URI: s.Params.Get("error_uri"), Endpoint: "authorization response"}
		}
		return nil
	case HARAuthorization:
		return nil
	}
	r := response{status: x.Status, header: x.ResponseHeader, body: x.ResponseBody, url: x.URL}
	if oe := bearerChallenge(r, s.Kind+" endpoint"); oe != nil && x.Status == 401 {
		return oe
	}
	var em errorMembers
	if json.Unmarshal(x.ResponseBody, &em) == nil && em.Error != "" {
		return &OAuthError{Code: em.Error, Description: em.ErrorDescription, URI: em.ErrorURI, Status: x.Status, Endpoint: s.Kind + " endpoint"}
	}
	return nil
}
