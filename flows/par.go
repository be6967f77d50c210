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

// KindInvalidPARResponse is a pushed authorization answer tokenbench cannot use: no request_uri, or
// an expires_in that is not a positive number of seconds (RFC 9126 §2.2). It has an entry in
// assets/explanations.yaml, as every Kind does.
const KindInvalidPARResponse Kind = "invalid_par_response"

// PushedAuthorization is the answer of the pushed authorization request endpoint (RFC 9126 §2.2).
type PushedAuthorization struct {
	// Endpoint is where the request was pushed.
	Endpoint string
	// RequestURI is the handle the authorization URL carries instead of the parameters.
	RequestURI string
	// ExpiresIn is the request_uri's lifetime in seconds, as received; Expiry is when it ends.
	ExpiresIn int
	Expiry    time.Time
	// Pushed are the parameters sent (client authentication excluded).
	Pushed url.Values
}

// Expired reports whether the request_uri's lifetime has passed at now.
func (p *PushedAuthorization) Expired(now time.Time) bool {
	return !p.Expiry.IsZero() && !now.Before(p.Expiry)
}

// RequiresPAR reports whether the provider's metadata says require_pushed_authorization_requests.
// Metadata is looked up only when an issuer is configured; a failed discovery counts as no.
func (c *Client) RequiresPAR(ctx context.Context) bool {
	if c.Config.Issuer == "" {
		return false
	}
	meta, err := c.Discover(ctx)
	return err == nil && meta.RequirePAR
}

// usesPAR reports whether authorization requests are pushed: when configured, and when the
// provider requires it.
func (c *Client) usesPAR(ctx context.Context) bool {
	return c.Config.PAR || c.RequiresPAR(ctx)
}

// secureAuthRequest applies JAR and PAR to a built authorization request: the parameters go into a
// signed request object (RFC 9101) when configured, and are pushed (RFC 9126) when configured or
// required; the URL then carries what the front channel still needs. r.Params stay every
// parameter of the request.
func (c *Client) secureAuthRequest(ctx context.Context, r *AuthRequest, endpoint string) error {
	push := c.usesPAR(ctx)
	if !push && !c.Config.RequestObject {
		return nil
	}
	sent := cloneValues(r.Params)
	if c.Config.RequestObject {
		obj, err := c.SignRequestObject(ctx, r.Params)
		if err != nil {
			return err
		}
		r.RequestObject = obj
		sent = url.Values{"client_id": {c.Config.ClientID}, "request": {obj}}
		if c.Config.RequestObjectByReference && !push {
			// RFC 9101 §5.2: by reference, for a provider that can fetch from this machine; a
			// pushed request carries the object itself (RFC 9126 §3).
			uri, err := c.serveRequestObject(obj)
			if err != nil {
				return err
			}
			r.RequestObjectURI = uri
			sent = url.Values{"client_id": {c.Config.ClientID}, "request_uri": {uri}}
		}
		if r.OpenIDRequested() {
			// OpenID Connect Core §6.1: response_type and scope (with openid) are sent outside the
			// object too; RFC 9101 §6.3 has the provider check that they match.
			sent.Set("response_type", r.Params.Get("response_type"))
			sent.Set("scope", r.Params.Get("scope"))
		}
	}
	front := sent
	if push {
		par, err := c.PushAuthorization(ctx, sent)
		if err != nil {
			return err
		}
		r.PAR = par
		front = url.Values{"client_id": {c.Config.ClientID}, "request_uri": {par.RequestURI}}
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return &Error{Kind: KindMissingEndpoint, Detail: "bad authorization endpoint URL " + endpoint, Err: err}
	}
	q := u.Query() // a query of the endpoint itself (a tenant, a policy) stays
	for k, vs := range front {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	r.URL = u.String()
	return nil
}

// PushAuthorization pushes authorization request parameters to the pushed authorization request
// endpoint with the client's authentication (RFC 9126 §2.1) and returns the request_uri to send
// to the authorization endpoint instead (§2.2). The exchange is recorded under the step "par".
func (c *Client) PushAuthorization(ctx context.Context, params url.Values) (*PushedAuthorization, error) {
	endpoint, err := c.endpoints(ctx, "pushed authorization request", func(e Endpoints) string { return e.PushedAuthorization })
	if err != nil {
		return nil, err
	}
	r, err := c.postForm(ctx, "par", endpoint, params, true)
	if err != nil {
		return nil, err
	}
	var answer struct {
		RequestURI string          `json:"request_uri"`
		ExpiresIn  json.RawMessage `json:"expires_in"`
	}
	if err := decodeJSON(r, "pushed authorization request endpoint", &answer); err != nil {
		return nil, err
	}
	if answer.RequestURI == "" {
		return nil, &Error{Kind: KindInvalidPARResponse, Detail: fmt.Sprintf("%s answered HTTP %d without a request_uri (RFC 9126 §2.2): %s", r.url, r.status, snippet(r.body))}
	}
	secs, err := strconv.ParseFloat(strings.Trim(string(answer.ExpiresIn), `"`), 64)
	if err != nil || secs <= 0 {
		return nil, &Error{Kind: KindInvalidPARResponse, Detail: fmt.Sprintf("%s answered an expires_in of %s; RFC 9126 §2.2 requires a positive number of seconds", r.url, orNone(string(answer.ExpiresIn)))}
	}
	return &PushedAuthorization{
		Endpoint:   endpoint,
		RequestURI: answer.RequestURI,
		ExpiresIn:  int(secs),
		Expiry:     c.Now().Add(time.Duration(secs * float64(time.Second))),
		Pushed:     cloneValues(params),
	}, nil
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}
