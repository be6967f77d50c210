package flows

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/tokenbench/tokenbench/assets"
)

// OAuthError is an error answer from the provider: a token, device, introspection or revocation
// endpoint's JSON error (RFC 6749 §5.2), an error authorization response (§4.1.2.1), or a resource
// server's WWW-Authenticate challenge (RFC 6750 §3).
type OAuthError struct {
	Code        string
	Description string
	URI         string
	// Status is the HTTP status; 0 for an error in an authorization response.
	Status int
	// Endpoint says where it came from ("token endpoint", "authorization response" …).
	Endpoint string
	// Challenge is the answer's WWW-Authenticate header, if any (RFC 6749 §5.2: a 401 to a client
	// that authenticated with the Authorization header carries one).
	Challenge string
}

func (e *OAuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Endpoint, e.Code)
	if e.Description != "" {
		fmt.Fprintf(&b, " (%s)", e.Description)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " [HTTP %d]", e.Status)
	}
	return b.String()
}

// Kind names a failure that is not an OAuth error answer; each kind is an explanation key in assets.
type Kind string

// The failure kinds. Each has an entry in assets/explanations.yaml.
const (
	KindConnectionRefused   Kind = "connection_refused"
	KindTransport           Kind = "transport_failure"
	KindDNS                 Kind = "dns_failure"
	KindTimeout             Kind = "timeout"
	KindTLSUnknownAuthority Kind = "tls_unknown_authority"
	KindTLSNameMismatch     Kind = "tls_name_mismatch"
	KindTLSExpired          Kind = "tls_expired_certificate"
	KindTLS                 Kind = "tls_failure"
	KindProxy               Kind = "proxy_failure"
	KindHTMLPage            Kind = "html_page"
	KindNonJSON             Kind = "non_json_body"
	KindBodyTooLarge        Kind = "body_too_large"
	KindUnexpectedStatus    Kind = "unexpected_status"
	KindNoDiscovery         Kind = "no_discovery"
	KindIssuerMismatch      Kind = "discovery_issuer_mismatch"
	KindMissingEndpoint     Kind = "missing_endpoint"
	KindStateMismatch       Kind = "state_mismatch"
	KindIssMismatch         Kind = "iss_mismatch"
	KindMissingCode         Kind = "missing_code"
	KindMissingAccessToken  Kind = "missing_access_token"
	KindInvalidCallback     Kind = "invalid_callback"
	KindListenerFailed      Kind = "callback_listener_failed"
	KindMalformedJWT        Kind = "malformed_jwt"
	// KindCIBANotification is a CIBA ping or push that did not come, or did not hold what CIBA Core
	// §10 requires.
	KindCIBANotification Kind = "ciba_notification_invalid"
	// KindRedirected is a 3xx where an endpoint must answer itself (token, device, introspection …):
	// the error names where Location points and what that likely means.
	KindRedirected Kind = "endpoint_redirected"
)

// Error is a failure that is not an OAuth error answer: a transport failure, a response tokenbench
// cannot use, or a failed protocol check.
type Error struct {
	Kind   Kind
	Detail string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Detail == "" {
		return fmt.Sprintf("%s: %v", e.Kind, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Detail)
}

func (e *Error) Unwrap() error { return e.Err }

// Explain finds the OAuth error code or failure kind in err's chain and its explanation. An error
// code the specifications do not define (a Spring server's "unauthorized" …) is explained by its HTTP
// status instead.
func Explain(err error) (code string, ex assets.Explanation, ok bool) {
	var oe *OAuthError
	var fe *Error
	switch {
	case errors.As(err, &oe):
		code = oe.Code
	case errors.As(err, &fe):
		code = string(fe.Kind)
	default:
		return "", assets.Explanation{}, false
	}
	if ex, ok = assets.Explain(code); ok || oe == nil || oe.Status == 0 {
		return code, ex, ok
	}
	ex, ok = StatusExplanation(oe.Status)
	return code, ex, ok
}

// StatusExplanation explains an HTTP status an endpoint answered with: the status's own entry in
// assets (http_401 …), else its class's (http_4xx, http_5xx).
func StatusExplanation(status int) (assets.Explanation, bool) {
	if ex, ok := assets.Explain(fmt.Sprintf("http_%d", status)); ok {
		return ex, true
	}
	return assets.Explain(fmt.Sprintf("http_%dxx", status/100))
}

// classifyTransport turns a failed request into an *Error of the right kind; cancellation passes
// through unchanged so callers can tell it apart.
func classifyTransport(url string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	kind, what := transportKind(err)
	return &Error{Kind: kind, Detail: fmt.Sprintf("%s: %s", url, what), Err: err}
}

func transportKind(err error) (Kind, string) {
	var (
		tooLarge *BodyTooLargeError
		dnsErr   *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		opErr    *net.OpError
		netErr   net.Error
		recErr   tls.RecordHeaderError
		alert    tls.AlertError
	)
	switch {
	case errors.As(err, &tooLarge):
		return KindBodyTooLarge, tooLarge.Error()
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		return KindProxy, "the proxy refused or failed the connection: " + opErr.Err.Error()
	case errors.As(err, &dnsErr):
		return KindDNS, fmt.Sprintf("the name %q could not be resolved", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindConnectionRefused, "connection refused: nothing is listening on that host and port"
	case errors.As(err, &unknown):
		return KindTLSUnknownAuthority, "the server's certificate is signed by an authority this machine does not trust"
	case errors.As(err, &hostErr):
		return KindTLSNameMismatch, hostErr.Error()
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return KindTLSExpired, invalid.Error()
	case errors.As(err, &invalid), errors.As(err, &recErr), errors.As(err, &alert):
		return KindTLS, err.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout, "no complete answer before the timeout"
	}
	return KindTransport, err.Error()
}
