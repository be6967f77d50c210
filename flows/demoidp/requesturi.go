package demoidp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Request objects by reference (RFC 9101 §5.2, OpenID Connect Core §6.2): the authorization
// request's request_uri is a URL the provider fetches the signed request object from. The demo
// provider fetches only from loopback URLs (the client runs on the same machine), so it is never a
// way to make it call elsewhere (RFC 9101 §10.4.1 warns of exactly that).

// maxRequestObject bounds a fetched request object.
const maxRequestObject = 64 << 10

// fetchRequestObject fetches the request object at uri: an http(s) loopback URL, answered 200
// within 10 seconds with at most 64 KiB. Its errors are invalid_request_uri (RFC 9101 §7.1).
func fetchRequestObject(uri string) (string, *oauthError) {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !isLoopbackHost(u.Hostname()) {
		return "", badRequest("invalid_request_uri", fmt.Sprintf("request_uri %q is neither a request_uri the PAR endpoint issued nor an http(s) URL on this machine's loopback (127.0.0.1, [::1], localhost), the only places the demo provider fetches request objects from", uri))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return "", badRequest("invalid_request_uri", "request_uri cannot be fetched: "+err.Error())
	}
	req.Header.Set("Accept", "application/oauth-authz-req+jwt")
	resp, err := loopbackClient.Do(req)
	if err != nil {
		return "", badRequest("invalid_request_uri", "fetching the request_uri failed: "+err.Error())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRequestObject+1))
	switch {
	case err != nil:
		return "", badRequest("invalid_request_uri", "reading the request_uri's answer failed: "+err.Error())
	case resp.StatusCode != http.StatusOK:
		return "", badRequest("invalid_request_uri", fmt.Sprintf("the request_uri answered HTTP %d, not the request object", resp.StatusCode))
	case len(body) > maxRequestObject:
		return "", badRequest("invalid_request_uri", fmt.Sprintf("the request object at request_uri is over %d bytes", maxRequestObject))
	}
	return string(body), nil
}
