package flows

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Defaults for TransportOptions.
const (
	DefaultTimeout = 30 * time.Second
	DefaultMaxBody = 10 << 20
)

// TransportOptions configure the HTTP client every exchange goes through.
type TransportOptions struct {
	// Timeout bounds each request, connection to last byte; zero means DefaultTimeout.
	Timeout time.Duration
	// MaxBody bounds each response body; zero means DefaultMaxBody.
	MaxBody int64
	// CABundle holds PEM certificates trusted in addition to the system roots.
	CABundle []byte
	// Insecure skips TLS certificate verification. Callers must warn the user.
	Insecure bool
	// ClientCertificates are offered for mutual TLS.
	ClientCertificates []tls.Certificate
	// Proxy chooses a proxy per request; nil means HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the
	// environment.
	Proxy func(*http.Request) (*url.URL, error)
	// AllowHTTPEndpoints accepts http:// endpoints in the metadata of an https issuer (see
	// Client.Discover), which are otherwise refused: secrets and tokens sent to them cross the
	// network in clear. Callers must warn the user.
	AllowHTTPEndpoints bool
}

// BodyTooLargeError reports a response body over the size limit.
type BodyTooLargeError struct{ Limit int64 }

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("response body is larger than the %d-byte limit", e.Limit)
}

// NewHTTPClient builds the client every exchange uses; each exchange is recorded in trace when it is
// not nil. Redirects are never followed: an authorization server's 3xx is an answer to read (RFC 6749
// §3.1.2), and a token endpoint that redirects is misconfigured.
func NewHTTPClient(opts TransportOptions, trace *Trace) (*http.Client, error) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.Proxy = opts.Proxy
	if base.Proxy == nil {
		base.Proxy = http.ProxyFromEnvironment
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: opts.ClientCertificates}
	if len(opts.CABundle) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(opts.CABundle) {
			return nil, errors.New("the CA bundle holds no PEM certificate")
		}
		tlsConf.RootCAs = pool
	}
	tlsConf.InsecureSkipVerify = opts.Insecure //nolint:gosec // explicit user choice, warned about by callers
	base.TLSClientConfig = tlsConf
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	limit := opts.MaxBody
	if limit == 0 {
		limit = DefaultMaxBody
	}
	return &http.Client{
		Transport: &recorder{next: base, trace: trace, limit: limit},
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, nil
}

// recorder reads each response body whole (up to limit) and records the exchange.
type recorder struct {
	next  http.RoundTripper
	trace *Trace
	limit int64
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	x := Exchange{
		Step:          stepFrom(req.Context()),
		Started:       time.Now(),
		Method:        req.Method,
		URL:           req.URL.String(),
		RequestHeader: req.Header.Clone(),
		RequestBody:   reqBody,
	}
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		x.Status = resp.StatusCode
		x.ResponseHeader = resp.Header.Clone()
		var body []byte
		body, err = io.ReadAll(io.LimitReader(resp.Body, r.limit+1))
		resp.Body.Close()
		if err == nil && int64(len(body)) > r.limit {
			body, err = body[:r.limit], &BodyTooLargeError{Limit: r.limit}
		}
		x.ResponseBody = body
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	x.Duration = time.Since(x.Started)
	if err != nil {
		x.Err = err.Error()
	}
	r.trace.add(x)
	if err != nil {
		return nil, err
	}
	return resp, nil
}
