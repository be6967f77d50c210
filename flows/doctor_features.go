package flows

import (
	"fmt"
	"slices"
	"strings"
)

// features compares what the provider advertises with what the client is configured to use:
// scopes, PKCE, client authentication, PAR, DPoP and mutual TLS.
func (doc *doctor) features() {
	const area = "features"
	m := doc.meta
	if m == nil {
		doc.unknown(area, "advertised", "no metadata: what the provider supports is unknown", "", "")
		return
	}
	cfg := doc.c.Config
	if len(m.Scopes) > 0 {
		var unknown []string
		for _, s := range cfg.Scopes {
			if !slices.Contains(m.Scopes, s) {
				unknown = append(unknown, s)
			}
		}
		if len(unknown) > 0 {
			doc.unknown(area, "scopes", "scopes not in scopes_supported: "+strings.Join(unknown, ", "),
				"the provider may refuse them (invalid_scope) or drop them silently; the list need not be complete (OpenID Connect Discovery §3)", "check the scope names in the provider's console")
		} else {
			doc.ok(area, "scopes", "every configured scope ("+listOrNone(cfg.Scopes)+") is advertised")
		}
	}
	switch p := cfg.pkce(); {
	case !slices.Contains(m.CodeChallengeMethods, "S256"):
		doc.unknown(area, "pkce", "PKCE S256 is not advertised (code_challenge_methods_supported: "+listOrNone(m.CodeChallengeMethods)+")",
			"the provider may ignore code_challenge, leaving codes open to interception; RFC 9700 §2.1.1 expects PKCE", "ask the provider to enable PKCE")
	case p != PKCES256:
		doc.unknown(area, "pkce", fmt.Sprintf("PKCE S256 is advertised, but the client is configured with %s", p),
			"RFC 9700 §2.1.1: use S256", "use --pkce S256")
	default:
		doc.ok(area, "pkce", "PKCE S256 is advertised and configured")
	}
	if m.IssParameterSupported {
		doc.ok(area, "iss_advertised", "authorization_response_iss_parameter_supported: responses carry iss (RFC 9207)")
	}
	if am := cfg.authMethod(); len(m.TokenEndpointAuthMethods) > 0 && !slices.Contains(m.TokenEndpointAuthMethods, string(am)) {
		doc.unknown(area, "auth_advertised", fmt.Sprintf("the configured client authentication %s is not in token_endpoint_auth_methods_supported (%s)", am, listOrNone(m.TokenEndpointAuthMethods)),
			"the token endpoint will probably refuse it", "use one of the advertised methods")
	}
	switch {
	case cfg.PAR && m.PushedAuthorization == "":
		doc.failed(area, "par", "PAR is configured, but the provider advertises no pushed_authorization_request_endpoint",
			"the push has nowhere to go (RFC 9126 §5)", "turn PAR off, or give the endpoint", string(KindMissingEndpoint))
	case m.RequirePAR && !cfg.PAR:
		doc.unknown(area, "par", "the provider requires PAR (require_pushed_authorization_requests); tokenbench pushes automatically",
			"clients that do not push are refused", "")
	case m.PushedAuthorization != "":
		doc.ok(area, "par", fmt.Sprintf("PAR is advertised; configured: %t", cfg.PAR))
	}
	dpopAlgs := rawStrings(m.Raw(), "dpop_signing_alg_values_supported")
	switch {
	case cfg.DPoP && len(dpopAlgs) == 0:
		doc.unknown(area, "dpop", "DPoP is configured, but the provider advertises no dpop_signing_alg_values_supported",
			"it may ignore the proofs and issue Bearer tokens (RFC 9449 §5.1)", "")
	case len(dpopAlgs) > 0:
		doc.ok(area, "dpop", fmt.Sprintf("DPoP is advertised (%s); configured: %t", strings.Join(dpopAlgs, ", "), cfg.DPoP))
	}
	mtlsAdvertised := m.MTLSEndpointAliases != (Endpoints{}) || m.CertificateBoundTokens
	switch {
	case doc.c.UsesMTLS() && !mtlsAdvertised:
		doc.unknown(area, "mtls", "a client certificate is configured, but the provider advertises neither mtls_endpoint_aliases nor certificate-bound tokens",
			"the certificate may not be asked for (RFC 8705 §5)", "")
	case mtlsAdvertised:
		doc.ok(area, "mtls", fmt.Sprintf("mutual TLS is advertised; client certificate configured: %t", doc.c.UsesMTLS()))
	}
}

// rawStrings is a metadata member that is a list of strings, as received.
func rawStrings(raw map[string]any, name string) []string {
	list, _ := raw[name].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
