package profiles

import (
	"slices"
	"strings"

	"github.com/tokenbench/tokenbench/flows"
)

// FromRegistration is the profile of a client registered dynamically (RFC 7591) at issuer, as
// granted: its client_id and authentication method, the first redirect URI, the scopes, a default
// grant when the client cannot use the authorization code, and the CIBA delivery registered (OpenID
// CIBA Core §4). The secret is left for the caller to keep by reference.
func FromRegistration(name, issuer string, reg *flows.Registration) Profile {
	p := Profile{Name: name, Issuer: issuer, ClientID: reg.ClientID, AuthMethod: reg.AuthMethod(),
		Notes: "registered dynamically (RFC 7591); manage at " + reg.RegistrationClientURI}
	if uris := reg.Strings("redirect_uris"); len(uris) > 0 {
		p.RedirectURI = uris[0]
	}
	grants := reg.Strings("grant_types")
	if !slices.Contains(grants, flows.GrantAuthorizationCode) && slices.Contains(grants, flows.GrantClientCredentials) {
		p.Grant = "client_credentials"
	}
	if sc, _ := reg.Metadata["scope"].(string); sc != "" {
		p.Scopes = strings.Fields(sc)
	}
	if mode, _ := reg.Metadata["backchannel_token_delivery_mode"].(string); mode != "" && mode != flows.CIBAPoll {
		p.CIBAMode = mode
		p.CIBANotificationEndpoint, _ = reg.Metadata["backchannel_client_notification_endpoint"].(string)
		if p.Grant == "" && !slices.Contains(grants, flows.GrantAuthorizationCode) {
			p.Grant = "ciba"
		}
	}
	return p
}
