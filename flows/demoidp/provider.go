package demoidp

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a Provider. The zero value is usable.
type Options struct {
	// Addr is the listen address. It defaults to "127.0.0.1:0" (any free
	// port). Its host must be a loopback address or "localhost"; anything
	// else is refused so that the demo provider is never reachable from
	// another machine.
	Addr string
	// Now is the provider's clock. It defaults to time.Now. The clock-skew
	// fault is added on top of it.
	Now func() time.Time
	// DeviceInterval is the polling interval advertised for the device
	// authorization grant (RFC 8628 §3.2) and enforced with slow_down. It
	// defaults to 5 seconds; it is advertised in whole seconds, at least 1.
	DeviceInterval time.Duration
	// CodeLifetime is how long an authorization code stays valid. It
	// defaults to 60 seconds.
	CodeLifetime time.Duration
	// MTLS, when not nil, also serves the provider over mutual TLS (RFC 8705) on a second
	// loopback listener, with the demo-mtls and demo-mtls-self clients (see MTLSOptions).
	MTLS *MTLSOptions
	// RegistrationToken, when set, is the initial access token that dynamic
	// client registration (RFC 7591 §3) requires as a bearer token; without it
	// anyone may register a client.
	RegistrationToken string
}

// Fixed lifetimes of the things the provider issues.
const (
	accessTokenLifetime  = time.Hour
	idTokenLifetime      = time.Hour
	refreshTokenLifetime = 24 * time.Hour
	deviceCodeLifetime   = 10 * time.Minute
	maxAssertionLifetime = 10 * time.Minute
	// assertionLeeway tolerates a small clock difference with a client
	// when checking the exp and nbf of a client assertion.
	assertionLeeway = 30 * time.Second
	// maxRequestBody bounds the size of any request body the provider reads.
	maxRequestBody = 1 << 20
)

// Provider is a running demo OpenID provider. Create one with Start and stop
// it with Close.
type Provider struct {
	opts    Options
	issuer  string
	ln      net.Listener
	srv     *http.Server
	handler http.Handler
	clients []*registeredClient
	// registered are the clients registered at run time (RFC 7591).
	registered registrations

	faultsMu sync.RWMutex
	faults   Faults

	mu    sync.Mutex    // guards everything below
	keys  []*signingKey // published, oldest first; made on first use (keysLocked)
	store store
	dpop  dpopNonces // server nonces of the dpop-nonce fault

	mtls *mtlsServer // the mutual TLS listener, or nil; set before serving
}

// Start listens on opts.Addr and serves the provider in the background until
// Close is called. The first signing key is generated on first use (the
// JWKS, the first token), once per process, and shared by providers started
// later, so that starting is quick; RotateKeys always generates a fresh one.
func Start(opts Options) (*Provider, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DeviceInterval <= 0 {
		opts.DeviceInterval = 5 * time.Second
	}
	if opts.CodeLifetime <= 0 {
		opts.CodeLifetime = 60 * time.Second
	}
	if err := checkLoopbackAddr(opts.Addr); err != nil {
		return nil, err
	}
	clients, err := demoClients()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("demoidp: listen: %w", err)
	}
	p := &Provider{
		opts:    opts,
		issuer:  "http://" + ln.Addr().String(),
		ln:      ln,
		clients: clients,
		store:   newStore(),
	}
	p.handler = p.routes()
	p.srv = &http.Server{
		Handler:           p.handler,
		ReadHeaderTimeout: 10 * time.Second,
	}
	if err := p.setUpMTLS(); err != nil {
		ln.Close()
		return nil, err
	}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// checkLoopbackAddr refuses listen addresses whose host is not loopback.
func checkLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("demoidp: listen address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("demoidp: listen address %q is not a loopback address (use 127.0.0.1, [::1] or localhost)", addr)
}

// Issuer returns the provider's issuer identifier, such as
// "http://127.0.0.1:53127", without a trailing slash. Every endpoint is a
// path under it.
func (p *Provider) Issuer() string { return p.issuer }

// Close stops the provider at once, closing its listener and any open
// connections.
func (p *Provider) Close() error {
	p.closeMTLS()
	err := p.srv.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Handler returns the provider's HTTP handler, for serving it from another
// server. The responses still name the issuer of the provider's own listener.
func (p *Provider) Handler() http.Handler { return p.handler }

// now is the provider's clock, including the clock-skew fault.
func (p *Provider) now() time.Time {
	return p.opts.Now().Add(p.Faults().ClockSkew)
}

// endpoint returns the absolute URL of a path under the issuer.
func (p *Provider) endpoint(path string) string { return p.issuer + path }

// routes builds the handler: every endpoint behind the common middleware.
func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.handleMetadata)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", p.handleMetadata)
	mux.HandleFunc("GET /jwks", p.handleJWKS)
	mux.HandleFunc("GET /authorize", p.handleAuthorize)
	mux.HandleFunc("POST /authorize", p.handleAuthorizeDecision)
	mux.HandleFunc("POST /v1/authorize", p.handleDirectAuthorize)
	mux.HandleFunc("POST /token", p.handleToken)
	mux.HandleFunc("POST /device_authorization", p.handleDeviceAuthorization)
	mux.HandleFunc("GET /device", p.handleDevice)
	mux.HandleFunc("POST /bc-authorize", p.handleBackchannelAuthentication)
	mux.HandleFunc("GET /ciba", p.handleCIBA)
	mux.HandleFunc("GET /userinfo", p.handleUserinfo)
	mux.HandleFunc("POST /userinfo", p.handleUserinfo)
	mux.HandleFunc(APIPath, p.handleWhoami) // any method: the demo protected API
	mux.HandleFunc("POST /introspect", p.handleIntrospect)
	mux.HandleFunc("POST /revoke", p.handleRevoke)
	mux.HandleFunc("POST /par", p.handlePAR)
	mux.HandleFunc("POST "+registrationPath, p.handleRegister)
	mux.HandleFunc(registrationPath+"/{id}", p.handleRegistration)
	mux.HandleFunc("GET /logout", p.handleLogout)
	mux.HandleFunc("POST /logout", p.handleLogout)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := p.Faults().Slow; d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		// net/http keeps a Date header set by the handler, so the
		// provider's own (possibly skewed) clock is what clients see.
		w.Header().Set("Date", p.now().UTC().Format(http.TimeFormat))
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
		}
		if cors(w, r) {
			return
		}
		mux.ServeHTTP(w, r)
	})
}
