package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows"
)

// Preset is one vendor preset: the parameters a user enters (a tenant domain, a realm, a community …)
// and the templates they fill. Templates hold {name} placeholders naming a parameter; discovery,
// endpoint, authorize-parameter and header templates may also use {issuer}, the expanded issuer.
// Presets are data (assets/presets/NAME.yaml); Presets and LookupPreset return them parsed and
// validated, and Expand turns one into concrete URLs.
type Preset struct {
	// Name is the preset's key (the file name without .yaml), e.g. "keycloak".
	Name string
	// Title is the vendor's display name, e.g. "Keycloak"; Description says what the preset is for in
	// a sentence or two; Docs is the vendor's documentation of its OpenID Connect endpoints.
	Title       string
	Description string
	Docs        string
	// Params are the parameters a user enters, in the order forms show them.
	Params []PresetParam
	// Issuer is the issuer template; Discovery the discovery document's URL template, empty when the
	// vendor has no usable discovery.
	Issuer    string
	Discovery string
	// Endpoints are endpoint URL templates keyed by authorization, token, userinfo, introspection,
	// revocation, end_session, device_authorization or jwks. A missing key is left to discovery.
	Endpoints map[string]string
	// AuthMethod is the default client authentication at the token endpoint, one of
	// flows.AuthMethods().
	AuthMethod string
	// Scopes are the default scopes.
	Scopes []string
	// AuthParams are templates of extra authorization request parameters (Google's access_type);
	// TokenHeaders templates of headers for back-channel requests (Entra's Origin for SPA clients). An
	// entry whose template names an optional parameter left empty is dropped.
	AuthParams   map[string]string
	TokenHeaders map[string]string
	// Quirks are the vendor's known deviations and habits.
	Quirks Quirks
}

// ParamKind says where a preset parameter's value goes, and so what it may contain.
type ParamKind string

// The parameter kinds. A segment (the default) is part of a URL's host or path and may not contain
// '/', '?', '#', '@', '%', '\' or white space; a url is a whole absolute URL (https, or http on a
// loopback host); text goes only into authorize parameters or headers, never into a URL template.
const (
	ParamSegment ParamKind = "segment"
	ParamURL     ParamKind = "url"
	ParamText    ParamKind = "text"
)

// PresetParam is one parameter a preset asks for.
type PresetParam struct {
	// Name is the key of the parameter (--set name=value) and of its {name} placeholder.
	Name string
	// Description says what to enter; Example is a realistic value; Default is used when the user
	// gives none; Pattern, when set, is a regular expression the whole value must match.
	Description string
	Example     string
	Default     string
	Pattern     string
	// Kind is where the value goes (ParamSegment when empty).
	Kind ParamKind
	// Optional parameters may be left empty; only authorize-parameter and header templates may use
	// them, and an entry naming an empty one is dropped.
	Optional bool
}

// Quirks are a vendor's known deviations from the common case, as data.
type Quirks struct {
	// NoDiscovery: the vendor has no usable discovery document (BlockID's tenant host answers every
	// /.well-known/ path with an HTML page and status 200).
	NoDiscovery bool
	// DirectAuthorize: the vendor accepts BlockID's direct authorize, a POST to the authorization
	// endpoint with a proof_of_authentication_jwt, answered with a redirect that is read, not followed.
	DirectAuthorize bool
	// UserInfoSubject is the userinfo member naming the subject: "sub" (the default), or "id" for
	// OneAccess and Bamboo Cloud.
	UserInfoSubject string
	// LogoutRedirectParam is the logout endpoint's parameter for where to go afterwards:
	// "post_logout_redirect_uri" (the default), or e.g. Cognito's "logout_uri".
	LogoutRedirectParam string
	// LogoutIDTokenHint says whether the logout endpoint takes id_token_hint: true (the default,
	// RP-Initiated Logout 1.0 §2 recommends it), false for Cognito, whose /logout knows only
	// client_id and logout_uri.
	LogoutIDTokenHint bool
	// CodeLifetime is how long an authorization code lives, when the vendor documents it; zero when
	// unknown.
	CodeLifetime time.Duration
	// RefreshNeedsOptIn says how refresh tokens are enabled, when they are not issued by default.
	RefreshNeedsOptIn string
	// Notes are other things a support engineer must know about the vendor.
	Notes []string
}

// The defaults of Quirks' string fields.
const (
	defaultUserInfoSubject     = "sub"
	defaultLogoutRedirectParam = "post_logout_redirect_uri"
)

// Expansion is a preset filled in with a user's parameters: concrete URLs and defaults ready for a
// flows.ClientConfig.
type Expansion struct {
	// Params are the parameter values used: trimmed, with defaults applied; an optional parameter left
	// empty is absent.
	Params map[string]string
	// Issuer is the issuer identifier; DiscoveryURL the discovery document's URL, empty when the
	// vendor has no usable discovery.
	Issuer       string
	DiscoveryURL string
	// Endpoints are the endpoints the preset knows; the others are left empty for discovery.
	Endpoints flows.Endpoints
	// AuthMethod is the default client authentication.
	AuthMethod flows.AuthMethod
	// Scopes are the default scopes.
	Scopes []string
	// AuthParams are extra authorization request parameters; TokenHeaders headers for back-channel
	// requests.
	AuthParams   url.Values
	TokenHeaders http.Header
	// Quirks are the preset's, with their defaults filled in.
	Quirks Quirks
}

// presetsDir is the directory of the preset files inside assets.PresetFiles.
const presetsDir = "presets"

// loadedPresets parses the embedded presets once.
var loadedPresets = sync.OnceValues(func() ([]Preset, error) {
	return parsePresets(assets.PresetFiles, presetsDir)
})

// Presets returns every vendor preset, sorted by name. The embedded files are parsed and validated
// on first use; an error names the file, and the line where it can.
func Presets() ([]Preset, error) {
	ps, err := loadedPresets()
	if err != nil {
		return nil, err
	}
	out := make([]Preset, len(ps))
	for i, p := range ps {
		out[i] = p.clone()
	}
	return out, nil
}

// LookupPreset returns the preset with that name (case and surrounding space ignored), or false when
// there is none or the presets do not load.
func LookupPreset(name string) (Preset, bool) {
	p, ok := loadedPreset(name)
	if !ok {
		return Preset{}, false
	}
	return p.clone(), true
}

// loadedPreset is LookupPreset without the copy, for a caller that only reads the preset (Settings
// expands one per profile, thousands in a listing): never change what it points to. It parses and
// validates only that preset's file (a preset is named after its file), once: a command on one
// profile needs its preset, not all twelve.
func loadedPreset(name string) (*Preset, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	if p, ok := presetsByName.Load(name); ok {
		return p.(*Preset), true
	}
	if !presetNameRE().MatchString(name) {
		return nil, false
	}
	file := path.Join(presetsDir, name+".yaml")
	data, err := fs.ReadFile(assets.PresetFiles, file)
	if err != nil {
		return nil, false
	}
	p, err := parsePresetFile(file, data)
	if err != nil {
		return nil, false
	}
	stored, _ := presetsByName.LoadOrStore(name, &p)
	return stored.(*Preset), true
}

// presetsByName holds the presets loadedPreset parsed, by name.
var presetsByName sync.Map

// clone returns a deep copy of p, so callers cannot change the loaded presets.
func (p Preset) clone() Preset {
	p.Params = slices.Clone(p.Params)
	p.Endpoints = maps.Clone(p.Endpoints)
	p.Scopes = slices.Clone(p.Scopes)
	p.AuthParams = maps.Clone(p.AuthParams)
	p.TokenHeaders = maps.Clone(p.TokenHeaders)
	p.Quirks.Notes = slices.Clone(p.Quirks.Notes)
	return p
}

// paramNames lists the parameters' names in order.
func (p Preset) paramNames() []string {
	names := make([]string, len(p.Params))
	for i, pp := range p.Params {
		names[i] = pp.Name
	}
	return names
}

// kind returns the parameter's kind, ParamSegment when unset.
func (pp PresetParam) kind() ParamKind {
	if pp.Kind == "" {
		return ParamSegment
	}
	return pp.Kind
}

// withDefaults returns q with its unset string fields given their defaults.
func (q Quirks) withDefaults() Quirks {
	if q.UserInfoSubject == "" {
		q.UserInfoSubject = defaultUserInfoSubject
	}
	if q.LogoutRedirectParam == "" {
		q.LogoutRedirectParam = defaultLogoutRedirectParam
	}
	q.Notes = slices.Clone(q.Notes)
	return q
}

// Expand fills the preset's templates with params (keyed by parameter name). Values are trimmed and
// defaults applied. It refuses, with a *FieldError naming the parameter, a missing required
// parameter, an unknown one, a value that does not match its pattern, and a value that would break
// out of its place in a URL; and, naming the template, any expanded URL that is not an absolute
// https URL (http only on a loopback host).
func (p Preset) Expand(params map[string]string) (Expansion, error) {
	values, err := p.resolveParams(params)
	if err != nil {
		return Expansion{}, err
	}
	method, ok := flows.ParseAuthMethod(p.AuthMethod)
	if !ok {
		return Expansion{}, &FieldError{Field: "auth_method", Message: fmt.Sprintf("the %s preset's auth method %q is not one of %s", p.Title, p.AuthMethod, authMethodList())}
	}
	x := Expansion{
		AuthMethod: method,
		Scopes:     slices.Clone(p.Scopes),
		Quirks:     p.Quirks.withDefaults(),
	}
	if x.Issuer, err = expandURL("issuer", p.Issuer, values); err != nil {
		return Expansion{}, err
	}
	// The templates that follow may name the issuer too. values lends them its map, which then
	// becomes x.Params: a listing expands thousands of profiles. (A parameter named issuer is the
	// issuer: its template is "{issuer}".)
	withIssuer := values
	_, issuerParam := values["issuer"]
	withIssuer["issuer"] = x.Issuer
	// A URL that is the issuer and a plain path is as valid as the issuer, which was just checked:
	// it is filled in and not parsed again (a listing expands every profile's preset).
	plainIssuer := !strings.ContainsAny(x.Issuer, "?#")
	expand := func(field, tmpl string) (string, error) {
		if plainIssuer && issuerAndPath(tmpl) {
			return strings.TrimSuffix(x.Issuer, "/") + tmpl[len("{issuer}"):], nil // as fill would
		}
		return expandURL(field, tmpl, withIssuer)
	}
	if p.Discovery != "" {
		if x.DiscoveryURL, err = expand("discovery", p.Discovery); err != nil {
			return Expansion{}, err
		}
	}
	for _, e := range endpointFields() {
		tmpl, ok := p.Endpoints[e.key]
		if !ok || tmpl == "" {
			continue
		}
		u, err := expand(e.field, tmpl)
		if err != nil {
			return Expansion{}, err
		}
		x.Endpoints.Set(e.key, u)
	}
	for _, k := range sortedKeys(p.AuthParams) {
		if v, ok := expandText(p.AuthParams[k], withIssuer); ok {
			if x.AuthParams == nil {
				x.AuthParams = url.Values{}
			}
			x.AuthParams.Set(k, v)
		}
	}
	for _, k := range sortedKeys(p.TokenHeaders) {
		if v, ok := expandText(p.TokenHeaders[k], withIssuer); ok {
			if x.TokenHeaders == nil {
				x.TokenHeaders = http.Header{}
			}
			x.TokenHeaders.Set(k, v)
		}
	}
	if !issuerParam {
		delete(values, "issuer")
	}
	for k, v := range values {
		if v == "" {
			delete(values, k) // an optional parameter left empty is absent
		}
	}
	x.Params = values
	return x, nil
}

// presetEndpoint is an endpoint's name (flows.EndpointNames) and its field in a preset, for messages.
type presetEndpoint struct{ key, field string }

// endpointFields are the endpoints in the order of flows.EndpointNames.
var endpointFields = sync.OnceValue(func() []presetEndpoint {
	var out []presetEndpoint
	for _, key := range flows.EndpointNames() {
		out = append(out, presetEndpoint{key, "endpoints." + key})
	}
	return out
})

// sortedKeys returns m's keys in order; none, without allocating, for an empty map.
func sortedKeys(m map[string]string) []string {
	if len(m) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(m))
}

// resolveParams checks the user's parameters against the declared ones and returns every declared
// parameter's value (empty for an optional one left out).
func (p Preset) resolveParams(params map[string]string) (map[string]string, error) {
	// Every parameter given is declared when as many of the declared ones (whose names differ) are
	// given: looked up, not iterated, for each of thousands of profiles listed.
	given := 0
	for _, pp := range p.Params {
		if _, ok := params[pp.Name]; ok {
			given++
		}
	}
	if given != len(params) {
		return nil, p.unknownParam(params, p.paramNames())
	}
	values := make(map[string]string, len(p.Params))
	for _, pp := range p.Params {
		v := strings.TrimSpace(params[pp.Name])
		if v == "" {
			v = pp.Default
		}
		if v == "" {
			if pp.Optional {
				values[pp.Name] = ""
				continue
			}
			msg := fmt.Sprintf("the %s preset needs %s (%s)", p.Title, pp.Name, pp.Description)
			if pp.Example != "" {
				msg += ", e.g. " + pp.Example
			}
			return nil, &FieldError{Field: "param " + pp.Name, Message: msg}
		}
		if err := p.checkValue(pp, v); err != nil {
			return nil, err
		}
		values[pp.Name] = v
	}
	return values, nil
}

// unknownParam is the error for the first parameter, in name order, that the preset does not
// declare.
func (p Preset) unknownParam(params map[string]string, declared []string) error {
	for _, name := range slices.Sorted(maps.Keys(params)) {
		if slices.Contains(declared, name) {
			continue
		}
		msg := fmt.Sprintf("the %s preset takes no parameters", p.Title)
		if len(declared) > 0 {
			msg = fmt.Sprintf("the %s preset has no parameter %q; its parameters are %s", p.Title, name, strings.Join(declared, ", "))
		}
		return &FieldError{Field: "param " + name, Message: msg}
	}
	return nil
}

// checkValue checks one non-empty value against its parameter's kind and pattern.
func (p Preset) checkValue(pp PresetParam, v string) error {
	fail := func(msg string) error { return &FieldError{Field: "param " + pp.Name, Message: msg} }
	switch pp.kind() {
	case ParamSegment:
		if bad, ok := slotBreaker(v); ok {
			return fail(fmt.Sprintf("%q cannot be the %s preset's %s: it contains %s, which would change the structure of the URL it goes into", v, p.Title, pp.Name, bad))
		}
	case ParamURL:
		if err := checkURLParam(v); err != nil {
			return fail(fmt.Sprintf("%q cannot be the %s preset's %s: %v", v, p.Title, pp.Name, err))
		}
	case ParamText:
		if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
			return fail(fmt.Sprintf("%q cannot be the %s preset's %s: it contains a control character", v, p.Title, pp.Name))
		}
	default:
		return fail(fmt.Sprintf("the %s preset's parameter %s has an unknown kind %q", p.Title, pp.Name, pp.Kind))
	}
	if pp.Pattern != "" {
		re, err := compilePattern(pp.Pattern)
		if err != nil {
			return fail(fmt.Sprintf("the %s preset's pattern for %s does not compile: %v", p.Title, pp.Name, err))
		}
		if !re.MatchString(v) {
			msg := fmt.Sprintf("%q is not a valid %s for the %s preset: expected %s", v, pp.Name, p.Title, pp.Description)
			if pp.Example != "" {
				msg += ", e.g. " + pp.Example
			}
			return fail(msg + " (pattern " + pp.Pattern + ")")
		}
	}
	return nil
}

// compiledPatterns holds each parameter pattern compiled (pattern → *regexp.Regexp), so that
// checking a value, once per profile listed or resolved, does not compile its pattern again.
var compiledPatterns sync.Map

// compilePattern compiles a parameter pattern, anchored so it must match the whole value.
func compilePattern(pattern string) (*regexp.Regexp, error) {
	if re, ok := compiledPatterns.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, err
	}
	compiledPatterns.Store(pattern, re)
	return re, nil
}

// slotBreaker reports the first character of v that would let a value placed in a URL's host or
// path break out of its place, described for a message.
func slotBreaker(v string) (string, bool) {
	for _, r := range v {
		switch {
		case r == '/' || r == '?' || r == '#' || r == '@' || r == '%' || r == '\\':
			return fmt.Sprintf("%q", r), true
		case r > ' ' && r < 0x7f: // the rest of printable ASCII, without the tables below
		case unicode.IsSpace(r):
			return "white space", true
		case unicode.IsControl(r):
			return "a control character", true
		}
	}
	return "", false
}

// checkURLParam checks a value of a url parameter: an absolute https URL (http on a loopback host)
// without user info, query or fragment.
func checkURLParam(v string) error {
	if i := strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		return errors.New("it contains white space or a control character")
	}
	u, err := checkAbsURL(v)
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(v, "#") {
		return errors.New("it may not have a query or a fragment")
	}
	return nil
}

// checkAbsURL parses s and checks that it is an absolute https URL, or http on a loopback host
// (127.0.0.1, ::1, localhost), with a host and no user info.
func checkAbsURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("it is not a URL: %v", err)
	}
	switch {
	case u.Scheme == "" || u.Opaque != "" || u.Host == "":
		return nil, errors.New("it is not an absolute URL (scheme://host/…)")
	case u.User != nil:
		return nil, errors.New("it may not hold user info (user@host)")
	case u.Hostname() == "":
		return nil, errors.New("it has no host name")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
	case u.Scheme == "http":
		return nil, errors.New("it must use https (http only for 127.0.0.1, ::1 or localhost)")
	default:
		return nil, fmt.Errorf("its scheme %q is not https", u.Scheme)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("its port %q is not a port number", port)
		}
	}
	return u, nil
}

// isLoopbackHost reports whether host names the local machine.
func isLoopbackHost(host string) bool {
	return host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost")
}

// placeholderRE matches a {placeholder}; its group is the name, checked separately.
var placeholderRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{([^{}]*)\}`) })

// nameRE is the form of parameter and placeholder names.
var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9_]*$`) })

// placeholders returns the names of tmpl's placeholders, in order, and an error for a malformed one
// or a stray brace.
func placeholders(tmpl string) ([]string, error) {
	var names []string
	for _, m := range placeholderRE().FindAllStringSubmatch(tmpl, -1) {
		if !nameRE().MatchString(m[1]) {
			return nil, fmt.Errorf("placeholder {%s} is not a name (lower case letters, digits and _)", m[1])
		}
		names = append(names, m[1])
	}
	if rest := placeholderRE().ReplaceAllString(tmpl, ""); strings.ContainsAny(rest, "{}") {
		return nil, fmt.Errorf("%q has an unmatched brace", tmpl)
	}
	return names, nil
}

// fill replaces tmpl's placeholders with their values. A value ending in '/' placed before a '/'
// loses its own, so an issuer with a trailing slash does not make "//" (as OpenID Connect Discovery
// §4.1 does for the discovery URL). It returns false when a placeholder has an empty value.
func fill(tmpl string, values map[string]string) (string, bool) {
	size := len(tmpl)
	for i := 0; ; {
		open, end, ok := nextPlaceholder(tmpl, i)
		if !ok {
			break
		}
		size += len(values[tmpl[open+1:end-1]])
		i = end
	}
	var b strings.Builder
	b.Grow(size) // enough: the one allocation of the result
	complete := true
	last := 0
	for {
		open, end, ok := nextPlaceholder(tmpl, last)
		if !ok {
			break
		}
		b.WriteString(tmpl[last:open])
		v := values[tmpl[open+1:end-1]]
		if v == "" {
			complete = false
		}
		if strings.HasPrefix(tmpl[end:], "/") {
			v = strings.TrimSuffix(v, "/")
		}
		b.WriteString(v)
		last = end
	}
	b.WriteString(tmpl[last:])
	return b.String(), complete
}

// nextPlaceholder finds the first placeholder of tmpl at or after i as placeholderRE does (a '{',
// no brace, a '}'), without a regexp: fill runs for every URL of every profile listed. It returns
// where the placeholder starts and ends (past its '}'); ok is false when there is none.
func nextPlaceholder(tmpl string, i int) (start, end int, ok bool) {
	for {
		j := strings.IndexByte(tmpl[i:], '{')
		if j < 0 {
			return 0, 0, false
		}
		start = i + j
		k := strings.IndexAny(tmpl[start+1:], "{}")
		if k < 0 {
			return 0, 0, false
		}
		if tmpl[start+1+k] == '}' {
			return start, start + 2 + k, true
		}
		i = start + 1 + k // another '{' before any '}': a placeholder may start there
	}
}

// expandURL fills a URL template and checks the result.
func expandURL(field, tmpl string, values map[string]string) (string, error) {
	s, complete := fill(tmpl, values)
	if !complete {
		return "", &FieldError{Field: field, Message: fmt.Sprintf("the template %q names a parameter with no value", tmpl)}
	}
	u, err := checkAbsURL(s)
	if err == nil && u.Fragment != "" {
		err = errors.New("it may not have a fragment")
	}
	if err != nil {
		return "", &FieldError{Field: field, Message: fmt.Sprintf("%q (from %q): %v", s, tmpl, err)}
	}
	return s, nil
}

// issuerAndPath reports whether tmpl is {issuer} then a path of unreserved characters and
// slashes (RFC 3986 §2.3): filled from an absolute https issuer with no query or fragment, it is
// an absolute https URL on the same host.
func issuerAndPath(tmpl string) bool {
	path, ok := strings.CutPrefix(tmpl, "{issuer}/")
	if !ok {
		return false
	}
	for i := 0; i < len(path); i++ {
		switch c := path[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '/':
		default:
			return false
		}
	}
	return true
}

// expandText fills an authorize-parameter or header template; false when it names an empty
// (optional) parameter, so the entry is dropped.
func expandText(tmpl string, values map[string]string) (string, bool) {
	s, complete := fill(tmpl, values)
	if !complete || s == "" {
		return "", false
	}
	return s, true
}

// authMethodList lists flows.AuthMethods() for messages.
func authMethodList() string {
	var names []string
	for _, m := range flows.AuthMethods() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// rawPreset is a preset file as written; strict decoding rejects unknown fields.
type rawPreset struct {
	Name         string            `yaml:"name"`
	Title        string            `yaml:"title"`
	Description  string            `yaml:"description"`
	Docs         string            `yaml:"docs"`
	Params       []rawParam        `yaml:"params"`
	Issuer       string            `yaml:"issuer"`
	Discovery    string            `yaml:"discovery"`
	Endpoints    rawEndpoints      `yaml:"endpoints"`
	AuthMethod   string            `yaml:"auth_method"`
	Scopes       []string          `yaml:"scopes"`
	AuthParams   map[string]string `yaml:"auth_params"`
	TokenHeaders map[string]string `yaml:"token_headers"`
	Quirks       rawQuirks         `yaml:"quirks"`
}

// rawParam is one entry of a preset file's params.
type rawParam struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Example     string `yaml:"example"`
	Default     string `yaml:"default"`
	Pattern     string `yaml:"pattern"`
	Kind        string `yaml:"kind"`
	Optional    bool   `yaml:"optional"`
}

// rawEndpoints is a preset file's endpoints: the profile's Endpoints type, a struct, so that an
// unknown endpoint name is an unknown field.
type rawEndpoints Endpoints

// asMap returns the endpoints that are set, keyed by name.
func (e rawEndpoints) asMap() map[string]string {
	m := map[string]string{}
	for _, f := range Endpoints(e).Flows().List() {
		if f.URL != "" {
			m[f.Name] = f.URL
		}
	}
	return m
}

// rawQuirks is a preset file's quirks; the code lifetime is a Go duration string ("5m").
type rawQuirks struct {
	NoDiscovery         bool     `yaml:"no_discovery"`
	DirectAuthorize     bool     `yaml:"direct_authorize"`
	UserInfoSubject     string   `yaml:"userinfo_subject"`
	LogoutRedirectParam string   `yaml:"logout_redirect_param"`
	LogoutIDTokenHint   *bool    `yaml:"logout_id_token_hint"`
	CodeLifetime        string   `yaml:"code_lifetime"`
	RefreshNeedsOptIn   string   `yaml:"refresh_needs_opt_in"`
	Notes               []string `yaml:"notes"`
}

// parsePresets reads and validates every *.yaml file in dir of fsys, returning the presets sorted by
// name, or every file's errors joined.
func parsePresets(fsys fs.FS, dir string) ([]Preset, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("presets: %w", err)
	}
	var (
		presets []Preset
		errs    []error
	)
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".yaml" {
			continue
		}
		file := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
			continue
		}
		p, err := parsePresetFile(file, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		presets = append(presets, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(presets) == 0 {
		return nil, fmt.Errorf("presets: no *.yaml files in %s", dir)
	}
	slices.SortFunc(presets, func(a, b Preset) int { return strings.Compare(a.Name, b.Name) })
	return presets, nil
}

// unknownFieldRE matches the YAML decoder's message for an unknown field.
var unknownFieldRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^line (\d+): field (\S+) not found in type \S+$`)
})

// parsePresetFile decodes one preset file strictly and validates it. file is its path, used in
// messages and to check the preset's name.
func parsePresetFile(file string, data []byte) (Preset, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var raw rawPreset
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return Preset{}, fmt.Errorf("%s: the file is empty", file)
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			var errs []error
			for _, msg := range te.Errors {
				if m := unknownFieldRE().FindStringSubmatch(msg); m != nil {
					errs = append(errs, fmt.Errorf("%s:%s: unknown field %q", file, m[1], m[2]))
				} else {
					errs = append(errs, fmt.Errorf("%s: %s", file, msg))
				}
			}
			return Preset{}, errors.Join(errs...)
		}
		return Preset{}, fmt.Errorf("%s: %w", file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Preset{}, fmt.Errorf("%s: more than one YAML document; a preset file holds one", file)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // it decoded above; the node tree only gives line numbers
	v := validator{file: file, root: &root}
	p := v.build(raw)
	if len(v.errs) > 0 {
		return Preset{}, errors.Join(v.errs...)
	}
	return p, nil
}

// validator collects a preset file's errors with the lines they are on.
type validator struct {
	file string
	root *yaml.Node
	errs []error
}

// fail records an error at the field given as a path of keys and sequence indexes.
func (v *validator) fail(msg string, fieldPath ...any) {
	var parts []string
	for _, k := range fieldPath {
		switch k := k.(type) {
		case int:
			parts = append(parts, fmt.Sprintf("[%d]", k))
		default:
			if len(parts) > 0 {
				parts = append(parts, ".")
			}
			parts = append(parts, fmt.Sprint(k))
		}
	}
	where := v.file
	if line := lineOf(v.root, fieldPath...); line > 0 {
		where = fmt.Sprintf("%s:%d", v.file, line)
	}
	if len(parts) > 0 {
		where += ": " + strings.Join(parts, "")
	}
	v.errs = append(v.errs, fmt.Errorf("%s: %s", where, msg))
}

// lineOf returns the line of the node at fieldPath (map keys as strings, sequence indexes as ints),
// or of the deepest node found on the way; 0 when there is none.
func lineOf(n *yaml.Node, fieldPath ...any) int {
	if n == nil {
		return 0
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, k := range fieldPath {
		var next *yaml.Node
		switch k := k.(type) {
		case int:
			if n.Kind == yaml.SequenceNode && k < len(n.Content) {
				next = n.Content[k]
			}
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == k {
						line = n.Content[i].Line
						next = n.Content[i+1]
						break
					}
				}
			}
		}
		if next == nil {
			return line
		}
		n = next
		line = n.Line
	}
	return line
}

// presetNameRE is the form of a preset's name.
var presetNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`) })

// headerNameRE is the form of an HTTP header name (RFC 9110 token).
var headerNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$") })

// reservedAuthParams are set by the flow itself and may not come from a preset.
var reservedAuthParams = []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method"}

// reservedHeaders are set by the HTTP client or client authentication and may not come from a
// preset.
var reservedHeaders = []string{"Authorization", "Content-Type", "Content-Length", "Host", "Dpop"}

// build validates raw and turns it into a Preset, recording every problem.
func (v *validator) build(raw rawPreset) Preset {
	p := Preset{
		Name: raw.Name, Title: raw.Title, Description: strings.TrimSpace(raw.Description), Docs: raw.Docs,
		Issuer: raw.Issuer, Discovery: raw.Discovery, Endpoints: raw.Endpoints.asMap(),
		AuthMethod: raw.AuthMethod, Scopes: raw.Scopes,
		AuthParams: raw.AuthParams, TokenHeaders: raw.TokenHeaders,
		Quirks: Quirks{
			NoDiscovery: raw.Quirks.NoDiscovery, DirectAuthorize: raw.Quirks.DirectAuthorize,
			UserInfoSubject: raw.Quirks.UserInfoSubject, LogoutRedirectParam: raw.Quirks.LogoutRedirectParam,
			RefreshNeedsOptIn: strings.TrimSpace(raw.Quirks.RefreshNeedsOptIn), Notes: raw.Quirks.Notes,
			LogoutIDTokenHint: raw.Quirks.LogoutIDTokenHint == nil || *raw.Quirks.LogoutIDTokenHint,
		},
	}
	p.Quirks = p.Quirks.withDefaults()

	// Identity and documentation.
	want := strings.TrimSuffix(path.Base(v.file), ".yaml")
	switch {
	case raw.Name == "":
		v.fail("missing; it must be "+strconv.Quote(want), "name")
	case raw.Name != want:
		v.fail(fmt.Sprintf("%q does not match the file name: it must be %q", raw.Name, want), "name")
	case !presetNameRE().MatchString(raw.Name):
		v.fail(fmt.Sprintf("%q is not a preset name (lower case letters, digits and -)", raw.Name), "name")
	}
	if strings.TrimSpace(raw.Title) == "" {
		v.fail("missing", "title")
	}
	if p.Description == "" {
		v.fail("missing", "description")
	}
	if raw.Docs == "" {
		v.fail("missing: give the vendor's documentation of its OpenID Connect endpoints", "docs")
	} else if u, err := checkAbsURL(raw.Docs); err != nil || u.Scheme != "https" {
		v.fail(fmt.Sprintf("%q is not an https URL", raw.Docs), "docs")
	}

	// Parameters.
	declared := map[string]PresetParam{}
	for i, rp := range raw.Params {
		pp := PresetParam{
			Name: rp.Name, Description: rp.Description, Example: rp.Example, Default: rp.Default,
			Pattern: rp.Pattern, Kind: ParamKind(rp.Kind), Optional: rp.Optional,
		}
		if pp.Kind == "" {
			pp.Kind = ParamSegment
		}
		p.Params = append(p.Params, pp)
		switch {
		case !nameRE().MatchString(rp.Name):
			v.fail(fmt.Sprintf("%q is not a parameter name (lower case letters, digits and _)", rp.Name), "params", i, "name")
			continue
		case declared[rp.Name].Name != "":
			v.fail(fmt.Sprintf("parameter %q is declared twice", rp.Name), "params", i, "name")
			continue
		}
		declared[rp.Name] = pp
		if strings.TrimSpace(rp.Description) == "" {
			v.fail("missing: forms show it beside the field", "params", i, "description")
		}
		if rp.Example == "" {
			v.fail("missing: a realistic value, shown as a hint and in messages", "params", i, "example")
		}
		if pp.Optional && rp.Default != "" {
			v.fail("an optional parameter has no default; drop one of them", "params", i, "optional")
		}
		switch pp.Kind {
		case ParamSegment, ParamURL, ParamText:
		default:
			v.fail(fmt.Sprintf("%q is not a parameter kind (segment, url or text)", rp.Kind), "params", i, "kind")
			continue
		}
		if rp.Pattern != "" {
			if _, err := compilePattern(rp.Pattern); err != nil {
				v.fail(fmt.Sprintf("does not compile: %v", err), "params", i, "pattern")
				continue
			}
		}
		for _, fv := range []struct{ field, value string }{{"example", rp.Example}, {"default", rp.Default}} {
			if fv.value == "" {
				continue
			}
			if err := p.checkValue(pp, fv.value); err != nil {
				v.fail(err.(*FieldError).Message, "params", i, fv.field)
			}
		}
	}

	// Templates.
	used := map[string]bool{}
	check := func(tmpl string, issuerAllowed, urlSlot bool, fieldPath ...any) {
		names, err := placeholders(tmpl)
		if err != nil {
			v.fail(err.Error(), fieldPath...)
			return
		}
		for _, n := range names {
			used[n] = true
			pp, ok := declared[n]
			switch {
			case !ok && n == "issuer" && issuerAllowed:
			case !ok:
				v.fail(fmt.Sprintf("{%s} names no parameter (declared: %s)", n, strings.Join(p.paramNames(), ", ")), fieldPath...)
			case urlSlot && pp.Optional:
				v.fail(fmt.Sprintf("{%s} is optional and cannot be part of a URL", n), fieldPath...)
			case urlSlot && pp.Kind == ParamText:
				v.fail(fmt.Sprintf("{%s} is a text parameter and cannot be part of a URL", n), fieldPath...)
			}
		}
	}
	if raw.Issuer == "" {
		v.fail("missing", "issuer")
	} else {
		check(raw.Issuer, false, true, "issuer")
	}
	if pp, ok := declared["issuer"]; ok && (raw.Issuer != "{issuer}" || pp.Kind != ParamURL) {
		v.fail(`a parameter named issuer must be of kind url and the issuer template must be "{issuer}"`, "issuer")
	}
	if raw.Discovery != "" {
		check(raw.Discovery, true, true, "discovery")
	}
	for _, k := range flows.EndpointNames() {
		if tmpl, ok := p.Endpoints[k]; ok {
			check(tmpl, true, true, "endpoints", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(raw.AuthParams)) {
		switch {
		case strings.TrimSpace(k) == "" || strings.ContainsFunc(k, unicode.IsSpace):
			v.fail(fmt.Sprintf("%q is not a parameter name", k), "auth_params")
		case slices.Contains(reservedAuthParams, k):
			v.fail(fmt.Sprintf("%s is set by the flow itself (use scopes for scope)", k), "auth_params", k)
		}
		check(raw.AuthParams[k], true, false, "auth_params", k)
	}
	for _, k := range slices.Sorted(maps.Keys(raw.TokenHeaders)) {
		switch {
		case !headerNameRE().MatchString(k):
			v.fail(fmt.Sprintf("%q is not a header name", k), "token_headers")
		case slices.Contains(reservedHeaders, http.CanonicalHeaderKey(k)):
			v.fail(fmt.Sprintf("%s is set by the HTTP client or the client authentication", k), "token_headers", k)
		}
		check(raw.TokenHeaders[k], true, false, "token_headers", k)
	}
	for _, pp := range p.Params {
		if nameRE().MatchString(pp.Name) && !used[pp.Name] {
			v.fail(fmt.Sprintf("parameter %q is used by no template", pp.Name), "params")
		}
	}

	// Discovery and endpoints.
	switch {
	case raw.Quirks.NoDiscovery && raw.Discovery != "":
		v.fail("quirks.no_discovery is set: drop the discovery template", "discovery")
	case !raw.Quirks.NoDiscovery && raw.Discovery == "":
		v.fail("no discovery template: give one, or set quirks.no_discovery when the vendor has none", "quirks")
	}
	if raw.Discovery == "" && (p.Endpoints["authorization"] == "" || p.Endpoints["token"] == "") {
		v.fail("without discovery the authorization and token endpoints are required", "endpoints")
	}

	// Client defaults.
	if _, ok := flows.ParseAuthMethod(raw.AuthMethod); !ok {
		v.fail(fmt.Sprintf("%q is not one of %s", raw.AuthMethod, authMethodList()), "auth_method")
	}
	if len(raw.Scopes) == 0 {
		v.fail("missing: give the default scopes", "scopes")
	}
	for i, s := range raw.Scopes {
		switch {
		case s == "" || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '"' || r == '\\' }):
			v.fail(fmt.Sprintf("%q is not a scope token", s), "scopes", i)
		case slices.Index(raw.Scopes, s) < i:
			v.fail(fmt.Sprintf("%q is listed twice", s), "scopes", i)
		}
	}

	// Quirks.
	if raw.Quirks.CodeLifetime != "" {
		d, err := time.ParseDuration(raw.Quirks.CodeLifetime)
		if err != nil || d <= 0 {
			v.fail(fmt.Sprintf("%q is not a positive Go duration such as 5m or 60s", raw.Quirks.CodeLifetime), "quirks", "code_lifetime")
		}
		p.Quirks.CodeLifetime = d
	}
	for _, f := range []struct{ key, value string }{{"userinfo_subject", raw.Quirks.UserInfoSubject}, {"logout_redirect_param", raw.Quirks.LogoutRedirectParam}} {
		if f.value != "" && strings.ContainsFunc(f.value, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			v.fail(fmt.Sprintf("%q is not a member or parameter name", f.value), "quirks", f.key)
		}
	}
	for i, n := range raw.Quirks.Notes {
		if strings.TrimSpace(n) == "" {
			v.fail("empty note", "quirks", "notes", i)
		}
	}

	// Finally the whole preset must expand with its own examples to valid URLs.
	if len(v.errs) == 0 {
		examples := map[string]string{}
		for _, pp := range p.Params {
			examples[pp.Name] = pp.Example
		}
		if _, err := p.Expand(examples); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				var at []any
				for _, k := range strings.Split(fe.Field, ".") {
					at = append(at, k)
				}
				v.fail("with the parameters' examples: "+fe.Message, at...)
			} else {
				v.fail("with the parameters' examples: " + err.Error())
			}
		}
	}
	return p
}
