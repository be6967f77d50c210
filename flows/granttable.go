package flows

// The one table of grants: each grant's grant_type, the short name the command line, profiles and
// the workbench use, how its authorization starts, and what it sends. Every layer ranges over it.

// GrantStart says how a grant's authorization starts, before its token request.
type GrantStart int

// How authorization starts.
const (
	// StartAtToken: the token request is the whole grant (client credentials, password, assertions,
	// token exchange, refresh).
	StartAtToken GrantStart = iota
	// StartInBrowser: the authorization request goes through the user's browser and comes back to a
	// redirect URI (RFC 6749 §4.1).
	StartInBrowser
	// StartOnDevice: the device authorization request, then the user signs in elsewhere (RFC 8628).
	StartOnDevice
	// StartByBackchannel: the backchannel authentication request (OpenID CIBA Core §7).
	StartByBackchannel
)

// GrantSpec describes one grant.
type GrantSpec struct {
	// Name is the short name: --grant, a profile's grant, the workbench's choice.
	Name string
	// Type is the grant_type parameter (RFC 6749 §4, the URNs of RFC 7522, 7523, 8628, 8693 and CIBA).
	Type string
	// Start says how its authorization starts.
	Start GrantStart
	// ForUser reports that the grant acts for a user (who signs in, or whom an assertion names), so
	// that it asks for the user's scopes by default; the others ask for none unless told.
	ForUser bool
	// AuthorizationDetails reports that it sends authorization_details (RFC 9396): on the
	// authorization request (§3), the token request (§6) or the backchannel request.
	AuthorizationDetails bool
	// Summary says in one line what the grant does and where it is specified, for a list to choose
	// a grant from.
	Summary string
}

// grantTable lists the grants in the order the command line and the workbench offer them.
var grantTable = []GrantSpec{
	{Name: "authorization_code", Type: GrantAuthorizationCode, Start: StartInBrowser, ForUser: true, AuthorizationDetails: true, Summary: "a user signs in in the browser; the code comes back to the redirect URI (RFC 6749 §4.1)"},
	{Name: "refresh_token", Type: GrantRefreshToken, Summary: "a refresh token is traded for new tokens (RFC 6749 §6)"},
	{Name: "client_credentials", Type: GrantClientCredentials, AuthorizationDetails: true, Summary: "the client acts for itself, no user (RFC 6749 §4.4)"},
	{Name: "password", Type: GrantPassword, ForUser: true, Summary: "the client sends the user's username and password (RFC 6749 §4.3; RFC 9700 forbids it)"},
	{Name: "device_code", Type: GrantDeviceCode, Start: StartOnDevice, ForUser: true, Summary: "the user enters a code on another device while the client polls (RFC 8628)"},
	{Name: "jwt_bearer", Type: GrantJWTBearer, ForUser: true, Summary: "a signed JWT assertion is traded for a token (RFC 7523 §2.1)"},
	{Name: "saml2_bearer", Type: GrantSAML2Bearer, ForUser: true, Summary: "a SAML 2.0 assertion is traded for a token (RFC 7522 §2.1)"},
	{Name: "token_exchange", Type: GrantTokenExchange, Summary: "a token is traded for another: delegation, impersonation (RFC 8693)"},
	{Name: "ciba", Type: GrantCIBA, Start: StartByBackchannel, ForUser: true, AuthorizationDetails: true, Summary: "the provider asks the user on their own device while the client polls (OpenID CIBA Core)"},
}

// Grants lists every grant tokenbench performs.
func Grants() []GrantSpec { return append([]GrantSpec(nil), grantTable...) }

// LookupGrant finds a grant by its short name or its grant_type.
func LookupGrant(nameOrType string) (GrantSpec, bool) {
	for _, g := range grantTable {
		if g.Name == nameOrType || g.Type == nameOrType {
			return g, true
		}
	}
	return GrantSpec{}, false
}
