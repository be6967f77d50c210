package flows

import (
	"errors"
	"net/url"
	"slices"
)

// RequestExtras are the resource indicators (RFC 8707) and the authorization_details (RFC 9396) of
// a run, placed on the requests of the grant that sends them by Apply.
type RequestExtras struct {
	// Resources are resource indicators: absolute URIs of the APIs the token is for.
	Resources []string
	// AuthorizationDetails is the authorization_details value in compact form, as
	// ParseAuthorizationDetails returns it; empty for none.
	AuthorizationDetails string
}

// SendsAuthorizationDetails reports whether a grant (its grant_type) sends authorization_details: the
// authorization code grant on its authorization request (RFC 9396 §3), client_credentials on its
// token request (§6) and CIBA on its backchannel authentication request (GrantSpec).
func SendsAuthorizationDetails(grantType string) bool {
	g, ok := LookupGrant(grantType)
	return ok && g.AuthorizationDetails
}

// ErrAuthorizationDetailsGrant is Apply's error for authorization_details on a grant that does not
// send them.
var ErrAuthorizationDetailsGrant = errors.New("authorization_details are sent on the authorization code grant (its authorization request), client_credentials and ciba only")

// Apply adds the extras to the authorization and token parameters where the grant (a Grant*
// constant) sends them: RFC 9396 §3 and §6, RFC 8707 §2.1 and §2.2. Token exchange sends its
// resources itself (RFC 8693 §2.1), and CIBA's authorization_details go on the backchannel request
// (BackchannelParams). Both maps must be non-nil when there is something to add; the extras replace
// parameters of the same name.
func (x RequestExtras) Apply(grant string, authParams, tokenParams url.Values) error {
	if x.AuthorizationDetails != "" && !SendsAuthorizationDetails(grant) {
		return ErrAuthorizationDetailsGrant
	}
	switch grant {
	case GrantTokenExchange:
		return nil
	case GrantAuthorizationCode:
		if x.AuthorizationDetails != "" {
			authParams.Set("authorization_details", x.AuthorizationDetails)
		}
		if len(x.Resources) > 0 {
			authParams["resource"] = slices.Clone(x.Resources)
		}
	case GrantClientCredentials:
		if x.AuthorizationDetails != "" {
			tokenParams.Set("authorization_details", x.AuthorizationDetails)
		}
	}
	if len(x.Resources) > 0 {
		tokenParams["resource"] = slices.Clone(x.Resources)
	}
	return nil
}

// BackchannelParams are the extras of a CIBA backchannel authentication request.
func (x RequestExtras) BackchannelParams() url.Values {
	v := url.Values{}
	if x.AuthorizationDetails != "" {
		v.Set("authorization_details", x.AuthorizationDetails)
	}
	if len(x.Resources) > 0 {
		v["resource"] = slices.Clone(x.Resources)
	}
	return v
}
