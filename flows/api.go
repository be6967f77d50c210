package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// APICall is a request to a protected resource, any API, with an access token.
type APICall struct {
	// Method is the HTTP method; empty means POST with a Body, else GET.
	Method string
	URL    string
	// AccessToken is sent as Authorization: Bearer (RFC 6750 §2.1), or as Authorization: DPoP
	// with a proof when the client has DPoP on (RFC 9449 §7.1).
	AccessToken string
	// Body is the request body, nil for none; ContentType is its media type.
	Body        []byte
	ContentType string
	// Header holds more request headers. Authorization and, with DPoP on, DPoP are set by the
	// call and replace any given here.
	Header http.Header
}

// ParseAPIHeaders reads an API call's headers written 'Name: value'. The headers the call makes
// itself (Authorization, DPoP) and Host are refused rather than silently replaced.
func ParseAPIHeaders(values []string) (http.Header, error) {
	h := http.Header{}
	for _, v := range values {
		name, value, ok := strings.Cut(v, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("%q: give it as 'Name: value'", v)
		}
		switch http.CanonicalHeaderKey(name) {
		case "Authorization":
			return nil, fmt.Errorf("%s: the call sets Authorization itself from the access token (Bearer, or DPoP with a DPoP key)", name)
		case "Dpop":
			return nil, fmt.Errorf("%s: the DPoP proof is made for each request from the DPoP key", name)
		case "Host":
			return nil, fmt.Errorf("%s: the host is the URL's; call the URL with that host", name)
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return nil, fmt.Errorf("the value of %s holds a line break", name)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

// BodyType is the media type a request body is sent as when none is given: JSON when it is JSON,
// else a form, as curl --data sends it.
func BodyType(body []byte) string {
	if json.Valid(body) {
		return "application/json"
	}
	return "application/x-www-form-urlencoded"
}

// APIResponse is a protected resource's answer as received, whatever its media type.
type APIResponse struct {
	Status int
	Header http.Header
	Body   []byte
	// Members are the members of a JSON object body, numbers as json.Number; nil for any other
	// body.
	Members map[string]any
}

// CallAPI calls a protected resource with an access token, recorded in the trace under the step
// "resource". With DPoP on, the proof names the call's method and URL (htm, htu without query and
// fragment) and carries ath, the token's hash (RFC 9449 §4.2), and a use_dpop_nonce challenge is
// retried once with the server's DPoP-Nonce (RFC 9449 §9); a client certificate in the client's
// transport is presented for certificate-bound tokens (RFC 8705 §3). The transport's timeout and
// body size limit apply.
//
// A refused token comes back as an *OAuthError read from WWW-Authenticate, as from userinfo: any
// 401, and a 403 with a challenge (RFC 6750 §3). Every other answer, error statuses included, is
// returned as received.
func (c *Client) CallAPI(ctx context.Context, call APICall) (*APIResponse, error) {
	method := call.Method
	if method == "" {
		method = http.MethodGet
		if call.Body != nil {
			method = http.MethodPost
		}
	}
	header := call.Header.Clone()
	if call.ContentType != "" {
		if header == nil {
			header = http.Header{}
		}
		header.Set("Content-Type", call.ContentType)
	}
	r, err := c.resourceRequest(WithStep(ctx, "resource"), method, call.URL, "", call.AccessToken, header, call.Body)
	if err != nil {
		return nil, err
	}
	// A 403 without a challenge is the API's own refusal (a gateway, a permission check), not a
	// verdict on the token: it is returned as received.
	if r.status == http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != "" {
		if oe := bearerChallenge(r, "resource server"); oe != nil {
			return nil, oe
		}
	}
	return &APIResponse{Status: r.status, Header: r.header, Body: r.body, Members: jsonMembers(r)}, nil
}

// jsonMembers decodes a JSON object body (application/json or a +json type, RFC 6839 §3.1); nil
// for any other body.
func jsonMembers(r response) map[string]any {
	mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	var members map[string]any
	if dec.Decode(&members) != nil {
		return nil
	}
	return members
}
