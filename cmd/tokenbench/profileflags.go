package main

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// profileFlags are the flags of `profile add` and `profile edit`: one for every field of a profile.
// Only the flags given change anything.
type profileFlags struct {
	preset       string
	set          []string
	provider     providerFlags
	clientID     string
	secretRef    string
	plainSecret  string
	authMethod   string
	signingKey   string
	signingKeyID string
	assertionAud string
	signingAlg   string
	decryptKey   string
	redirectURI  string
	scopes       []string
	grant        string
	params       []string
	tokenParams  []string
	pkce         string
	// The authorization request's and the token's settings of issue 5.
	par           bool
	requestObject bool
	dpop          bool
	dpopKey       string
	responseType  string
	responseMode  string
	resources     []string
	details       string
	caFile        string
	clientCert    string
	clientKey     string
	insecure      bool
	notes         string
	unset         []string
}

func (f *profileFlags) register(fs *pflag.FlagSet, edit bool) {
	fs.StringVar(&f.preset, "preset", "", "vendor preset (tokenbench profile presets lists them)")
	fs.StringArrayVar(&f.set, "set", nil, "a preset parameter name=value (repeatable), e.g. --set domain=acme.okta.com; name= removes it")
	f.provider.register(fs)
	fs.StringVar(&f.clientID, "client-id", "", "the client_id")
	fs.StringVar(&f.secretRef, "client-secret-ref", "", "where the client secret is kept: keyring: (asks for it and stores it in the OS keyring), keyring:ACCOUNT, env:NAME, file:PATH or cmd:COMMAND")
	fs.StringVar(&f.plainSecret, "plain-secret", "", "keep the client secret in clear in the profile file (not recommended: prefer --client-secret-ref)")
	fs.StringVar(&f.authMethod, "auth-method", "", "client authentication: "+authMethodList()+" (default: the preset's; private_key_jwt with --signing-key; else client_secret_basic with a secret, none without)")
	fs.StringVar(&f.signingKey, "signing-key", "", "private key file (PEM or JWK) for private_key_jwt")
	fs.StringVar(&f.assertionAud, "client-assertion-aud", "", "aud of client assertions: token_endpoint (default) or issuer")
	fs.StringVar(&f.signingKeyID, "signing-key-id", "", "the kid the provider registered for the signing key (default: the JWK's own kid; none for a PEM key)")
	fs.StringVar(&f.signingAlg, "signing-alg", "", "JWS algorithm of client assertions (RS256, PS256, ES256, HS256 …; default from the key)")
	fs.StringVar(&f.decryptKey, "decryption-key", "", "private key file (PEM or JWK, RSA or EC) that decrypts encrypted id_tokens, JARM responses and userinfo")
	fs.StringVar(&f.redirectURI, "redirect-uri", "", "redirect URI (default for token: http://127.0.0.1:0/callback)")
	fs.StringArrayVar(&f.scopes, "scope", nil, "scopes, space- or comma-separated (repeatable; default: the preset's)")
	fs.StringVar(&f.grant, "grant", "", "default grant of tokenbench token: "+strings.Join(profiles.Grants(), ", "))
	fs.StringArrayVar(&f.params, "param", nil, "extra authorization request parameter k=v (repeatable; replaces the profile's)")
	fs.StringArrayVar(&f.tokenParams, "token-param", nil, "extra token request parameter k=v (repeatable; replaces the profile's)")
	fs.StringVar(&f.pkce, "pkce", "", "PKCE method: S256 (default), plain or none")
	fs.BoolVar(&f.par, "par", false, "push the authorization request (PAR, RFC 9126); --par=false turns it off")
	fs.BoolVar(&f.requestObject, "request-object", false, "send the authorization parameters as a signed request object (JAR, RFC 9101); --request-object=false turns it off")
	fs.BoolVar(&f.dpop, "dpop", false, "bind tokens to a key with DPoP proofs (RFC 9449); --dpop=false turns it off")
	fs.StringVar(&f.dpopKey, "dpop-key", "", "the DPoP key, a PEM or JWK file; generated (ES256) there on first use when it does not exist (implies --dpop)")
	fs.StringVar(&f.responseType, "response-type", "", "response_type: "+strings.Join(quoted(flows.ResponseTypes), ", ")+" (default code)")
	fs.StringVar(&f.responseMode, "response-mode", "", "response_mode: "+strings.Join(flows.ResponseModes, ", "))
	fs.StringArrayVar(&f.resources, "resource", nil, "a resource indicator (RFC 8707), an absolute URI (repeatable; replaces the profile's)")
	fs.StringVar(&f.details, "authorization-details", "", "a JSON file of authorization_details (RFC 9396), read when the profile is used")
	fs.StringVar(&f.caFile, "ca-file", "", "PEM file of CA certificates to trust besides the system's")
	fs.StringVar(&f.clientCert, "client-cert", "", "PEM client certificate for mutual TLS (with --client-key)")
	fs.StringVar(&f.clientKey, "client-key", "", "PEM private key of --client-cert")
	fs.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification (dangerous: for debugging only)")
	fs.StringVar(&f.notes, "notes", "", "free text about the tenant")
	if edit {
		fs.StringArrayVar(&f.unset, "unset", nil, "clear a field (repeatable): "+strings.Join(unsettable(), ", "))
	}
}

// unsettable are the fields --unset clears.
func unsettable() []string {
	names := []string{"preset", "params", "issuer", "endpoints"}
	for _, e := range flows.EndpointNames() {
		names = append(names, "endpoints."+e)
	}
	return append(names, "client_secret", "auth_method", "signing_key", "signing_key_id", "client_assertion_aud", "signing_alg", "decryption_key", "redirect_uri", "scopes", "grant",
		"auth_params", "token_params", "pkce", "par", "request_object", "dpop", "dpop_key", "response_type", "response_mode",
		"resources", "authorization_details", "tls", "tls.ca_file", "tls.client_cert", "tls.client_key", "tls.insecure", "notes")
}

// apply lays the given flags over p. It reports whether anything was given.
func (f *profileFlags) apply(p *profiles.Profile, fs *pflag.FlagSet) (bool, error) {
	for _, field := range f.unset {
		if err := unsetField(p, field); err != nil {
			return false, err
		}
	}
	given := len(f.unset) > 0
	str := func(name string, dst *string, value string) {
		if fs.Changed(name) {
			*dst, given = strings.TrimSpace(value), true
		}
	}
	path := func(name string, dst *string, value string) {
		if fs.Changed(name) {
			*dst, given = absPath(value), true
		}
	}
	oldPreset := p.Preset
	str("preset", &p.Preset, f.preset)
	if p.Preset != oldPreset {
		keepDeclaredParams(p)
	}
	str("issuer", &p.Issuer, f.provider.issuer)
	ep := f.provider.endpoints
	for _, e := range []struct {
		flag string
		dst  *string
		v    string
	}{
		{"authorization-endpoint", &p.Endpoints.Authorization, ep.Authorization},
		{"token-endpoint", &p.Endpoints.Token, ep.Token},
		{"userinfo-endpoint", &p.Endpoints.UserInfo, ep.UserInfo},
		{"introspection-endpoint", &p.Endpoints.Introspection, ep.Introspection},
		{"revocation-endpoint", &p.Endpoints.Revocation, ep.Revocation},
		{"end-session-endpoint", &p.Endpoints.EndSession, ep.EndSession},
		{"device-authorization-endpoint", &p.Endpoints.DeviceAuthorization, ep.DeviceAuthorization},
		{"jwks-uri", &p.Endpoints.JWKS, ep.JWKS},
		{"pushed-authorization-endpoint", &p.Endpoints.PushedAuthorization, ep.PushedAuthorization},
	} {
		str(e.flag, e.dst, e.v)
	}
	str("client-id", &p.ClientID, f.clientID)
	var method string
	str("auth-method", &method, f.authMethod)
	if fs.Changed("auth-method") {
		p.AuthMethod = flows.AuthMethod(method)
	}
	path("signing-key", &p.SigningKey, f.signingKey)
	str("signing-key-id", &p.SigningKeyID, f.signingKeyID)
	str("client-assertion-aud", &p.ClientAssertionAud, f.assertionAud)
	str("signing-alg", &p.SigningAlg, f.signingAlg)
	path("decryption-key", &p.DecryptionKey, f.decryptKey)
	str("redirect-uri", &p.RedirectURI, f.redirectURI)
	str("grant", &p.Grant, f.grant)
	str("notes", &p.Notes, f.notes)
	path("ca-file", &p.TLS.CAFile, f.caFile)
	path("client-cert", &p.TLS.ClientCert, f.clientCert)
	path("client-key", &p.TLS.ClientKey, f.clientKey)
	if fs.Changed("insecure") {
		p.TLS.Insecure, given = f.insecure, true
	}
	f.applyRequest(p, fs, &given)
	if err := f.applyLists(p, fs, &given); err != nil {
		return given, err
	}
	return given, f.applySecret(p, fs, &given)
}

// applyRequest applies the authorization request's and the token's settings: --par,
// --request-object, --dpop, --dpop-key, --response-type, --response-mode, --resource and
// --authorization-details.
func (f *profileFlags) applyRequest(p *profiles.Profile, fs *pflag.FlagSet, given *bool) {
	for _, b := range []struct {
		flag string
		dst  *bool
		v    bool
	}{{"par", &p.PAR, f.par}, {"request-object", &p.RequestObject, f.requestObject}, {"dpop", &p.DPoP, f.dpop}} {
		if fs.Changed(b.flag) {
			*b.dst, *given = b.v, true
		}
	}
	if fs.Changed("dpop-key") {
		p.DPoPKey, *given = absPath(f.dpopKey), true
	}
	if fs.Changed("response-type") {
		rt, _ := flows.NormalizeResponseType(f.responseType)
		p.ResponseType, *given = rt, true // Validate names an unknown one
	}
	if fs.Changed("response-mode") {
		p.ResponseMode, *given = strings.TrimSpace(f.responseMode), true
	}
	if fs.Changed("resource") {
		p.Resources = nil
		for _, r := range f.resources {
			if r = strings.TrimSpace(r); r != "" {
				p.Resources = append(p.Resources, r)
			}
		}
		*given = true
	}
	if fs.Changed("authorization-details") {
		p.AuthorizationDetails, *given = absPath(f.details), true
	}
}

// applyLists applies --set, --scope, --param, --token-param and --pkce.
func (f *profileFlags) applyLists(p *profiles.Profile, fs *pflag.FlagSet, given *bool) error {
	for _, kv := range f.set {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return usagef("--set %q: expected name=value", kv)
		}
		k = strings.TrimSpace(k)
		if p.Params == nil {
			p.Params = map[string]string{}
		}
		if v = strings.TrimSpace(v); v == "" {
			delete(p.Params, k)
		} else {
			p.Params[k] = v
		}
		*given = true
	}
	if len(p.Params) == 0 {
		p.Params = nil
	}
	if fs.Changed("scope") {
		p.Scopes = nil
		for _, s := range f.scopes {
			p.Scopes = append(p.Scopes, splitScopes(s)...)
		}
		*given = true
	}
	for _, kv := range []struct {
		flag  string
		items []string
		dst   *url.Values
	}{{"--param", f.params, &p.AuthParams}, {"--token-param", f.tokenParams, &p.TokenParams}} {
		if !fs.Changed(strings.TrimPrefix(kv.flag, "--")) {
			continue
		}
		v, err := parseKV(kv.flag, kv.items)
		if err != nil {
			return err
		}
		*kv.dst, *given = v, true
	}
	if fs.Changed("pkce") {
		m, ok := parsePKCE(f.pkce)
		if !ok {
			return usagef("unknown --pkce %q; use S256, plain or none", f.pkce)
		}
		p.PKCE, *given = m, true
	}
	return nil
}

// applySecret applies --client-secret-ref and --plain-secret.
func (f *profileFlags) applySecret(p *profiles.Profile, fs *pflag.FlagSet, given *bool) error {
	ref, plain := fs.Changed("client-secret-ref"), fs.Changed("plain-secret")
	switch {
	case ref && plain:
		return usagef("give --client-secret-ref or --plain-secret, not both")
	case ref:
		r, err := profiles.ParseSecretRef(f.secretRef)
		if err != nil {
			return usagef("--client-secret-ref: %v", err)
		}
		if r.Kind() == profiles.SecretFile {
			r = profiles.SecretRef("file:" + absPath(r.Target()))
		}
		p.ClientSecret, p.AllowPlainSecret, *given = r, false, true
	case plain:
		if f.plainSecret == "" {
			return usagef("--plain-secret needs the secret")
		}
		p.ClientSecret, p.AllowPlainSecret, *given = profiles.SecretRef("plain:"+f.plainSecret), true, true
	}
	return nil
}

// keepDeclaredParams drops the parameters the profile's (new) preset does not take: a tenant
// domain of one vendor means nothing to another.
func keepDeclaredParams(p *profiles.Profile) {
	preset, ok := profiles.LookupPreset(p.Preset)
	if !ok {
		return
	}
	for name := range p.Params {
		if !slices.ContainsFunc(preset.Params, func(pp profiles.PresetParam) bool { return pp.Name == name }) {
			delete(p.Params, name)
		}
	}
}

// unsetField clears one field for --unset.
func unsetField(p *profiles.Profile, field string) error {
	if name, ok := strings.CutPrefix(field, "params."); ok {
		delete(p.Params, name)
		return nil
	}
	if name, ok := strings.CutPrefix(field, "endpoints."); ok && slices.Contains(flows.EndpointNames(), name) {
		p.Endpoints.Set(name, "")
		return nil
	}
	switch field {
	case "preset":
		p.Preset, p.Params = "", nil
	case "params":
		p.Params = nil
	case "issuer":
		p.Issuer = ""
	case "endpoints":
		p.Endpoints = profiles.Endpoints{}
	case "client_secret":
		p.ClientSecret, p.AllowPlainSecret = "", false
	case "auth_method":
		p.AuthMethod = ""
	case "signing_key":
		p.SigningKey = ""
	case "signing_key_id":
		p.SigningKeyID = ""
	case "client_assertion_aud":
		p.ClientAssertionAud = ""
	case "signing_alg":
		p.SigningAlg = ""
	case "decryption_key":
		p.DecryptionKey = ""
	case "redirect_uri":
		p.RedirectURI = ""
	case "scopes":
		p.Scopes = nil
	case "grant":
		p.Grant = ""
	case "auth_params":
		p.AuthParams = nil
	case "token_params":
		p.TokenParams = nil
	case "pkce":
		p.PKCE = ""
	case "par":
		p.PAR = false
	case "request_object":
		p.RequestObject = false
	case "dpop":
		p.DPoP, p.DPoPKey = false, ""
	case "dpop_key":
		p.DPoPKey = ""
	case "response_type":
		p.ResponseType = ""
	case "response_mode":
		p.ResponseMode = ""
	case "resources":
		p.Resources = nil
	case "authorization_details":
		p.AuthorizationDetails = ""
	case "tls":
		p.TLS = profiles.TLS{}
	case "tls.ca_file":
		p.TLS.CAFile = ""
	case "tls.client_cert", "tls.client_key":
		p.TLS.ClientCert, p.TLS.ClientKey = "", ""
	case "tls.insecure":
		p.TLS.Insecure = false
	case "notes":
		p.Notes = ""
	default:
		return usagef("--unset %q: not a field; valid: %s, params.NAME", field, strings.Join(unsettable(), ", "))
	}
	return nil
}

// splitScopes splits on spaces and commas.
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// parsePKCE reads a PKCE method, ignoring case.
func parsePKCE(s string) (flows.PKCEMethod, bool) {
	for _, m := range profiles.PKCEMethods() {
		if strings.EqualFold(s, string(m)) {
			return m, true
		}
	}
	return "", false
}

// absPath makes a file path absolute, so the profile works from any directory; ~/ is kept (it is
// expanded when the file is read).
func absPath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" || p == "~" || strings.HasPrefix(p, "~/") || filepath.IsAbs(p) {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// fieldFlags name the flag that sets each field, for messages.
var fieldFlags = map[string]string{
	"name": "the NAME argument", "preset": "--preset", "params": "--set", "issuer": "--issuer",
	"endpoints.authorization": "--authorization-endpoint", "endpoints.token": "--token-endpoint",
	"endpoints.userinfo": "--userinfo-endpoint", "endpoints.introspection": "--introspection-endpoint",
	"endpoints.revocation": "--revocation-endpoint", "endpoints.end_session": "--end-session-endpoint",
	"endpoints.device_authorization": "--device-authorization-endpoint", "endpoints.jwks": "--jwks-uri",
	"client_id": "--client-id", "client_secret": "--client-secret-ref", "auth_method": "--auth-method",
	"signing_key": "--signing-key", "signing_key_id": "--signing-key-id", "client_assertion_aud": "--client-assertion-aud", "signing_alg": "--signing-alg", "decryption_key": "--decryption-key", "redirect_uri": "--redirect-uri",
	"scopes": "--scope", "grant": "--grant", "auth_params": "--param", "token_params": "--token-param",
	"pkce": "--pkce", "endpoints.pushed_authorization": "--pushed-authorization-endpoint",
	"par": "--par", "request_object": "--request-object", "dpop": "--dpop", "dpop_key": "--dpop-key",
	"response_type": "--response-type", "response_mode": "--response-mode", "resources": "--resource",
	"authorization_details": "--authorization-details", "tls.ca_file": "--ca-file", "tls.client_cert": "--client-cert", "tls.client_key": "--client-key",
}

// profileFieldError says which profile and field are wrong, and which flag sets the field.
func profileFieldError(name string, err error) error {
	var fe *profiles.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	flag := fieldFlags[fe.Field]
	if p, ok := strings.CutPrefix(fe.Field, "params."); ok {
		flag = "--set " + p + "=…"
	}
	msg := fmt.Sprintf("profile %q: %s: %s", name, fe.Field, fe.Message)
	if flag != "" {
		msg += " (" + flag + ")"
	}
	return usageError{msg}
}
