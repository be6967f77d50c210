package flows

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// RedactHAR returns a copy of a HAR file with every secret masked as Redacted, safe to forward:
// cookies (request and response, headers and lists), Authorization, Proxy-Authorization and DPoP
// headers, codes, tokens, assertions, passwords and client secrets wherever they appear (URLs and
// their fragments, Location, Referer, forms, form_post pages, JSON bodies), and any JWT. JSON bodies
// are masked by the trace's one JSON masking (maskJSONMembers), with the HAR's wider names: an
// error object's nested "code" stays readable, as it does in the trace. Every other member of the file is kept as it was, so the copy opens in a browser's network
// panel and in tokenbench alike.
func RedactHAR(data []byte) ([]byte, error) {
	if _, err := ReadHAR(data); err != nil {
		return nil, err
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a HAR file: %w", err)
	}
	r := &harRedactor{secrets: map[string]bool{}}
	r.collect(doc, "")
	r.list = make([]string, 0, len(r.secrets))
	for s := range r.secrets {
		r.list = append(r.list, s)
	}
	// Longest first, so that a secret containing another is masked whole.
	sort.Slice(r.list, func(i, j int) bool { return len(r.list[i]) > len(r.list[j]) })
	doc = r.redact(doc, "")
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// harRedactor masks one file: it first collects every secret value, so that a value is masked
// also where it appears unlabelled (a code in a Referer, a token quoted in a page).
type harRedactor struct {
	secrets map[string]bool
	list    []string
}

// jwtRE matches a compact JWS or JWE.
var jwtRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?`)
})

// isHARSecretName reports whether a parameter, form field or JSON member of that name in a HAR file
// holds a secret: the names the trace masks (isSecretName), and, since a browser's file holds a
// site's own login forms and session state, any name with a password, secret, assertion, one-time
// code, session or CSRF token in it (j_password, Passwd, SAMLResponse, csrf_token …).
func isHARSecretName(name string) bool {
	if isSecretName(name, true) {
		return true
	}
	n := normaliseName(name)
	for _, w := range []string{"password", "passwd", "pwd", "secret", "assertion", "samlresponse", "credential", "otp", "session", "csrf"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return strings.Contains(n, "token") && !strings.HasSuffix(n, "type") && !strings.HasSuffix(n, "typehint") &&
		!strings.Contains(n, "endpoint") && !strings.Contains(n, "supported") && !strings.Contains(n, "expires")
}

// note remembers a secret value worth masking everywhere.
func (r *harRedactor) note(v string) {
	v = strings.TrimSpace(v)
	if len(v) < 6 || v == Redacted {
		return
	}
	r.secrets[v] = true
	if e := url.QueryEscape(v); e != v {
		r.secrets[e] = true
	}
	if e := url.PathEscape(v); e != v {
		r.secrets[e] = true
	}
}

// noteValues notes the secret members of form or query values.
func (r *harRedactor) noteValues(v url.Values) {
	for k, vs := range v {
		if isHARSecretName(k) {
			for _, s := range vs {
				r.note(s)
			}
		}
	}
}

// noteText notes the secrets a text holds: as a URL, a form, a JSON document or a form_post page.
func (r *harRedactor) noteText(s string) {
	for _, m := range jwtRE().FindAllString(s, -1) {
		r.note(m)
	}
	if strings.Contains(s, "://") || strings.HasPrefix(s, "/") {
		r.noteValues(responseParams(strings.TrimSpace(s)))
	}
	if v, err := url.ParseQuery(s); err == nil && strings.Contains(s, "=") && !strings.ContainsAny(s, " <{") {
		r.noteValues(v)
	}
	redactJSONMembers([]byte(s), isHARSecretName, r.note)
	r.noteValues(formPostFields([]byte(s)))
}

// collect walks the document and notes every secret.
func (r *harRedactor) collect(v any, key string) {
	switch v := v.(type) {
	case map[string]any:
		if name, ok := v["name"].(string); ok {
			if value, ok := v["value"].(string); ok {
				switch {
				case key == "cookies":
					r.note(value)
				case isSecretHeader(name) || isHARSecretName(name):
					r.note(value)
					r.noteCookieValues(name, value)
					if _, cred, ok := strings.Cut(value, " "); ok {
						r.note(cred)
					}
				}
			}
		}
		for k, x := range v {
			r.collect(x, k)
		}
	case []any:
		for _, x := range v {
			r.collect(x, key)
		}
	case string:
		text := v
		if key == "text" {
			if b, err := base64.StdEncoding.DecodeString(v); err == nil && len(v) > 16 {
				r.noteText(string(b))
			}
		}
		r.noteText(text)
	}
}

// noteCookieValues notes each value of a Cookie or Set-Cookie header.
func (r *harRedactor) noteCookieValues(name, value string) {
	switch http.CanonicalHeaderKey(name) {
	case "Cookie":
		for _, c := range strings.Split(value, ";") {
			if _, v, ok := strings.Cut(c, "="); ok {
				r.note(v)
			}
		}
	case "Set-Cookie":
		for line := range strings.SplitSeq(value, "\n") {
			first, _, _ := strings.Cut(line, ";")
			if _, v, ok := strings.Cut(first, "="); ok {
				r.note(v)
			}
		}
	}
}

// redact returns v with every secret masked.
func (r *harRedactor) redact(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		if name, ok := v["name"].(string); ok {
			if _, ok := v["value"].(string); ok && (key == "cookies" || isSecretHeader(name) || isHARSecretName(name)) {
				v["value"] = maskCredential(name, v["value"].(string))
			}
		}
		base64Body := false
		if enc, _ := v["encoding"].(string); strings.EqualFold(enc, "base64") {
			base64Body = true
		}
		for k, x := range v {
			if s, ok := x.(string); ok && k == "text" && base64Body {
				if b, err := base64.StdEncoding.DecodeString(s); err == nil {
					v[k] = base64.StdEncoding.EncodeToString([]byte(r.text(string(b))))
					continue
				}
			}
			v[k] = r.redact(x, k)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = r.redact(x, key)
		}
		return v
	case string:
		return r.text(v)
	}
	return v
}

// maskCredential masks a header's or field's value, keeping an Authorization scheme, which is no
// secret and helps debugging.
func maskCredential(name, value string) string {
	if strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization") {
		if scheme, _, ok := strings.Cut(value, " "); ok {
			return scheme + " " + Redacted
		}
	}
	return Redacted
}

// text masks a JSON document's secret members, then every collected secret and every JWT in a
// string.
func (r *harRedactor) text(s string) string {
	if out, ok := redactJSONMembers([]byte(s), isHARSecretName, nil); ok {
		s = string(out)
	}
	s = jwtRE().ReplaceAllString(s, Redacted)
	for _, secret := range r.list {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	return s
}
