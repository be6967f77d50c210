package flows

import (
	"net/http"
	"sync"
	"time"
)

// How a request object is sent (RFC 9101 §5): by value in the request parameter, or by reference,
// its URL in request_uri.
const (
	RequestByValue     = "value"
	RequestByReference = "reference"
)

// requestObjectMediaType is the media type of a request object served by reference (RFC 9101
// §5.2, §10.8).
const requestObjectMediaType = "application/oauth-authz-req+jwt"

// serveRequestObject serves the signed request object obj by reference (RFC 9101 §5.2, OpenID
// Connect Core §6.2) and returns its request_uri: a loopback URL with an unguessable path (RFC
// 9101 §5.2 asks for enough entropy that the object cannot be fetched by others), answered once
// with obj as application/oauth-authz-req+jwt. The server stops after that fetch, or when the
// object expires. The fetch is recorded in the trace as step "request_uri", an exchange the
// provider made.
func (c *Client) serveRequestObject(obj string) (string, error) {
	path := "/request/" + randomValue() + ".jwt"
	fetched := make(chan struct{})
	var once sync.Once
	srv, err := serveLoopback("http://127.0.0.1:0"+path, "request_uri", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != path {
			http.NotFound(w, r)
			return
		}
		started := time.Now()
		first := false
		if r.Method == http.MethodGet {
			once.Do(func() { first = true })
		}
		status := http.StatusOK
		header := http.Header{"Content-Type": {requestObjectMediaType}, "Cache-Control": {"no-store"}}
		body := []byte(obj)
		switch {
		case r.Method != http.MethodGet:
			status, header, body = http.StatusMethodNotAllowed, http.Header{"Allow": {http.MethodGet}}, nil
		case !first:
			status, header, body = http.StatusGone, http.Header{}, nil // one fetch per request
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		w.Write(body) //nolint:errcheck // the provider may be gone
		c.recordIncoming(Exchange{Step: "request_uri", Started: started, Duration: time.Since(started), Method: r.Method, URL: "http://" + r.Host + r.URL.RequestURI(),
			RequestHeader: r.Header.Clone(), Status: status, ResponseHeader: header, ResponseBody: body})
		if first {
			close(fetched)
		}
	}), nil)
	if err != nil {
		return "", err
	}
	go func() {
		select {
		case <-fetched:
		case <-time.After(requestObjectLifetime):
		}
		srv.close() //nolint:errcheck // nothing to tell anyone
	}()
	return srv.url, nil
}
