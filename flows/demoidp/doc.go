// Package demoidp is tokenbench's built-in OpenID provider. It serves the
// OAuth 2.0 and OpenID Connect endpoints over real HTTP on a loopback address,
// with a fixed demo user and a fixed set of demo clients, so that a learner can
// run every flow with nothing to set up and tests can exercise the flows
// package against a provider that follows the RFCs.
//
// # Independent of the client
//
// The provider is its own reading of the RFCs, written apart from the client
// (package flows) and importing nothing of it, nor of profiles or the TUI: it
// is the check on the client. A provider that shared the client's parsing,
// signing or validation would agree with the client's mistakes, and the tests
// that run flows against it would prove nothing. Its test helper, package
// demoidptest, keeps to the same rule, and TestProviderIsIndependent fails if
// either imports more of tokenbench than assets.
//
// # Endpoints
//
// Every endpoint is a path under Provider.Issuer:
//
//	/.well-known/openid-configuration    discovery (OIDC Discovery 1.0)
//	/.well-known/oauth-authorization-server  the same document (RFC 8414)
//	/jwks                                signing keys
//	/authorize                           authorization endpoint (GET; POST from its consent page)
//	/v1/authorize                        BlockID-style direct authorization (POST)
//	/token                               token endpoint
//	/device_authorization, /device       device authorization grant (RFC 8628)
//	/userinfo                            UserInfo (GET or POST, bearer token)
//	/introspect, /revoke                 RFC 7662, RFC 7009
//	/logout                              RP-Initiated Logout 1.0
//
// # Demo user and clients
//
// The demo user signs in as demo / demo and has the subject demo-user-1. The
// clients, each accepting only its registered authentication method, are:
//
//	demo-basic            demo-basic-secret                           client_secret_basic
//	demo-post             demo-post-secret                            client_secret_post
//	demo-public           (none; PKCE required)                       none
//	demo-jwt              demo-jwt-secret-0123456789abcdefghijklmnop  client_secret_jwt (HS256)
//	demo-private-key-jwt  (keys in assets/demo)                       private_key_jwt (RS256, PS256, ES256)
//	demo:special+id       se:cr/et+%&=                                client_secret_basic
//
// The last one exists to exercise RFC 6749 §2.3.1: the id and secret must be
// form-encoded before HTTP Basic encoding. Every client may redirect to any
// http loopback URI (127.0.0.1, [::1], localhost; any port and path) and to
// https://app.example.com/callback.
//
// # Faults
//
// The provider can misbehave on purpose (see Faults and FaultNames): issue
// expired codes, sign with an unpublished key, skew its clock, answer with an
// HTML error page, and so on, so that the checks on the client side can be
// watched catching it. *Faults implements flag.Value, so a repeated
// command-line flag can turn on several.
//
// All state lives in memory and is safe for concurrent use.
package demoidp
