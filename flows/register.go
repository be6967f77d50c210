package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// Registration is what a provider granted a dynamically registered client (RFC 7591 §3.2.1): its
// credentials, how to manage the registration (RFC 7592 §3), and every metadata member as received,
// which may differ from what was asked for.
type Registration struct {
	ClientID     string
	ClientSecret string
	// ClientIDIssuedAt and ClientSecretExpiresAt are seconds since the epoch; a zero
	// ClientSecretExpiresAt means the secret does not expire.
	ClientIDIssuedAt      int64
	ClientSecretExpiresAt int64
	// RegistrationAccessToken and RegistrationClientURI manage the registration (RFC 7592); empty
	// when the provider does not offer that.
	RegistrationAccessToken string
	RegistrationClientURI   string
	// Metadata holds every member as received; Body is the answer's bytes.
	Metadata map[string]any
	Body     []byte
}

// AuthMethod is the token_endpoint_auth_method granted; client_secret_basic when the answer names
// none (RFC 7591 §2).
func (r *Registration) AuthMethod() AuthMethod {
	if s, ok := r.Metadata["token_endpoint_auth_method"].(string); ok && s != "" {
		return AuthMethod(s)
	}
	return AuthClientSecretBasic
}

// Strings returns a metadata member that is an array of strings (redirect_uris, grant_types …).
func (r *Registration) Strings(name string) []string {
	arr, _ := r.Metadata[name].([]any)
	var out []string
	for _, v := range arr {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// DefaultRegistrationRedirectURI is the redirect URI a registration asks for when none is given:
// loopback, where tokenbench listens, any port working (RFC 8252 §7.3).
const DefaultRegistrationRedirectURI = "http://127.0.0.1/callback"

// DefaultRegistration is the client metadata tokenbench asks for when nothing else is said (RFC 7591
// §2): the loopback redirect URI, the authorization code and refresh token grants, and its name.
// LoopbackRegistration's members come with it.
func DefaultRegistration() map[string]any {
	meta := map[string]any{
		"redirect_uris": []string{DefaultRegistrationRedirectURI},
		"grant_types":   []string{GrantAuthorizationCode, GrantRefreshToken},
		"client_name":   "tokenbench",
	}
	maps.Copy(meta, LoopbackRegistration())
	return meta
}

// LoopbackRegistration is the metadata that goes with the loopback redirect URI: application_type
// native, since OpenID Connect Dynamic Client Registration 1.0 §2 gives loopback http redirect URIs
// to native clients and a client is web unless it says otherwise, and a provider lets only a native
// client's loopback redirect take any port (RFC 8252 §7.3; oidc-provider holds a web client to the
// port registered, which the listener cannot always bind); and the same URI as the post-logout
// redirect (RP-Initiated Logout 1.0 §3.1), where `tokenbench logout` sends the browser by default.
func LoopbackRegistration() map[string]any {
	return map[string]any{
		"application_type":          "native",
		"post_logout_redirect_uris": []string{DefaultRegistrationRedirectURI},
	}
}

// RegistrationEndpoint is the provider's registration_endpoint (RFC 8414 §2, RFC 7591 §3) from
// discovery.
func (c *Client) RegistrationEndpoint(ctx context.Context) (string, error) {
	meta, err := c.Discover(ctx)
	if err != nil {
		return "", err
	}
	if s, _ := meta.Raw()["registration_endpoint"].(string); s != "" {
		return s, nil
	}
	return "", &Error{Kind: KindMissingEndpoint, Detail: "the provider's metadata has no registration_endpoint: it does not offer dynamic client registration (RFC 7591), or not to everyone; give the endpoint by hand if it does"}
}

// Register registers a client (RFC 7591 §3.1): metadata (redirect_uris, grant_types,
// token_endpoint_auth_method, client_name …) is POSTed as JSON to endpoint, with the initial access
// token as a bearer token when there is one. The provider may grant other metadata than asked for;
// the answer says what it granted.
func (c *Client) Register(ctx context.Context, endpoint string, metadata map[string]any, initialAccessToken string) (*Registration, error) {
	return c.registration(ctx, "register", http.MethodPost, endpoint, initialAccessToken, metadata, http.StatusCreated)
}

// ReadRegistration reads a client's current registration (RFC 7592 §2.1).
func (c *Client) ReadRegistration(ctx context.Context, uri, accessToken string) (*Registration, error) {
	return c.registration(ctx, "registration read", http.MethodGet, uri, accessToken, nil, http.StatusOK)
}

// UpdateRegistration replaces a client's metadata (RFC 7592 §2.2): metadata must be the whole
// document, with client_id (and client_secret, when the client has one, which the provider
// checks); what it leaves out the provider may remove. The members §2.2 says the request MUST NOT
// include (registrationOnlyMembers) are left out, so that a document as read (ReadRegistration, `register
// read`) can be sent back changed: a provider may refuse them (oidc-provider does).
func (c *Client) UpdateRegistration(ctx context.Context, uri, accessToken string, metadata map[string]any) (*Registration, error) {
	doc := make(map[string]any, len(metadata))
	for k, v := range metadata {
		if !slices.Contains(registrationOnlyMembers, k) {
			doc[k] = v
		}
	}
	return c.registration(ctx, "registration update", http.MethodPut, uri, accessToken, doc, http.StatusOK)
}

// registrationOnlyMembers are the members of a client information response that the provider
// issues and an update request must not carry (RFC 7592 §2.2, §3).
var registrationOnlyMembers = []string{"registration_access_token", "registration_client_uri", "client_secret_expires_at", "client_id_issued_at"}

// DeleteRegistration deletes the client (RFC 7592 §2.3): the provider answers 204 and its
// credentials stop working.
func (c *Client) DeleteRegistration(ctx context.Context, uri, accessToken string) error {
	r, err := c.sendJSON(ctx, "registration delete", http.MethodDelete, uri, accessToken, nil)
	if err != nil {
		return err
	}
	return bodilessSuccess(r, http.StatusNoContent, "registration endpoint", "RFC 7592 §2.3 says a deleted client is 204")
}

// registration sends one registration request and reads the client information response.
func (c *Client) registration(ctx context.Context, step, method, uri, token string, metadata map[string]any, want int) (*Registration, error) {
	r, err := c.sendJSON(ctx, step, method, uri, token, metadata)
	if err != nil {
		return nil, err
	}
	var members map[string]any
	if err := decodeJSON(r, "registration endpoint", &members); err != nil {
		return nil, err
	}
	if r.status != want {
		return nil, &Error{Kind: KindUnexpectedStatus, Detail: fmt.Sprintf("the registration endpoint answered HTTP %d, not %d (RFC 7591 §3.2.1, RFC 7592 §3)", r.status, want)}
	}
	reg := &Registration{Metadata: members, Body: r.body}
	reg.ClientID, _ = members["client_id"].(string)
	reg.ClientSecret, _ = members["client_secret"].(string)
	reg.RegistrationAccessToken, _ = members["registration_access_token"].(string)
	reg.RegistrationClientURI, _ = members["registration_client_uri"].(string)
	reg.ClientIDIssuedAt = int64Member(members["client_id_issued_at"])
	reg.ClientSecretExpiresAt = int64Member(members["client_secret_expires_at"])
	if reg.ClientID == "" {
		return nil, &Error{Kind: KindUnexpectedStatus, Detail: "the registration endpoint's answer has no client_id (RFC 7591 §3.2.1 requires it)"}
	}
	return reg, nil
}

// sendJSON sends metadata (none for GET and DELETE) as JSON, with token as a bearer token.
func (c *Client) sendJSON(ctx context.Context, step, method, uri, token string, metadata map[string]any) (response, error) {
	var body []byte
	if metadata != nil {
		var err error
		if body, err = json.Marshal(metadata); err != nil {
			return response{}, err
		}
	}
	req, err := http.NewRequestWithContext(WithStep(ctx, step), method, uri, bytes.NewReader(body))
	if err != nil {
		return response{}, &Error{Kind: KindMissingEndpoint, Detail: "bad registration URL " + uri, Err: err}
	}
	if metadata != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return c.do(req)
}

// int64Member reads a JSON number member.
func int64Member(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}
