package demoidp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// CIBA ping and push delivery (OpenID CIBA Core §10.2, §10.3): a client registers its delivery
// mode and its client notification endpoint (§4); on approval the provider POSTs to the endpoint,
// with the client_notification_token of the request as a Bearer token, either the auth_req_id
// (ping: the client then redeems it at the token endpoint) or the tokens themselves (push).
const (
	cibaPoll = "poll"
	cibaPing = "ping"
	cibaPush = "push"
)

// cibaDeliveryModes are the delivery modes this provider supports, for its metadata (§4).
var cibaDeliveryModes = []string{cibaPoll, cibaPing, cibaPush}

// Claims a pushed ID token carries (CIBA Core §10.3.1).
const (
	claimAuthReqID = "urn:openid:params:jwt:claim:auth_req_id"
	claimRTHash    = "urn:openid:params:jwt:claim:rt_hash"
)

// cibaDelivery is a client's registered delivery: mode, and for ping and push the notification
// endpoint. The zero value is poll.
type cibaDelivery struct {
	mode     string
	endpoint string
}

// registerCIBADelivery reads backchannel_token_delivery_mode and
// backchannel_client_notification_endpoint from registration metadata (CIBA Core §4). CIBA asks
// for an https endpoint; the demo provider, which runs on this machine, delivers only to http or
// https loopback URLs, as RFC 8252 §7.3 lets native clients use loopback redirects.
func registerCIBADelivery(meta map[string]any) (cibaDelivery, *oauthError) {
	mode := stringOr(meta, "backchannel_token_delivery_mode", "")
	endpoint := stringOr(meta, "backchannel_client_notification_endpoint", "")
	switch {
	case mode == "" && endpoint == "":
		return cibaDelivery{}, nil
	case !slices.Contains(cibaDeliveryModes, mode):
		return cibaDelivery{}, badRequest("invalid_client_metadata", fmt.Sprintf("backchannel_token_delivery_mode %q is not one of poll, ping, push (CIBA Core §4)", mode))
	case mode == cibaPoll:
		return cibaDelivery{mode: mode}, nil
	case endpoint == "":
		return cibaDelivery{}, badRequest("invalid_client_metadata", "backchannel_client_notification_endpoint is required with the ping and push modes (CIBA Core §4)")
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !isLoopbackHost(u.Hostname()) || u.Fragment != "" || u.User != nil {
		return cibaDelivery{}, badRequest("invalid_client_metadata", fmt.Sprintf("backchannel_client_notification_endpoint %q: the demo provider notifies only loopback URLs (127.0.0.1, [::1], localhost) without a fragment", endpoint))
	}
	return cibaDelivery{mode: mode, endpoint: endpoint}, nil
}

// notifyCIBA delivers an approved request's result to the client (§10.2, §10.3) and says what
// happened, for the approval page: the client's status, or why the delivery failed.
func (p *Provider) notifyCIBA(req *cibaRequest) string {
	body := map[string]any{"auth_req_id": req.authReqID}
	if req.delivery.mode == cibaPush {
		resp, oerr := p.pushTokens(req)
		if oerr != nil {
			body["error"], body["error_description"] = oerr.code, oerr.desc // §12: push error payload
		} else {
			b, _ := json.Marshal(resp)
			_ = json.Unmarshal(b, &body) // the token response's members, auth_req_id kept
		}
	}
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, req.delivery.endpoint, bytes.NewReader(b))
	if err != nil {
		return "The notification could not be sent: " + err.Error()
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+req.notificationToken)
	resp, err := loopbackClient.Do(r)
	if err != nil {
		return "The notification to " + req.delivery.endpoint + " failed: " + err.Error()
	}
	resp.Body.Close()
	return fmt.Sprintf("The %s notification went to %s, which answered HTTP %d.", req.delivery.mode, req.delivery.endpoint, resp.StatusCode)
}

// pushTokens issues the tokens of an approved push-mode request: its ID token carries the
// auth_req_id and, with a refresh token, rt_hash (§10.3.1); at_hash it always has.
func (p *Provider) pushTokens(req *cibaRequest) (*tokenResponse, *oauthError) {
	p.mu.Lock()
	if req.state != deviceApproved {
		p.mu.Unlock()
		return nil, badRequest("invalid_grant", "the request is no longer approved")
	}
	req.state = deviceRedeemed
	g := &grant{clientID: req.clientID, user: demoUser, authTime: req.authTime, sid: req.sid, extras: req.extras, pushedFor: req.authReqID}
	p.mu.Unlock()
	return p.issueTokens(g, req.scope, req.scope, "", true, p.Faults(), "")
}
