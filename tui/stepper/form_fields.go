package stepper

import (
	"github.com/tokenbench/tokenbench/flows"
)

// The request form's fields: their names, which are choices and their options, which hold
// secrets.

// fieldID names a field of the form. visible gives the order they are shown in.
type fieldID int

const (
	fieldGrant fieldID = iota
	fieldScope
	fieldPrompt
	fieldLoginHint
	fieldMaxAge
	fieldExtra
	fieldPKCE
	fieldUsername
	fieldPassword
	fieldTarget
	// The parameters of the newer features: response type and mode (OAuth 2.0 Multiple Response
	// Type Encoding Practices, JARM), PAR (RFC 9126), request objects (RFC 9101), DPoP (RFC 9449),
	// resource indicators (RFC 8707), rich authorization requests (RFC 9396), the assertion grants
	// (RFC 7523, RFC 7522), token exchange (RFC 8693) and CIBA.
	fieldResponseType
	fieldResponseMode
	fieldPAR
	fieldRequestObject
	fieldBindingMessage
	fieldIDTokenHint
	fieldUserCode
	fieldLoginHintToken
	fieldRequestedExpiry
	fieldAssertionIssuer
	fieldAssertionSubject
	fieldAssertionAudience
	fieldAssertionLifetime
	fieldAssertionKey
	fieldAssertionFile
	fieldSubjectSource
	fieldSubjectToken
	fieldSubjectType
	fieldRequestedType
	fieldActorToken
	fieldActorType
	fieldAudience
	fieldResources
	fieldAuthzDetails
	fieldDPoP
	// fieldProofJWT is BlockID's proof_of_authentication_jwt: given, Authorize posts the request
	// with it (the direct authorize) instead of sending a browser.
	fieldProofJWT
	numFields
)

// secret reports a field whose value is a credential or a token: masked like every secret, on
// screen and while typed.
func (f fieldID) secret() bool {
	switch f {
	case fieldPassword, fieldIDTokenHint, fieldUserCode, fieldLoginHintToken, fieldSubjectToken, fieldActorToken, fieldProofJWT:
		return true
	}
	return false
}

// label is the field's name as shown (the parameter's name where it is one).
func (f fieldID) label() string {
	switch f {
	case fieldGrant:
		return "grant"
	case fieldScope:
		return "scope"
	case fieldPrompt:
		return "prompt"
	case fieldLoginHint:
		return "login_hint"
	case fieldMaxAge:
		return "max_age"
	case fieldExtra:
		return "extra params"
	case fieldPKCE:
		return "PKCE"
	case fieldUsername:
		return "username"
	case fieldPassword:
		return "password"
	case fieldTarget:
		return "token for introspect/revoke"
	case fieldResponseType:
		return "response_type"
	case fieldResponseMode:
		return "response_mode"
	case fieldPAR:
		return "PAR"
	case fieldRequestObject:
		return "request object"
	case fieldBindingMessage:
		return "binding_message"
	case fieldIDTokenHint:
		return "id_token_hint"
	case fieldUserCode:
		return "user_code"
	case fieldLoginHintToken:
		return "login_hint_token"
	case fieldRequestedExpiry:
		return "requested_expiry"
	case fieldAssertionIssuer:
		return "assertion iss"
	case fieldAssertionSubject:
		return "assertion sub"
	case fieldAssertionAudience:
		return "assertion aud"
	case fieldAssertionLifetime:
		return "assertion exp"
	case fieldAssertionKey:
		return "assertion key"
	case fieldAssertionFile:
		return "assertion file"
	case fieldSubjectSource:
		return "subject token"
	case fieldSubjectToken:
		return "pasted subject"
	case fieldSubjectType:
		return "subject type"
	case fieldRequestedType:
		return "requested type"
	case fieldActorToken:
		return "actor token"
	case fieldActorType:
		return "actor type"
	case fieldAudience:
		return "audience"
	case fieldResources:
		return "resource"
	case fieldAuthzDetails:
		return "auth details"
	case fieldDPoP:
		return "DPoP"
	case fieldProofJWT:
		return "proof_of_authentication_jwt"
	case numFields:
	}
	return ""
}

// isChoice reports whether the field is a choice cycled with ←/→ rather than typed.
func (f fieldID) isChoice() bool {
	return f == fieldGrant || f == fieldPKCE || f == fieldTarget || f.options() != nil
}

// Subject token sources of token exchange: a token of this session, or one pasted.
const (
	subjectAccessToken = iota
	subjectIDToken
	subjectRefreshToken
	subjectPasted
)

var (
	offOn          = []string{"off", "on"}
	subjectSources = []string{"from this session: access token", "from this session: id_token", "from this session: refresh token", "pasted"}
	// subjectSourceType is the token type each session source is (RFC 8693 §3).
	subjectSourceType = []string{"access_token", "id_token", "refresh_token"}
)

// options are the values of the newer choice fields (index 0 is the default), nil for the others.
func (f fieldID) options() []string {
	switch f {
	case fieldResponseType:
		return flows.ResponseTypes
	case fieldResponseMode:
		return append([]string{"default"}, flows.ResponseModes...)
	case fieldPAR, fieldRequestObject, fieldDPoP:
		return offOn
	case fieldSubjectSource:
		return subjectSources
	case fieldSubjectType, fieldActorType:
		return flows.TokenTypeNames()
	case fieldRequestedType:
		return append([]string{"provider's choice"}, flows.TokenTypeNames()...)
	default:
	}
	return nil
}

var pkceChoices = []flows.PKCEMethod{flows.PKCES256, flows.PKCEPlain, flows.PKCENone}

// targetChoices are the tokens introspection and revocation can act on.
var targetChoices = []string{"access_token", "refresh_token"}
