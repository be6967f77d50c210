package flows

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// AuthMethod is a client authentication method at the token endpoint (RFC 6749 §2.3, OpenID Connect
// Core §9).
type AuthMethod string

// The client authentication methods tokenbench supports.
const (
	AuthClientSecretBasic AuthMethod = "client_secret_basic"
	AuthClientSecretPost  AuthMethod = "client_secret_post"
	AuthNone              AuthMethod = "none"
	AuthClientSecretJWT   AuthMethod = "client_secret_jwt"
	AuthPrivateKeyJWT     AuthMethod = "private_key_jwt"
	// AuthTLSClient and AuthSelfSignedTLSClient authenticate with the client certificate of mutual
	// TLS (RFC 8705 §2.1, §2.2): the form carries only client_id.
	AuthTLSClient           AuthMethod = "tls_client_auth"
	AuthSelfSignedTLSClient AuthMethod = "self_signed_tls_client_auth"
)

// AuthMethods lists every supported client authentication method.
func AuthMethods() []AuthMethod {
	return []AuthMethod{AuthClientSecretBasic, AuthClientSecretPost, AuthNone, AuthClientSecretJWT, AuthPrivateKeyJWT, AuthTLSClient, AuthSelfSignedTLSClient}
}

// ParseAuthMethod returns the method with that name, or false.
func ParseAuthMethod(s string) (AuthMethod, bool) {
	for _, m := range AuthMethods() {
		if string(m) == s {
			return m, true
		}
	}
	return "", false
}

// UsesSecret reports whether the method uses the client secret. The empty method does: flows then
// picks client_secret_basic when there is a secret.
func (m AuthMethod) UsesSecret() bool {
	return m != AuthNone && m != AuthPrivateKeyJWT && m != AuthTLSClient && m != AuthSelfSignedTLSClient
}

// PKCEMethod is the code_challenge_method of RFC 7636, or PKCENone to send no challenge.
type PKCEMethod string

// The PKCE choices; S256 is the default (RFC 9700 §2.1.1).
const (
	PKCES256  PKCEMethod = "S256"
	PKCEPlain PKCEMethod = "plain"
	PKCENone  PKCEMethod = "none"
)

// Endpoints are a provider's endpoint URLs. Empty fields are filled from discovery.
type Endpoints struct {
	Authorization       string
	Token               string
	UserInfo            string
	Introspection       string
	Revocation          string
	EndSession          string
	DeviceAuthorization string
	JWKS                string
	// PushedAuthorization is RFC 9126's pushed_authorization_request_endpoint.
	PushedAuthorization string
	// BackchannelAuthentication is OpenID CIBA Core's backchannel_authentication_endpoint.
	BackchannelAuthentication string
}

// endpointNames name the endpoints in profiles, presets and views: the RFC 8414 §2 member names
// without their _endpoint suffix, and jwks for jwks_uri. Their order is the order of fields.
var endpointNames = []string{"authorization", "token", "userinfo", "introspection", "revocation", "end_session", "device_authorization", "jwks", "pushed_authorization", "backchannel_authentication"}

// EndpointNames are the endpoints' names, in the order List gives them.
func EndpointNames() []string { return append([]string(nil), endpointNames...) }

// fields points at each endpoint, in the order of endpointNames.
func (e *Endpoints) fields() []*string {
	return []*string{&e.Authorization, &e.Token, &e.UserInfo, &e.Introspection, &e.Revocation, &e.EndSession, &e.DeviceAuthorization, &e.JWKS, &e.PushedAuthorization, &e.BackchannelAuthentication}
}

// NamedEndpoint is one endpoint URL with its name.
type NamedEndpoint struct{ Name, URL string }

// List returns every endpoint with its name, empty ones included, in the order of EndpointNames.
func (e Endpoints) List() []NamedEndpoint {
	out := make([]NamedEndpoint, len(endpointNames))
	for i, f := range e.fields() {
		out[i] = NamedEndpoint{endpointNames[i], *f}
	}
	return out
}

// Set sets the endpoint with that name and reports whether the name is known.
func (e *Endpoints) Set(name, url string) bool {
	for i, f := range e.fields() {
		if endpointNames[i] == name {
			*f = url
			return true
		}
	}
	return false
}

// Merge returns e with its empty fields taken from other.
func (e Endpoints) Merge(other Endpoints) Endpoints {
	theirs := other.fields()
	for i, f := range e.fields() {
		if *f == "" {
			*f = *theirs[i]
		}
	}
	return e
}

// ClientConfig is everything flows needs to act as one OAuth client against one provider.
type ClientConfig struct {
	// Issuer is the provider's issuer identifier; discovery starts from it.
	Issuer string
	// Endpoints override or replace what discovery finds.
	Endpoints Endpoints
	// ClientID and ClientSecret identify the client; the secret is empty for public clients and
	// private_key_jwt.
	ClientID     string
	ClientSecret string
	// AuthMethod is the client authentication at the token endpoint; empty means client_secret_basic
	// when there is a secret, none otherwise.
	AuthMethod AuthMethod
	// SigningKey signs private_key_jwt assertions; SigningAlg is its JWS algorithm (RS256, PS256, ES256),
	// chosen from the key when empty.
	SigningKey *jose.JSONWebKey
	SigningAlg string
	// ClientAssertionAudience is the aud of client assertions (client_secret_jwt, private_key_jwt):
	// AssertionAudTokenEndpoint (the default, OpenID Connect Core §9) or AssertionAudIssuer (RFC
	// 7523 §3 names the issuer first, and some providers accept nothing else).
	ClientAssertionAudience string
	// DecryptionKey is the client's private key (RSA or EC) that decrypts encrypted id_tokens,
	// JARM responses and userinfo answers (OpenID Connect Core §10.2, JARM §2.3); the provider
	// encrypts to its public part, registered as id_token_encrypted_response_alg / enc.
	DecryptionKey *jose.JSONWebKey
	// RedirectURI is where the provider sends the authorization response.
	RedirectURI string
	// Scopes are requested on authorize and on grants that take a scope, except refresh.
	Scopes []string
	// RefreshScopes are asked for on a refresh; none by default, which RFC 6749 §6 treats as the
	// scope originally granted. Asking again for Scopes fails where the user consented to fewer
	// (oidc-provider, Connect2id: invalid_scope).
	RefreshScopes []string
	// PKCE is the code challenge method; empty means S256.
	PKCE PKCEMethod
	// AuthParams are added to the authorization request; TokenParams to every token request.
	AuthParams  url.Values
	TokenParams url.Values
	// PAR pushes the authorization request to the pushed authorization request endpoint (RFC 9126),
	// with client authentication, so that the authorization URL carries only client_id and
	// request_uri. It is used also when the provider's metadata says
	// require_pushed_authorization_requests.
	PAR bool
	// RequestObject sends the authorization parameters as a signed request object (RFC 9101): by
	// value in the request parameter, or pushed with PAR. It is signed with SigningKey and
	// SigningAlg, or with HS256 and the client secret when there is no key.
	RequestObject bool
	// ResponseType and ResponseMode are the authorization request's response_type (one of
	// ResponseTypes; empty: code) and response_mode (one of ResponseModes; empty: the response
	// type's default). A response_type or response_mode in AuthParams wins.
	ResponseType string
	ResponseMode string
	// TokenHeaders are added to every back-channel POST (token, device, introspection, revocation),
	// for providers that want one: Entra ID wants Origin on token requests from SPA clients.
	TokenHeaders http.Header
	// DPoP binds tokens to a key (RFC 9449): every token request and resource call carries a DPoP
	// proof. DPoPKey is the key, a fresh ES256 one (Client.DPoPKey) when DPoP is on and none is
	// given; setting it turns DPoP on. DPoPAlg is the proofs' JWS algorithm, chosen from the key
	// when empty.
	DPoP    bool
	DPoPKey *jose.JSONWebKey
	DPoPAlg string
	// UserInfoSubjectClaim is the userinfo member that names the subject, compared with the
	// id_token's sub (OpenID Connect Core §5.3.2); empty means sub. Huawei OneAccess and Bamboo
	// Cloud IDaaS name it id (their presets' userinfo_subject quirk).
	UserInfoSubjectClaim string
	// LogoutRedirectParam is the logout URL's parameter for where to go after logout; empty means
	// post_logout_redirect_uri (OpenID Connect RP-Initiated Logout 1.0 §2). AWS Cognito's is
	// logout_uri (its preset's logout_redirect_param quirk).
	LogoutRedirectParam string
	// LogoutWithoutIDTokenHint says the provider's logout endpoint takes no id_token_hint, so none
	// is sent: AWS Cognito's /logout is not RP-Initiated Logout and knows only client_id and
	// logout_uri (its preset's logout_id_token_hint: false quirk).
	LogoutWithoutIDTokenHint bool
	// DirectAuthorize says the provider offers BlockID's direct authorize: the authorization request
	// POSTed with a proof_of_authentication_jwt instead of a browser sign-in (StartDirectAuthorization),
	// which the workbench then offers on its Authorize step (the blockid preset's direct_authorize
	// quirk).
	DirectAuthorize bool
}

// The choices of ClientConfig.ClientAssertionAudience.
const (
	AssertionAudTokenEndpoint = "token_endpoint"
	AssertionAudIssuer        = "issuer"
)

// authMethod resolves the default method.
func (c ClientConfig) authMethod() AuthMethod {
	switch {
	case c.AuthMethod != "":
		return c.AuthMethod
	case c.SigningKey != nil:
		return AuthPrivateKeyJWT
	case c.ClientSecret != "":
		return AuthClientSecretBasic
	default:
		return AuthNone
	}
}

// pkce resolves the default PKCE method.
func (c ClientConfig) pkce() PKCEMethod {
	if c.PKCE == "" {
		return PKCES256
	}
	return c.PKCE
}

// scope is the space-separated scope parameter.
func (c ClientConfig) scope() string { return strings.Join(c.Scopes, " ") }

// hasOpenID reports whether the openid scope is requested.
func (c ClientConfig) hasOpenID() bool {
	for _, s := range c.Scopes {
		if s == "openid" {
			return true
		}
	}
	return false
}
