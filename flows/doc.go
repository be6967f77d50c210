// Package flows performs every OAuth 2.0 and OpenID Connect exchange of tokenbench: discovery, the
// authorization request (PKCE, state, nonce), callback capture, every token grant, client authentication,
// token and id_token validation, userinfo, introspection, revocation and logout.
//
// Every request goes through one http.Client whose transport records each exchange in a Trace, so the
// TUI and the headless commands can show exactly what was sent and received. The package never prints,
// styles or reads files of its own accord: it knows nothing of terminals or profiles.
//
// golang.org/x/oauth2 builds the authorization URL and the PKCE verifier and challenge. Token requests go
// through one form-POST path (see postForm) for every grant, because tokenbench needs what x/oauth2's
// token path hides: the response members exactly as received, an error member honoured on HTTP 200, HTML
// pages recognised, client assertions on every grant (refresh and password included), and each device
// poll's answer reported as it comes.
package flows
