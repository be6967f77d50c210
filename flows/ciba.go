package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// GrantCIBA is the grant type of OpenID CIBA Core §10.1.
const GrantCIBA = "urn:openid:params:grant-type:ciba"

// defaultCIBAInterval is the polling interval when the provider names none (CIBA Core §7.3).
const defaultCIBAInterval = 5 * time.Second

// CIBARequest is a backchannel authentication request (OpenID CIBA Core §7.1). Exactly one of
// LoginHint, IDTokenHint and LoginHintToken names the user; the provider says which is missing or
// wrong.
type CIBARequest struct {
	LoginHint      string
	IDTokenHint    string
	LoginHintToken string
	// BindingMessage is shown both on the consumption device and on the authentication device, so
	// the user can tell the request is the one they started.
	BindingMessage string
	// UserCode is a secret the user knows, for providers that advertise
	// backchannel_user_code_parameter_supported.
	UserCode string
	// RequestedExpiry is the lifetime asked for auth_req_id; 0 sends none.
	RequestedExpiry time.Duration
	// Scopes must include openid (§7.1); empty means the client's configured scopes.
	Scopes []string
	// ClientNotificationToken is sent in ping and push modes (§7.1): the provider's notification
	// carries it as a Bearer token (CIBANotifications.Token).
	ClientNotificationToken string
	// Params are further parameters of the request: acr_values, resource (RFC 8707),
	// authorization_details (RFC 9396 §3) …
	Params url.Values
}

// CIBAAuthorization is the backchannel authentication endpoint's answer (CIBA Core §7.3).
type CIBAAuthorization struct {
	AuthReqID string `json:"auth_req_id"`
	// ExpiresIn and Interval are in seconds as received; Interval defaults to 5 (§7.3).
	ExpiresIn json.Number `json:"expires_in"`
	Interval  json.Number `json:"interval"`
	// Expiry is when auth_req_id ends.
	Expiry time.Time `json:"-"`
	// BindingMessage is the binding message sent, to show beside the request.
	BindingMessage string `json:"-"`
	// ApprovalURI is where the built-in provider's user approves (its stand-in for the
	// authentication device); real providers send none.
	ApprovalURI string `json:"tokenbench_approval_uri"`
}

// PollInterval is the interval the provider asked for, 5 seconds when it named none.
func (a *CIBAAuthorization) PollInterval() time.Duration {
	if n, err := strconv.ParseFloat(a.Interval.String(), 64); err == nil && n > 0 {
		return time.Duration(n * float64(time.Second))
	}
	return defaultCIBAInterval
}

// BackchannelAuthorize sends a backchannel authentication request (CIBA Core §7.1) to the
// backchannel_authentication_endpoint, with the client's authentication as at the token endpoint
// (§7.1 requires it), and returns the auth_req_id to poll with. The exchange is recorded under the
// step "ciba".
func (c *Client) BackchannelAuthorize(ctx context.Context, req CIBARequest) (*CIBAAuthorization, error) {
	endpoint, err := c.endpoints(ctx, "backchannel authentication", func(e Endpoints) string { return e.BackchannelAuthentication })
	if err != nil {
		return nil, err
	}
	form := cloneValues(req.Params)
	scopes := req.Scopes
	if len(scopes) == 0 {
		scopes = c.Config.Scopes
	}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	for k, v := range map[string]string{
		"login_hint": req.LoginHint, "id_token_hint": req.IDTokenHint, "login_hint_token": req.LoginHintToken,
		"binding_message": req.BindingMessage, "user_code": req.UserCode,
		"client_notification_token": req.ClientNotificationToken,
	} {
		if v != "" {
			form.Set(k, v)
		}
	}
	if req.RequestedExpiry > 0 {
		form.Set("requested_expiry", strconv.Itoa(int(req.RequestedExpiry.Round(time.Second)/time.Second)))
	}
	r, err := c.postForm(ctx, "ciba", endpoint, form, true)
	if err != nil {
		return nil, err
	}
	var a CIBAAuthorization // CIBA Core §13: errors come as at the token endpoint
	if err := decodeJSON(r, "backchannel authentication endpoint", &a); err != nil {
		return nil, err
	}
	if a.AuthReqID == "" {
		return nil, &Error{Kind: KindNonJSON, Detail: "the backchannel authentication answer lacks auth_req_id (OpenID CIBA Core §7.3): " + snippet(r.body)}
	}
	n, err := strconv.ParseFloat(a.ExpiresIn.String(), 64)
	if err != nil || n <= 0 {
		return nil, &Error{Kind: KindNonJSON, Detail: fmt.Sprintf("the backchannel authentication answer's expires_in %q is not a positive number of seconds (OpenID CIBA Core §7.3)", a.ExpiresIn.String())}
	}
	a.Expiry = time.Now().Add(time.Duration(n * float64(time.Second)))
	a.BindingMessage = req.BindingMessage
	return &a, nil
}

// PollCIBA polls the token endpoint with the CIBA grant (CIBA Core §10.1) until the user approves on
// the authentication device, denies, or auth_req_id expires, exactly as PollDevice does for the
// device grant: authorization_pending and slow_down (+5 s) are reported to onPoll (which may be nil);
// expired_token, access_denied, any other error and ctx's cancellation end it.
func (c *Client) PollCIBA(ctx context.Context, a *CIBAAuthorization, onPoll func(DevicePoll)) (*Token, error) {
	return c.pollToken(ctx, tokenPoll{
		step:     "ciba poll",
		form:     url.Values{"grant_type": {GrantCIBA}, "auth_req_id": {a.AuthReqID}},
		interval: a.PollInterval(),
		expiry:   a.Expiry,
		flow:     "CIBA",
		handle:   "the auth_req_id",
	}, onPoll)
}
