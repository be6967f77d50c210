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

	// allowHTTPEndpoints is TransportOptions.AllowHTTPEndpoints.
	allowHTTPEndpoints bool

	// state is what the client learned of the provider; snapshots made by WithConfig share it.
	state *providerState
}

// providerState is what a client learns of its provider while it runs: the metadata, the JWK Set
// and the DPoP state (generated key, nonces). Every snapshot of one client shares it.
type providerState struct {
	mu   sync.Mutex
	meta *Metadata
	// metaErr is discovery's failure, kept so that a run fetches a missing document once, not once
	// per endpoint it looks up.
	metaErr error
	// authNote says why the client authentication differs from the default (AuthMethodNote).
	authNote string
	jwks     jwksCache
	dpop     dpopState
}

// stateInit guards the lazy creation of a Client's state for a Client not made by NewClient.
var stateInit sync.Mutex

// st is the client's provider state, created on first use for a Client not made by NewClient.
func (c *Client) st() *providerState {
	stateInit.Lock()
	defer stateInit.Unlock()
	if c.state == nil {
		c.state = &providerState{}
	}
	return c.state
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
	return &Client{Config: cfg, HTTP: hc, Trace: trace, Now: time.Now, Skew: DefaultSkew, state: &providerState{}, allowHTTPEndpoints: opts.AllowHTTPEndpoints}, nil
}

// WithConfig returns a client for cfg that shares this one's HTTP client (and so its trace and
// transport), its clock and, when cfg names the same provider (issuer and endpoints), what it
// learned of the provider: metadata, JWK Set and DPoP state. The receiver is not changed, so a
// request running on it keeps the configuration it started with: each request runs on a snapshot,
// and no screen changes a configuration another one is reading.
func (c *Client) WithConfig(cfg ClientConfig) *Client {
	n := &Client{Config: cfg, HTTP: c.HTTP, Trace: c.Trace, Now: c.Now, Skew: c.Skew, allowHTTPEndpoints: c.allowHTTPEndpoints}
	if strings.TrimSpace(cfg.Issuer) == strings.TrimSpace(c.Config.Issuer) && cfg.Endpoints == c.Config.Endpoints {
		n.state = c.st()
	} else {
		n.state = &providerState{}
	}
	return n
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
	st := c.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.meta != nil && st.meta.Issuer != "" {
		return st.meta.Issuer
	}
	return strings.TrimSpace(c.Config.Issuer)
}
