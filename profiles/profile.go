package profiles

import (
	"net/url"

	"github.com/tokenbench/tokenbench/flows"
	"go.yaml.in/yaml/v3"
)

// Profile is everything needed to run flows against one tenant: which provider (a vendor preset and
// its parameters, an issuer or discovery URL, endpoint overrides), which client (its id, a
// reference to its secret, how it authenticates), and the defaults of a run (redirect URI, scopes,
// grant, extra parameters, PKCE, TLS). Empty fields take the preset's value, then the flows package's
// default. The YAML names are those of profiles.yaml.
type Profile struct {
	// Name identifies the profile (`--profile NAME`); it is also the default keyring account.
	Name string `yaml:"name"`
	// Preset names a vendor preset (see LookupPreset), or is empty for none.
	Preset string `yaml:"preset,omitempty"`
	// Params are the preset's parameters: a tenant domain, a realm, a community …
	Params map[string]string `yaml:"params,omitempty"`
	// Issuer is the provider's issuer, or the URL of its discovery document; it overrides the
	// preset's.
	Issuer string `yaml:"issuer,omitempty"`
	// Endpoints override the preset's and the discovered endpoints, one by one.
	Endpoints Endpoints `yaml:"endpoints,omitempty"`
	// ClientID is the client_id.
	ClientID string `yaml:"client_id,omitempty"`
	// ClientSecret says where the client secret is kept; never the secret itself, unless
	// AllowPlainSecret is set.
	ClientSecret SecretRef `yaml:"client_secret,omitempty"`
	// AllowPlainSecret records the user's explicit choice (`--plain-secret`) to keep the secret in
	// clear in the file, as a plain: reference. Without it a plain: reference is refused.
	AllowPlainSecret bool `yaml:"allow_plain_secret,omitempty"`
	// AuthMethod is the client authentication at the token endpoint; empty means the preset's, or
	// private_key_jwt with a signing key, or the flows default.
	AuthMethod flows.AuthMethod `yaml:"auth_method,omitempty"`
	// SigningKey is the file (PEM or JWK) of the private key that signs private_key_jwt assertions.
	SigningKey string `yaml:"signing_key,omitempty"`
	// SigningKeyID is the kid the provider registered for the signing key, sent in the header of
	// what it signs; empty means the JWK's own kid, and none for a PEM key.
	SigningKeyID string `yaml:"signing_key_id,omitempty"`
	// DecryptionKey is the file (PEM or JWK, RSA or EC) of the client's private key that decrypts
	// encrypted id_tokens, JARM responses and userinfo (JWE); a path, never the key itself.
	DecryptionKey string `yaml:"decryption_key,omitempty"`
	// ClientAssertionAud is the aud of client assertions: token_endpoint (the default) or issuer.
	ClientAssertionAud string `yaml:"client_assertion_aud,omitempty"`
	// SigningAlg is the JWS algorithm of client assertions; empty means one suited to the key.
	SigningAlg string `yaml:"signing_alg,omitempty"`
	// RedirectURI is where the provider sends the authorization response.
	RedirectURI string `yaml:"redirect_uri,omitempty"`
	// Scopes override the preset's scopes.
	Scopes []string `yaml:"scopes,omitempty"`
	// Grant is the grant `tokenbench token` runs by default (see Grants).
	Grant string `yaml:"grant,omitempty"`
	// AuthParams are added to the authorization request; TokenParams to every token request. They
	// override the preset's parameters of the same name.
	AuthParams  url.Values `yaml:"auth_params,omitempty"`
	TokenParams url.Values `yaml:"token_params,omitempty"`
	// TokenHeaders are headers written "Name: value" added to every back-channel request (token,
	// PAR, device, CIBA, introspection, revocation), for gateways that want one; they replace the
	// preset's headers of the same name. Kept in clear in the file: not for secrets.
	TokenHeaders []string `yaml:"token_headers,omitempty"`
	// PKCE is the code challenge method: S256, plain or none; empty means S256.
	PKCE flows.PKCEMethod `yaml:"pkce,omitempty"`
	// PAR pushes the authorization request (RFC 9126); RequestObject sends its parameters as a
	// signed request object (RFC 9101), signed as private_key_jwt assertions are (else HS256 with
	// the client secret).
	PAR           bool `yaml:"par,omitempty"`
	RequestObject bool `yaml:"request_object,omitempty"`
	// RequestObjectBy is how the request object goes: "value" (the request parameter, the default)
	// or "reference" (request_uri, served by tokenbench on loopback: RFC 9101 §5.2); reference
	// implies RequestObject.
	RequestObjectBy string `yaml:"request_object_by,omitempty"`
	// CIBAMode is the CIBA token delivery mode the client is registered for: poll (the default),
	// ping or push (OpenID CIBA Core §5); CIBANotificationEndpoint is its registered client
	// notification endpoint (§4), an http loopback URL tokenbench serves for ping and push.
	CIBAMode                 string `yaml:"ciba_mode,omitempty"`
	CIBANotificationEndpoint string `yaml:"ciba_notification_endpoint,omitempty"`
	// DPoP binds tokens to a key with DPoP proofs (RFC 9449); DPoPKey is the key's file (PEM or JWK),
	// read when the profile is used (and implies DPoP). Without it a key is generated for each run.
	DPoP    bool   `yaml:"dpop,omitempty"`
	DPoPKey string `yaml:"dpop_key,omitempty"`
	// ResponseType and ResponseMode are the authorization request's response_type (one of
	// flows.ResponseTypes; empty: code) and response_mode (one of flows.ResponseModes).
	ResponseType string `yaml:"response_type,omitempty"`
	ResponseMode string `yaml:"response_mode,omitempty"`
	// Resources are resource indicators (RFC 8707): absolute URIs, without a fragment, of the APIs
	// the token is for; sent on the authorization and token requests.
	Resources []string `yaml:"resources,omitempty"`
	// AuthorizationDetails is a JSON file of authorization_details (RFC 9396), read and checked when
	// the profile is used; sent on the authorization code, client_credentials and ciba grants.
	AuthorizationDetails string `yaml:"authorization_details,omitempty"`
	// TLS configures the connection to the provider.
	TLS TLS `yaml:"tls,omitempty"`
	// Notes are free text for the user.
	Notes string `yaml:"notes,omitempty"`

	// raw is the profile's node as read (from profiles.yaml or an import); its unknown keys, a newer
	// version's, are written back with the profile.
	raw *yaml.Node
}

// Endpoints are endpoint URLs that override the preset's and the discovered ones.
type Endpoints struct {
	Authorization       string `yaml:"authorization,omitempty"`
	Token               string `yaml:"token,omitempty"`
	UserInfo            string `yaml:"userinfo,omitempty"`
	Introspection       string `yaml:"introspection,omitempty"`
	Revocation          string `yaml:"revocation,omitempty"`
	EndSession          string `yaml:"end_session,omitempty"`
	DeviceAuthorization string `yaml:"device_authorization,omitempty"`
	JWKS                string `yaml:"jwks,omitempty"`
	PushedAuthorization string `yaml:"pushed_authorization,omitempty"`
	// BackchannelAuthentication is CIBA's backchannel_authentication_endpoint.
	BackchannelAuthentication string `yaml:"backchannel_authentication,omitempty"`
}

// TLS is a profile's TLS settings.
type TLS struct {
	// CAFile is a PEM bundle of CA certificates trusted besides the system's.
	CAFile string `yaml:"ca_file,omitempty"`
	// ClientCert and ClientKey are PEM files of a client certificate for mutual TLS; both or neither.
	ClientCert string `yaml:"client_cert,omitempty"`
	ClientKey  string `yaml:"client_key,omitempty"`
	// Insecure skips certificate verification: for debugging only, and warned about on every use.
	Insecure bool `yaml:"insecure,omitempty"`
}

// Flows returns the endpoints as the flows package's type.
func (e Endpoints) Flows() flows.Endpoints {
	return flows.Endpoints{
		Authorization: e.Authorization, Token: e.Token, UserInfo: e.UserInfo,
		Introspection: e.Introspection, Revocation: e.Revocation, EndSession: e.EndSession,
		DeviceAuthorization: e.DeviceAuthorization, JWKS: e.JWKS,
		PushedAuthorization:       e.PushedAuthorization,
		BackchannelAuthentication: e.BackchannelAuthentication,
	}
}

// overrides lists the endpoints as Flows().List() does, or none when all are empty (as in most
// profiles, which a listing checks by thousands).
func (e Endpoints) overrides() []flows.NamedEndpoint {
	if e == (Endpoints{}) {
		return nil
	}
	return e.Flows().List()
}

// EndpointsFrom converts the flows package's endpoints.
func EndpointsFrom(e flows.Endpoints) Endpoints {
	return Endpoints{
		Authorization: e.Authorization, Token: e.Token, UserInfo: e.UserInfo,
		Introspection: e.Introspection, Revocation: e.Revocation, EndSession: e.EndSession,
		DeviceAuthorization: e.DeviceAuthorization, JWKS: e.JWKS,
		PushedAuthorization:       e.PushedAuthorization,
		BackchannelAuthentication: e.BackchannelAuthentication,
	}
}

// Set sets the endpoint with that YAML name (flows.EndpointNames) and reports whether it is known.
func (e *Endpoints) Set(name, url string) bool {
	f := e.Flows()
	ok := f.Set(name, url)
	*e = EndpointsFrom(f)
	return ok
}

// Grants lists the grants a profile may name as its default, as `tokenbench token --grant` spells
// them (flows.Grants, the one table of grants).
func Grants() []string {
	var names []string
	for _, g := range flows.Grants() {
		names = append(names, g.Name)
	}
	return names
}

// GrantType returns the grant type (a flows.Grant* constant) of a grant name of Grants, or false.
func GrantType(name string) (string, bool) {
	g, ok := flows.LookupGrant(name)
	if !ok || g.Name != name {
		return "", false
	}
	return g.Type, true
}

// PKCEMethods lists the PKCE choices.
func PKCEMethods() []flows.PKCEMethod {
	return []flows.PKCEMethod{flows.PKCES256, flows.PKCEPlain, flows.PKCENone}
}

// SigningAlgs lists the JWS algorithms a client assertion may use: HS* for client_secret_jwt, the
// others for private_key_jwt.
func SigningAlgs() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512"}
}

// Clone returns a deep copy of p, so that changing the copy's maps and slices leaves p alone.
func (p Profile) Clone() Profile {
	p.detach() // p is a copy already
	return p
}

// detach gives p copies of its maps and slices of its own: what Clone does, in place (a listing
// clones thousands of profiles, each large).
func (p *Profile) detach() {
	if p.Params != nil {
		params := make(map[string]string, len(p.Params))
		for k, v := range p.Params {
			params[k] = v
		}
		p.Params = params
	}
	if p.Scopes != nil {
		p.Scopes = append([]string(nil), p.Scopes...)
	}
	if p.Resources != nil {
		p.Resources = append([]string(nil), p.Resources...)
	}
	if p.TokenHeaders != nil {
		p.TokenHeaders = append([]string(nil), p.TokenHeaders...)
	}
	p.AuthParams = cloneValues(p.AuthParams)
	p.TokenParams = cloneValues(p.TokenParams)
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// Warnings are what the user should hear about each time the profile is used: a secret kept in
// clear in the file, TLS verification turned off.
func (p Profile) Warnings() []string {
	var w []string
	if p.ClientSecret.Kind() == SecretPlain {
		w = append(w, "profile "+quote(p.Name)+" keeps its client secret in clear in the profile file (plain:); move it to the OS keyring: tokenbench profile edit "+p.Name+" --client-secret-ref keyring:")
	}
	if p.TLS.Insecure {
		w = append(w, "profile "+quote(p.Name)+" sets tls.insecure: TLS certificates are not verified; anyone on the network path can read and change this traffic")
	}
	return w
}

func quote(s string) string { return `"` + s + `"` }
