package profiles

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/tokenbench/tokenbench/flows"
)

// usableName reports whether a profile name is up to 64 letters, digits and . _ @ + -, starting
// with a letter or digit: it is typed on command lines and used as a keyring account, so no
// spaces, slashes or leading dash. (By hand, not a regexp: a listing checks every name.)
func usableName(name string) bool {
	if name == "" || len(name) > 64 || !isAlnum(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && !strings.ContainsRune("._@+-", rune(c)) {
			return false
		}
	}
	return true
}

// ValidateName checks a profile name.
func ValidateName(name string) error {
	if name == "" {
		return &FieldError{Field: "name", Message: "missing: every profile needs a name"}
	}
	if !usableName(name) {
		return &FieldError{Field: "name", Message: fmt.Sprintf("%q is not a usable name: use up to 64 letters, digits and . _ @ + -, starting with a letter or digit", name)}
	}
	return nil
}

// Validate checks the profile as `profile add` and Client need it. It returns a *FieldError naming
// the first field that is wrong: an unknown preset, a missing or invalid preset parameter, a
// malformed URL, an unknown auth method, grant or PKCE method, private_key_jwt without a signing key,
// client_secret_* without a secret reference, a plain secret without the explicit flag.
func (p Profile) Validate() error { return p.validate(true) }

// Review is Settings and Validate from one expansion of the preset, for a caller that needs both
// (a listing of many profiles): the settings and Settings' error, and the first problem Validate
// reports (nil when the profile is valid).
func (p Profile) Review() (set Settings, setErr, problem error) {
	set, setErr = p.settings()
	return set, setErr, p.validateSettings(&set, setErr, true)
}

// validate checks p; requireSecret says whether a method that needs a client secret must have a
// reference (not so for an imported profile, whose references were left out by the export).
func (p *Profile) validate(requireSecret bool) error {
	if err := ValidateName(p.Name); err != nil {
		return err // before expanding the preset
	}
	set, err := p.settings()
	return p.validateSettings(&set, err, requireSecret)
}

// validateSettings is validate on the settings p.Settings returned (set and its error).
func (p *Profile) validateSettings(set *Settings, err error, requireSecret bool) error {
	if err := ValidateName(p.Name); err != nil {
		return err
	}
	if err != nil {
		return err
	}
	if p.Issuer != "" {
		if err := checkURL("issuer", p.Issuer); err != nil {
			return err
		}
	}
	for _, f := range p.Endpoints.overrides() {
		if f.URL != "" {
			if err := checkURL("endpoints."+f.Name, f.URL); err != nil {
				return err
			}
		}
	}
	if set.Issuer == "" && set.Endpoints == (flows.Endpoints{}) {
		return &FieldError{Field: "issuer", Message: "no provider: give an issuer (or discovery URL), a preset, or the endpoints"}
	}
	if strings.TrimSpace(p.ClientID) == "" {
		return &FieldError{Field: "client_id", Message: "missing: the client_id the provider registered for this client"}
	}
	if err := p.validateClientAuth(set, requireSecret); err != nil {
		return err
	}
	return p.validateRun()
}

// validateClientAuth checks the secret reference, the method and the signing key together.
func (p *Profile) validateClientAuth(set *Settings, requireSecret bool) error {
	if p.ClientSecret != "" {
		if err := p.ClientSecret.check(p.AllowPlainSecret); err != nil {
			return &FieldError{Field: "client_secret", Message: err.Error()}
		}
	}
	if p.AuthMethod != "" {
		if _, ok := flows.ParseAuthMethod(string(p.AuthMethod)); !ok {
			return &FieldError{Field: "auth_method", Message: fmt.Sprintf("unknown method %q; valid methods: %s", p.AuthMethod, joinAuthMethods())}
		}
	}
	method := set.AuthMethod
	switch method {
	case flows.AuthPrivateKeyJWT:
		if p.SigningKey == "" {
			return &FieldError{Field: "signing_key", Message: "private_key_jwt needs a signing key: the file (PEM or JWK) of the client's private key"}
		}
	case flows.AuthClientSecretBasic, flows.AuthClientSecretPost, flows.AuthClientSecretJWT:
		if requireSecret && p.ClientSecret == "" {
			return &FieldError{Field: "client_secret", Message: fmt.Sprintf("%s%s needs a client secret: give a reference (keyring:, env:NAME, file:PATH or cmd:COMMAND), or choose auth_method none for a public client", method, set.methodOrigin)}
		}
	case flows.AuthTLSClient, flows.AuthSelfSignedTLSClient:
		if p.TLS.ClientCert == "" || p.TLS.ClientKey == "" {
			field := "tls.client_cert"
			if p.TLS.ClientCert != "" {
				field = "tls.client_key"
			}
			return &FieldError{Field: field, Message: fmt.Sprintf("%s%s authenticates the client with its TLS certificate (RFC 8705): set tls.client_cert and tls.client_key", method, set.methodOrigin)}
		}
	}
	switch p.ClientAssertionAud {
	case "", flows.AssertionAudTokenEndpoint, flows.AssertionAudIssuer:
	default:
		return &FieldError{Field: "client_assertion_aud", Message: fmt.Sprintf("%q is neither %s nor %s", p.ClientAssertionAud, flows.AssertionAudTokenEndpoint, flows.AssertionAudIssuer)}
	}
	if p.SigningKeyID != "" && p.SigningKey == "" {
		return &FieldError{Field: "signing_key_id", Message: "names the kid of a signing key, but the profile has no signing_key"}
	}
	for _, f := range [][2]string{{"signing_key", p.SigningKey}, {"decryption_key", p.DecryptionKey}} {
		if looksLikeKey(f[1]) {
			return &FieldError{Field: f[0], Message: "holds a key, not a file name: the profile keeps the path of the key file (PEM or JWK), never the key itself"}
		}
	}
	if p.SigningAlg != "" {
		if !slices.Contains(SigningAlgs(), p.SigningAlg) {
			return &FieldError{Field: "signing_alg", Message: fmt.Sprintf("unknown JWS algorithm %q; valid: %s", p.SigningAlg, strings.Join(SigningAlgs(), ", "))}
		}
		hmac := strings.HasPrefix(p.SigningAlg, "HS")
		switch {
		case method == flows.AuthClientSecretJWT && !hmac:
			return &FieldError{Field: "signing_alg", Message: fmt.Sprintf("client_secret_jwt signs with the secret, so it takes HS256, HS384 or HS512, not %s", p.SigningAlg)}
		case method == flows.AuthPrivateKeyJWT && hmac:
			return &FieldError{Field: "signing_alg", Message: fmt.Sprintf("private_key_jwt signs with a private key, so it takes RS*, PS*, ES* or EdDSA, not %s", p.SigningAlg)}
		}
	}
	return nil
}

// validateRun checks the defaults of a run: redirect URI, scopes, grant, parameters, PKCE, the
// authorization request's settings, TLS.
func (p *Profile) validateRun() error {
	if p.RedirectURI != "" {
		if err := checkRedirectURI(p.RedirectURI); err != nil {
			return err
		}
	}
	for _, s := range p.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return &FieldError{Field: "scopes", Message: fmt.Sprintf("%q is not a scope: a scope is one token without spaces, quotes or backslashes (RFC 6749 §3.3)", s)}
		}
	}
	if p.Grant != "" && !slices.Contains(Grants(), p.Grant) {
		return &FieldError{Field: "grant", Message: fmt.Sprintf("unknown grant %q; valid grants: %s", p.Grant, strings.Join(Grants(), ", "))}
	}
	for _, f := range [...]struct {
		field string
		v     url.Values
	}{{"auth_params", p.AuthParams}, {"token_params", p.TokenParams}} {
		for k := range f.v {
			if strings.TrimSpace(k) == "" {
				return &FieldError{Field: f.field, Message: "a parameter has an empty name"}
			}
		}
	}
	if p.PKCE != "" && !slices.Contains(PKCEMethods(), p.PKCE) {
		return &FieldError{Field: "pkce", Message: fmt.Sprintf("unknown PKCE method %q; use S256, plain or none", p.PKCE)}
	}
	if err := p.validateRequest(); err != nil {
		return err
	}
	if (p.TLS.ClientCert == "") != (p.TLS.ClientKey == "") {
		field := "tls.client_key"
		if p.TLS.ClientCert == "" {
			field = "tls.client_cert"
		}
		return &FieldError{Field: field, Message: "a client certificate needs both tls.client_cert and tls.client_key"}
	}
	return nil
}

// validateRequest checks the authorization request's settings: response type and mode, resource
// indicators, and which grant sends authorization_details. The DPoP key and the
// authorization_details file are read, and checked, when the profile is used (Client).
func (p *Profile) validateRequest() error {
	if p.ResponseType != "" {
		if _, ok := flows.NormalizeResponseType(p.ResponseType); !ok {
			return &FieldError{Field: "response_type", Message: fmt.Sprintf("unknown response_type %q; use %s", p.ResponseType, strings.Join(quoteSpaced(flows.ResponseTypes), ", "))}
		}
	}
	if p.ResponseMode != "" && !slices.Contains(flows.ResponseModes, p.ResponseMode) {
		return &FieldError{Field: "response_mode", Message: fmt.Sprintf("unknown response_mode %q; use %s", p.ResponseMode, strings.Join(flows.ResponseModes, ", "))}
	}
	if p.RequestObjectBy != "" && p.RequestObjectBy != flows.RequestByValue && p.RequestObjectBy != flows.RequestByReference {
		return &FieldError{Field: "request_object_by", Message: fmt.Sprintf("unknown request_object_by %q; use value or reference", p.RequestObjectBy)}
	}
	if p.CIBAMode != "" && !slices.Contains(flows.CIBAModes, p.CIBAMode) {
		return &FieldError{Field: "ciba_mode", Message: fmt.Sprintf("unknown ciba_mode %q; use %s", p.CIBAMode, strings.Join(flows.CIBAModes, ", "))}
	}
	if e := p.CIBANotificationEndpoint; e != "" && (!strings.HasPrefix(e, "http://") || !flows.IsLoopback(e)) {
		return &FieldError{Field: "ciba_notification_endpoint", Message: fmt.Sprintf("ciba_notification_endpoint %q is not an http loopback URL (127.0.0.1, [::1], localhost), which tokenbench can listen on", e)}
	}
	for _, r := range p.Resources {
		if msg := flows.ResourceProblem(r); msg != "" {
			return &FieldError{Field: "resources", Message: msg}
		}
	}
	if p.AuthorizationDetails != "" && p.Grant != "" {
		if gt, ok := GrantType(p.Grant); ok && !flows.SendsAuthorizationDetails(gt) {
			return &FieldError{Field: "authorization_details", Message: fmt.Sprintf("the profile's grant %s sends no authorization_details: they go on authorization_code (the authorization request), client_credentials and ciba only", p.Grant)}
		}
	}
	return nil
}

// quoteSpaced puts the values with spaces in quotes, for messages.
func quoteSpaced(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if strings.Contains(s, " ") {
			s = `"` + s + `"`
		}
		out[i] = s
	}
	return out
}

// checkURL checks an issuer or endpoint URL: absolute http or https, with a host, without a
// fragment (RFC 6749 §3.1, §3.2; RFC 8414 §2).
func checkURL(field, s string) *FieldError {
	bad := func(why string) *FieldError {
		return &FieldError{Field: field, Message: fmt.Sprintf("malformed URL %q: %s", s, why)}
	}
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\r\n") {
		return bad("it contains spaces")
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad(unwrapURLError(err))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("want an http:// or https:// URL")
	case u.Host == "" || u.Hostname() == "":
		return bad("it has no host")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return bad("an endpoint URL must not have a fragment (#…)")
	}
	return nil
}

// checkRedirectURI checks a redirect URI: absolute, without a fragment (RFC 6749 §3.1.2); a
// private-use scheme (com.example.app:/cb, RFC 8252 §7.1) is allowed, http and https need a host.
func checkRedirectURI(s string) *FieldError {
	bad := func(why string) *FieldError {
		return &FieldError{Field: "redirect_uri", Message: fmt.Sprintf("malformed URL %q: %s", s, why)}
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return bad("it contains spaces")
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad(unwrapURLError(err))
	}
	switch {
	case u.Scheme == "":
		return bad("a redirect URI must be absolute (RFC 6749 §3.1.2)")
	case (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() == "":
		return bad("it has no host")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return bad("a redirect URI must not have a fragment (RFC 6749 §3.1.2)")
	}
	return nil
}

// unwrapURLError drops url.Error's repetition of the URL.
func unwrapURLError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}

func joinAuthMethods() string {
	var names []string
	for _, m := range flows.AuthMethods() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}

// looksLikeKey reports whether a key field holds a PEM block or a JWK instead of a path.
func looksLikeKey(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "-----BEGIN") || strings.HasPrefix(s, "{")
}
