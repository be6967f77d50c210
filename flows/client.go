package flows

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Client acts as one OAuth client against one provider. It caches the provider's metadata and JWKS.
// Its methods are safe for concurrent use.
type Client struct {
	Config ClientConfig
	// HTTP carries every exchange; its transport records into Trace.
	HTTP  *http.Client
	Trace *Trace
	// Now is the clock used for checks and assertions; Skew is the allowance on time checks.
	Now  func() time.Time
	Skew time.Duration

	mu   sync.Mutex
	meta *Metadata
	// metaErr is discovery's failure, kept so that a run fetches a missing document once, not once
	// per endpoint it looks up.
	metaErr error
	// authNote says why the client authentication differs from the default (AuthMethodNote).
	authNote string
	jwks     *jwksCache
	dpop     dpopState
}

// DefaultSkew is the clock-skew allowance on exp, iat and nbf checks.
const DefaultSkew = 60 * time.Second

// NewClient builds a client whose exchanges are recorded in a new Trace.
func NewClient(cfg ClientConfig, opts TransportOptions) (*Client, error) {
	trace := &Trace{}
	hc, err := NewHTTPClient(opts, trace)
	if err != nil {
		return nil, err
	}
	return &Client{Config: cfg, HTTP: hc, Trace: trace, Now: time.Now, Skew: DefaultSkew, jwks: &jwksCache{}}, nil
}

// do sends a request and returns the whole answer; transport failures come back classified.
func (c *Client) do(req *http.Request) (response, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return response{}, classifyTransport(req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // already buffered and bounded by the recorder
	if err != nil {
		return response{}, classifyTransport(req.URL.Redacted(), err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body, url: req.URL.Redacted()}, nil
}

// get sends a GET with an Accept header.
func (c *Client) get(ctx context.Context, url, accept string, header http.Header) (response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return response{}, &Error{Kind: KindMissingEndpoint, Detail: fmt.Sprintf("bad URL %q", url), Err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", accept)
	return c.do(req)
}

// endpoints returns the configured endpoints completed by discovery. Discovery runs once, and only
// when an issuer is known and some endpoint is missing; its failure matters only when the endpoint
// needed is still missing.
func (c *Client) endpoints(ctx context.Context, need string, pick func(Endpoints) string) (string, error) {
	e := c.Config.Endpoints
	if v := pick(e); v != "" {
		return v, nil
	}
	var discErr error
	if c.Config.Issuer != "" {
		var meta *Metadata
		meta, discErr = c.Discover(ctx)
		if meta != nil {
			e = e.Merge(c.mtlsEndpoints(meta))
		}
	}
	if v := pick(e); v != "" {
		return v, nil
	}
	if discErr != nil {
		return "", fmt.Errorf("no %s endpoint given and discovery failed: %w", need, discErr)
	}
	return "", &Error{Kind: KindMissingEndpoint, Detail: fmt.Sprintf("no %s endpoint: the provider's metadata has none and none was given", need)}
}

// knownIssuer is the issuer as the provider spells it in its metadata when it has some (discovery runs
// once for it), else the configured one; empty when none is configured.
func (c *Client) knownIssuer(ctx context.Context) string {
	if strings.TrimSpace(c.Config.Issuer) == "" {
		return ""
	}
	_, _ = c.Discover(ctx) // a failure leaves the configured spelling
	return c.issuer()
}

// issuer is the issuer id_tokens must carry: the discovered one when discovery ran (it may differ from
// the configured one by a trailing slash), else the configured one.
func (c *Client) issuer() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.meta != nil && c.meta.Issuer != "" {
		return c.meta.Issuer
	}
	return strings.TrimSpace(c.Config.Issuer)
}
