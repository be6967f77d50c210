package demoidp

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Pushed authorization requests (RFC 9126).
const (
	// parLifetime is how long a request_uri can be used (RFC 9126 §2.2
	// suggests between 5 and 600 seconds).
	parLifetime = 60 * time.Second
	// requestURIPrefix starts every request_uri the PAR endpoint issues
	// (RFC 9126 §2.2).
	requestURIPrefix = "urn:ietf:params:oauth:request_uri:"
)

// pushedRequest is a validated authorization request pushed to the PAR
// endpoint, waiting for the browser to bring its request_uri.
type pushedRequest struct {
	clientID string
	params   url.Values
	expires  time.Time
	used     bool
}

// clientAuthParams are the form members of client authentication, which
// are not authorization parameters.
var clientAuthParams = []string{"client_secret", "client_assertion", "client_assertion_type"}

// handlePAR serves the pushed authorization request endpoint (RFC 9126 §2):
// the client authenticates as at the token endpoint, the parameters (or the
// request object among them) are validated as /authorize would, and the
// answer is a single-use request_uri.
func (p *Provider) handlePAR(w http.ResponseWriter, r *http.Request) {
	resp, oerr := p.pushAuthorizationRequest(r)
	if oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	writeJSON(w, http.StatusCreated, resp)
}

func (p *Provider) pushAuthorizationRequest(r *http.Request) (map[string]any, *oauthError) {
	form, oerr := readBackChannelForm(r)
	if oerr != nil {
		return nil, oerr
	}
	c, oerr := p.authenticateClient(r, form, p.endpoint("/par"))
	if oerr != nil {
		return nil, oerr
	}
	params := maps.Clone(form)
	for _, name := range clientAuthParams {
		params.Del(name)
	}
	if params.Has("request_uri") {
		return nil, badRequest("invalid_request", "request_uri cannot be pushed: the PAR endpoint issues it (RFC 9126 §2.1)")
	}
	if id := params.Get("client_id"); id != "" && id != c.ID {
		return nil, badRequest("invalid_request", fmt.Sprintf("client_id %q in the pushed parameters is not the authenticated client %q", id, c.ID))
	}
	params.Set("client_id", c.ID)
	if params.Has("request") {
		obj, oerr := p.verifyRequestObject(c, params.Get("request"))
		if oerr != nil {
			return nil, oerr
		}
		if oerr := mergeOuterParams(obj, params); oerr != nil {
			return nil, oerr
		}
		params = obj
	}
	if _, pageErr, oerr := p.parseAuthzRequest(params); pageErr != "" {
		return nil, badRequest("invalid_request", pageErr)
	} else if oerr != nil {
		return nil, oerr
	}
	uri := requestURIPrefix + randomToken()
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.store.pushed == nil {
		p.store.pushed = map[string]*pushedRequest{}
	}
	for k, pr := range p.store.pushed {
		if now.Sub(pr.expires) > time.Hour {
			delete(p.store.pushed, k) // long dead: an hour is enough for a precise "expired"
		}
	}
	p.store.pushed[uri] = &pushedRequest{clientID: c.ID, params: params, expires: now.Add(parLifetime)}
	return map[string]any{"request_uri": uri, "expires_in": int(parLifetime / time.Second)}, nil
}

// resolveRequest turns an authorization request that carries a request
// object (request, RFC 9101) or a pushed request's handle (request_uri, RFC
// 9126 §4) into the parameters it stands for. Other requests come back as
// they are. On an error, errTo are the parameters of the request the error
// can be redirected for, or nil when there is none the provider can trust;
// pageErr is a problem that must be shown to the user.
func (p *Provider) resolveRequest(q url.Values) (eff, errTo url.Values, pageErr string, oerr *oauthError) {
	hasObject, hasURI := q.Has("request"), q.Has("request_uri")
	if !hasObject && !hasURI {
		return q, nil, "", nil
	}
	outer := maps.Clone(q)
	outer.Del("request")
	outer.Del("request_uri")
	if hasObject && hasURI {
		return nil, outer, "", badRequest("invalid_request", "request and request_uri cannot both be sent (RFC 9101 §5)")
	}
	id := q.Get("client_id")
	if id == "" {
		return nil, nil, "client_id is missing; it must be sent beside request or request_uri (RFC 9101 §5, RFC 9126 §4)", nil
	}
	c := p.client(id)
	if c == nil {
		return nil, nil, fmt.Sprintf("unknown client_id %q", id), nil
	}
	raw := q.Get("request")
	if hasURI && strings.HasPrefix(q.Get("request_uri"), requestURIPrefix) {
		return p.redeemRequestURI(c, q.Get("request_uri"), outer)
	}
	if hasURI {
		// A request object by reference (RFC 9101 §5.2): fetched, then judged as one by value.
		fetched, oerr := fetchRequestObject(q.Get("request_uri"))
		if oerr != nil {
			return nil, outer, "", oerr
		}
		raw = fetched
	}
	obj, oerr := p.verifyRequestObject(c, raw)
	if oerr != nil {
		if obj != nil {
			return nil, obj, "", oerr
		}
		return nil, outer, "", oerr
	}
	if oerr := mergeOuterParams(obj, q); oerr != nil {
		return nil, obj, "", oerr
	}
	return obj, nil, "", nil
}

// redeemRequestURI looks up a pushed request for client c. A request_uri is
// good for one use, by the client that pushed it, before it expires.
func (p *Provider) redeemRequestURI(c *registeredClient, uri string, outer url.Values) (eff, errTo url.Values, pageErr string, oerr *oauthError) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	pr := p.store.pushed[uri]
	switch {
	case pr == nil:
		return nil, nil, fmt.Sprintf("unknown request_uri %q: the provider never issued it, or forgot it long ago (RFC 9126 §4)", uri), nil
	case pr.clientID != c.ID:
		return nil, nil, fmt.Sprintf("the request_uri was pushed by client %s, not by %s; the client_id must be the pushing client's (RFC 9126 §4)", pr.clientID, c.ID), nil
	case pr.used:
		return nil, maps.Clone(pr.params), "", badRequest("invalid_request_uri", "the request_uri was already used: it is good for one authorization request (RFC 9126 §4); push the request again")
	case !now.Before(pr.expires):
		return nil, maps.Clone(pr.params), "", badRequest("invalid_request_uri", fmt.Sprintf("the request_uri expired at %s (provider time %s; it lives %s, RFC 9126 §2.2); push the request again and open the authorization URL at once", pr.expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), parLifetime))
	}
	pr.used = true
	return maps.Clone(pr.params), nil, "", nil
}

// authzErrorTo is the answer to an authorization request that failed while
// its request object or request_uri was resolved: a redirect to errTo's
// redirect URI when it can be trusted, else a page.
func (p *Provider) authzErrorTo(errTo url.Values, oerr *oauthError) (*authzRequest, string, *oauthError) {
	if errTo != nil {
		if req, _, _ := p.parseAuthzRequest(errTo); req != nil {
			return req, "", oerr
		}
	}
	return nil, oerr.code + ": " + oerr.desc, nil
}

// parRequired is the error for an authorization request that was not
// pushed, while pushed requests are required (RFC 9126 §5).
func (p *Provider) parRequired(q url.Values, f Faults) *oauthError {
	if !f.RequirePAR || q.Has("request_uri") {
		return nil
	}
	return badRequest("invalid_request", fmt.Sprintf("this provider requires pushed authorization requests (require_pushed_authorization_requests, RFC 9126 §5): POST the parameters to %s, then send only client_id and request_uri here", p.endpoint("/par")))
}
