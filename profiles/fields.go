package profiles

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/tokenbench/tokenbench/flows"
)

// The registry of profile fields: each field's YAML key, the command-line flag that sets it, its
// label and help, and how it is read, written and cleared as text. The command line's flags (profile
// add / edit, --unset, the flags laid over --profile), the messages that name a field's flag and the
// workbench's form all range over it, so adding a field touches this table and the code that
// performs it.

// FieldKind says how a field's text is read.
type FieldKind int

// The kinds of fields.
const (
	// KindText is one line of text, trimmed.
	KindText FieldKind = iota
	// KindPath is a file name (the command line makes it absolute).
	KindPath
	// KindBool is on or off.
	KindBool
	// KindList is a list: each value given is split on spaces and commas (scopes), or taken whole
	// (resources).
	KindList
	// KindPairs are name=value parameters.
	KindPairs
)

// FieldGroup says what part of a run a field describes.
type FieldGroup int

// The groups of fields.
const (
	// GroupProvider fields name the provider: the issuer and the endpoints.
	GroupProvider FieldGroup = iota
	// GroupClient fields identify and authenticate the client.
	GroupClient
	// GroupRequest fields shape the requests of a run: redirect URI, scopes, grant, PKCE, PAR …
	GroupRequest
	// GroupTLS fields configure the connection.
	GroupTLS
	// GroupOther fields are the rest: the preset, notes.
	GroupOther
)

// Field is one field of a profile.
type Field struct {
	// Key is the field's YAML key, dotted below a section: endpoints.token, tls.ca_file.
	Key string
	// Flag is the command-line flag that sets it, without dashes.
	Flag string
	// Label names it in the workbench's form; Help says what it holds.
	Label, Help string
	Kind        FieldKind
	Group       FieldGroup

	get   func(*Profile) []string
	set   func(*Profile, []string) error
	clear func(*Profile)
	// value points at the field in a profile (*string, *bool, *[]string, *url.Values, or a string
	// type of flows), for the decoder of profile files (decodeProfile).
	value func(*Profile) any
}

// Get returns the field's value as text: one element, or several for a list or pairs (name=value);
// none when it is empty. A bool reads "true".
func (f Field) Get(p Profile) []string { return f.get(&p) }

// Set sets the field from text as Get returns it; an error says why the text is not a value.
func (f Field) Set(p *Profile, values []string) error { return f.set(p, values) }

// Clear empties the field.
func (f Field) Clear(p *Profile) { f.clear(p) }

// Fields lists every profile field in the order profiles.yaml and the form show them, but the name
// (the profile's key), the preset's parameters (params.NAME) and the client secret (a reference, set
// with its own care: SecretRef).
func Fields() []Field { return fields }

// LookupField returns the field with that YAML key.
func LookupField(key string) (Field, bool) {
	for _, f := range fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// textField is a one-line field kept in a string.
func textField(key, flag, label, help string, g FieldGroup, ptr func(*Profile) *string) Field {
	return Field{Key: key, Flag: flag, Label: label, Help: help, Kind: KindText, Group: g,
		get: func(p *Profile) []string { return nonEmpty(*ptr(p)) },
		set: func(p *Profile, v []string) error {
			*ptr(p) = strings.TrimSpace(strings.Join(v, " "))
			return nil
		},
		clear: func(p *Profile) { *ptr(p) = "" },
		value: func(p *Profile) any { return ptr(p) },
	}
}

// pathField is a file name kept in a string.
func pathField(key, flag, label, help string, g FieldGroup, ptr func(*Profile) *string) Field {
	f := textField(key, flag, label, help, g, ptr)
	f.Kind = KindPath
	return f
}

// boolField is a switch.
func boolField(key, flag, label, help string, g FieldGroup, ptr func(*Profile) *bool) Field {
	return Field{Key: key, Flag: flag, Label: label, Help: help, Kind: KindBool, Group: g,
		get: func(p *Profile) []string {
			if *ptr(p) {
				return []string{"true"}
			}
			return nil
		},
		set: func(p *Profile, v []string) error {
			s := strings.TrimSpace(strings.Join(v, ""))
			switch strings.ToLower(s) {
			case "true", "yes", "on", "1":
				*ptr(p) = true
			case "false", "no", "off", "0", "":
				*ptr(p) = false
			default:
				return fmt.Errorf("%q is neither true nor false", s)
			}
			return nil
		},
		clear: func(p *Profile) { *ptr(p) = false },
		value: func(p *Profile) any { return ptr(p) },
	}
}

// endpointField is one endpoint URL.
func endpointField(name, flag, what string) Field {
	return textField("endpoints."+name, flag, name, "URL of the "+what, GroupProvider,
		func(p *Profile) *string { return p.Endpoints.ptr(name) })
}

// ptr points at the endpoint with that name (flows.EndpointNames).
func (e *Endpoints) ptr(name string) *string {
	for _, f := range []struct {
		name string
		p    *string
	}{
		{"authorization", &e.Authorization}, {"token", &e.Token}, {"userinfo", &e.UserInfo},
		{"introspection", &e.Introspection}, {"revocation", &e.Revocation}, {"end_session", &e.EndSession},
		{"device_authorization", &e.DeviceAuthorization}, {"jwks", &e.JWKS},
		{"pushed_authorization", &e.PushedAuthorization}, {"backchannel_authentication", &e.BackchannelAuthentication},
	} {
		if f.name == name {
			return f.p
		}
	}
	panic("profiles: no endpoint " + name) // the registry names only known endpoints; a test checks all
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// splitList splits each value on spaces and commas.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })...)
	}
	return out
}

// trimmedValues are the values given, trimmed, without the empty ones, each accepted by check
// (any, when nil); the first one refused is the error.
func trimmedValues(values []string, check func(string) error) ([]string, error) {
	var out []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		if check != nil {
			if err := check(v); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// pairsField is name=value parameters.
func pairsField(key, flag, label, help string, ptr func(*Profile) *url.Values) Field {
	return Field{Key: key, Flag: flag, Label: label, Help: help, Kind: KindPairs, Group: GroupRequest,
		get: func(p *Profile) []string {
			var out []string
			for k, vs := range *ptr(p) {
				for _, v := range vs {
					out = append(out, k+"="+v)
				}
			}
			slices.Sort(out)
			return out
		},
		set: func(p *Profile, values []string) error {
			v := url.Values{}
			for _, it := range values {
				k, val, ok := strings.Cut(it, "=")
				if !ok || strings.TrimSpace(k) == "" {
					return fmt.Errorf("%q: expected name=value", it)
				}
				v.Add(strings.TrimSpace(k), val)
			}
			if len(v) == 0 {
				v = nil
			}
			*ptr(p) = v
			return nil
		},
		clear: func(p *Profile) { *ptr(p) = nil },
		value: func(p *Profile) any { return ptr(p) },
	}
}

// fields is the registry, in the order of profiles.yaml.
var fields = []Field{
	textField("issuer", "issuer", "issuer", "the provider's issuer URL, or its discovery document's; its metadata supplies the endpoints", GroupProvider, func(p *Profile) *string { return &p.Issuer }),
	endpointField("authorization", "authorization-endpoint", "authorization endpoint"),
	endpointField("token", "token-endpoint", "token endpoint"),
	endpointField("userinfo", "userinfo-endpoint", "userinfo endpoint"),
	endpointField("introspection", "introspection-endpoint", "introspection endpoint"),
	endpointField("revocation", "revocation-endpoint", "revocation endpoint"),
	endpointField("end_session", "end-session-endpoint", "end-session (logout) endpoint"),
	endpointField("device_authorization", "device-authorization-endpoint", "device authorization endpoint"),
	endpointField("jwks", "jwks-uri", "JWKS"),
	endpointField("pushed_authorization", "pushed-authorization-endpoint", "pushed authorization request endpoint (PAR, RFC 9126)"),
	endpointField("backchannel_authentication", "backchannel-authentication-endpoint", "backchannel authentication endpoint (CIBA)"),
	textField("client_id", "client-id", "client id", "the client_id", GroupClient, func(p *Profile) *string { return &p.ClientID }),
	{Key: "auth_method", Flag: "auth-method", Label: "auth method", Kind: KindText, Group: GroupClient,
		Help: "client authentication at the token endpoint: " + joinAuthMethods(),
		get:  func(p *Profile) []string { return nonEmpty(string(p.AuthMethod)) },
		set: func(p *Profile, v []string) error {
			p.AuthMethod = flows.AuthMethod(strings.TrimSpace(strings.Join(v, ""))) // validate names an unknown one
			return nil
		},
		clear: func(p *Profile) { p.AuthMethod = "" },
		value: func(p *Profile) any { return &p.AuthMethod }},
	pathField("signing_key", "signing-key", "signing key", "private key file (PEM or JWK) for private_key_jwt, request objects and assertions", GroupClient, func(p *Profile) *string { return &p.SigningKey }),
	textField("signing_key_id", "signing-key-id", "signing key id", "the kid the provider registered for the signing key (default: a JWK's own kid; none for a PEM key)", GroupClient, func(p *Profile) *string { return &p.SigningKeyID }),
	textField("client_assertion_aud", "client-assertion-aud", "client assertion aud", "aud of client assertions: token_endpoint (default, OpenID Connect Core §9) or issuer (RFC 7523 §3)", GroupClient, func(p *Profile) *string { return &p.ClientAssertionAud }),
	textField("signing_alg", "signing-alg", "signing alg", "JWS algorithm of client assertions (RS256, PS256, ES256, HS256 …; default from the key)", GroupClient, func(p *Profile) *string { return &p.SigningAlg }),
	pathField("decryption_key", "decryption-key", "decryption key", "private key file (PEM or JWK, RSA or EC) that decrypts encrypted id_tokens, JARM responses and userinfo", GroupClient, func(p *Profile) *string { return &p.DecryptionKey }),
	textField("redirect_uri", "redirect-uri", "redirect uri", "where the provider sends the authorization response (default "+DefaultRedirectURI+": loopback, any free port)", GroupRequest, func(p *Profile) *string { return &p.RedirectURI }),
	{Key: "scopes", Flag: "scope", Label: "scopes", Kind: KindList, Group: GroupRequest,
		Help:  "scopes, space- or comma-separated (default: the preset's, else " + strings.Join(DefaultUserScopes, " ") + ")",
		get:   func(p *Profile) []string { return p.Scopes },
		set:   func(p *Profile, v []string) error { p.Scopes = splitList(v); return nil },
		clear: func(p *Profile) { p.Scopes = nil },
		value: func(p *Profile) any { return &p.Scopes }},
	{Key: "grant", Flag: "grant", Label: "grant", Kind: KindText, Group: GroupRequest,
		Help: "the grant a run performs by default: " + strings.Join(Grants(), ", "),
		get:  func(p *Profile) []string { return nonEmpty(p.Grant) },
		set: func(p *Profile, v []string) error {
			p.Grant = strings.TrimSpace(strings.Join(v, "")) // validate names an unknown one
			return nil
		},
		clear: func(p *Profile) { p.Grant = "" },
		value: func(p *Profile) any { return &p.Grant }},
	pairsField("auth_params", "param", "auth params", "extra authorization request parameters name=value", func(p *Profile) *url.Values { return &p.AuthParams }),
	pairsField("token_params", "token-param", "token params", "extra token request parameters name=value", func(p *Profile) *url.Values { return &p.TokenParams }),
	{Key: "token_headers", Flag: "token-header", Label: "token headers", Kind: KindList, Group: GroupClient,
		Help: "a header 'Name: value' added to every token, PAR, device, CIBA, introspection and revocation request, for gateways that want one (kept in clear: not for secrets)",
		get:  func(p *Profile) []string { return p.TokenHeaders },
		set: func(p *Profile, v []string) error {
			h, err := trimmedValues(v, func(s string) error { _, _, err := ParseHeader(s); return err })
			if err == nil {
				p.TokenHeaders = h
			}
			return err
		},
		clear: func(p *Profile) { p.TokenHeaders = nil },
		value: func(p *Profile) any { return &p.TokenHeaders }},
	{Key: "pkce", Flag: "pkce", Label: "PKCE", Kind: KindText, Group: GroupRequest,
		Help: "PKCE method: S256 (default), plain or none",
		get:  func(p *Profile) []string { return nonEmpty(string(p.PKCE)) },
		set: func(p *Profile, v []string) error {
			s := strings.TrimSpace(strings.Join(v, ""))
			for _, m := range PKCEMethods() {
				if strings.EqualFold(s, string(m)) {
					p.PKCE = m
					return nil
				}
			}
			return fmt.Errorf("unknown PKCE method %q; use S256, plain or none", s)
		},
		clear: func(p *Profile) { p.PKCE = "" },
		value: func(p *Profile) any { return &p.PKCE }},
	boolField("par", "par", "PAR", "push the authorization request (PAR, RFC 9126)", GroupRequest, func(p *Profile) *bool { return &p.PAR }),
	boolField("request_object", "request-object", "request object", "send the authorization parameters as a signed request object (JAR, RFC 9101)", GroupRequest, func(p *Profile) *bool { return &p.RequestObject }),
	textField("request_object_by", "request-object-by", "request object by", "how the request object is sent: value (the request parameter, default) or reference (request_uri served by tokenbench on loopback, RFC 9101 §5.2, for a provider on this machine)", GroupRequest, func(p *Profile) *string { return &p.RequestObjectBy }),
	boolField("dpop", "dpop", "DPoP", "bind tokens to a key with DPoP proofs (RFC 9449)", GroupRequest, func(p *Profile) *bool { return &p.DPoP }),
	pathField("dpop_key", "dpop-key", "DPoP key", "the DPoP key, a PEM or JWK file; generated (ES256) there on first use when it does not exist (implies DPoP)", GroupRequest, func(p *Profile) *string { return &p.DPoPKey }),
	{Key: "response_type", Flag: "response-type", Label: "response type", Kind: KindText, Group: GroupRequest,
		Help: "response_type (default code)",
		get:  func(p *Profile) []string { return nonEmpty(p.ResponseType) },
		set: func(p *Profile, v []string) error {
			p.ResponseType, _ = flows.NormalizeResponseType(strings.Join(v, " ")) // validate names an unknown one
			return nil
		},
		clear: func(p *Profile) { p.ResponseType = "" },
		value: func(p *Profile) any { return &p.ResponseType }},
	textField("response_mode", "response-mode", "response mode", "response_mode: "+strings.Join(flows.ResponseModes, ", "), GroupRequest, func(p *Profile) *string { return &p.ResponseMode }),
	{Key: "resources", Flag: "resource", Label: "resources", Kind: KindList, Group: GroupRequest,
		Help: "resource indicators (RFC 8707): absolute URIs of the APIs the token is for",
		get:  func(p *Profile) []string { return p.Resources },
		set: func(p *Profile, v []string) error {
			p.Resources, _ = trimmedValues(v, nil)
			return nil
		},
		clear: func(p *Profile) { p.Resources = nil },
		value: func(p *Profile) any { return &p.Resources }},
	pathField("authorization_details", "authorization-details", "auth details", "a JSON file of authorization_details (RFC 9396), read when the profile is used", GroupRequest, func(p *Profile) *string { return &p.AuthorizationDetails }),
	textField("ciba_mode", "ciba-mode", "CIBA mode", "the CIBA token delivery mode the client is registered for: "+strings.Join(flows.CIBAModes, ", ")+" (default poll)", GroupRequest, func(p *Profile) *string { return &p.CIBAMode }),
	textField("ciba_notification_endpoint", "ciba-notification-endpoint", "CIBA notify URL", "the client notification endpoint registered for CIBA ping and push, an http loopback URL tokenbench listens on (e.g. http://127.0.0.1:8765/ciba)", GroupRequest, func(p *Profile) *string { return &p.CIBANotificationEndpoint }),
	pathField("tls.ca_file", "ca-file", "CA file", "PEM file of CA certificates to trust besides the system's", GroupTLS, func(p *Profile) *string { return &p.TLS.CAFile }),
	pathField("tls.client_cert", "client-cert", "client cert", "PEM client certificate for mutual TLS (with its key)", GroupTLS, func(p *Profile) *string { return &p.TLS.ClientCert }),
	pathField("tls.client_key", "client-key", "client key", "PEM private key of the client certificate", GroupTLS, func(p *Profile) *string { return &p.TLS.ClientKey }),
	boolField("tls.insecure", "insecure", "insecure TLS", "skip TLS certificate verification (dangerous: for debugging only)", GroupTLS, func(p *Profile) *bool { return &p.TLS.Insecure }),
	textField("notes", "notes", "notes", "free text about the tenant", GroupOther, func(p *Profile) *string { return &p.Notes }),
}
