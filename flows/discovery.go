package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"unicode"
)

// Metadata is a provider's OpenID Connect Discovery 1.0 or RFC 8414 metadata.
type Metadata struct {
	// Issuer is the document's issuer, or, when that is a multi-tenant template the configured
	// issuer fits, the configured issuer (https://login.microsoftonline.com/common/v2.0), with the
	// template in IssuerTemplate (https://login.microsoftonline.com/{tenantid}/v2.0). Tokens are
	// checked against the template, filled from their tid claim; everything else that names the
	// issuer uses Issuer.
	Issuer         string
	IssuerTemplate string
	Endpoints
	ResponseTypes            []string
	ResponseModes            []string
	GrantTypes               []string
	Scopes                   []string
	CodeChallengeMethods     []string
	TokenEndpointAuthMethods []string
	TokenEndpointAuthAlgs    []string
	IDTokenSigningAlgs       []string
	// IssParameterSupported is RFC 9207's authorization_response_iss_parameter_supported.
	IssParameterSupported bool
	// RequirePAR is RFC 9126's require_pushed_authorization_requests.
	RequirePAR bool
	// RequestParameterSupported and RequestObjectSigningAlgs are request_parameter_supported and
	// request_object_signing_alg_values_supported (RFC 9101 §10.5, OpenID Connect Discovery §3).
	RequestParameterSupported bool
	RequestObjectSigningAlgs  []string
	// MTLSEndpointAliases are RFC 8705 §5's mtls_endpoint_aliases: the endpoints a client using
	// mutual TLS sends to instead (token, userinfo, introspection, revocation, device
	// authorization, pushed authorization; other members are ignored). CertificateBoundTokens is
	// tls_client_certificate_bound_access_tokens (§3.3).
	MTLSEndpointAliases    Endpoints
	CertificateBoundTokens bool
	// Source is the URL the document came from.
	Source string
	// raw decodes every member as received, known or not (see Raw).
	raw func() map[string]any
}

// Raw returns every member as received, known or not. It is decoded on first use: a run that needs
// only the registered members parses the document once.
func (m *Metadata) Raw() map[string]any {
	if m == nil || m.raw == nil {
		return nil
	}
	return m.raw()
}

// metadataJSON maps the registered member names.
type metadataJSON struct {
	Issuer                    string   `json:"issuer"`
	Authorization             string   `json:"authorization_endpoint"`
	Token                     string   `json:"token_endpoint"`
	UserInfo                  string   `json:"userinfo_endpoint"`
	Introspection             string   `json:"introspection_endpoint"`
	Revocation                string   `json:"revocation_endpoint"`
	EndSession                string   `json:"end_session_endpoint"`
	DeviceAuthorization       string   `json:"device_authorization_endpoint"`
	JWKS                      string   `json:"jwks_uri"`
	ResponseTypes             []string `json:"response_types_supported"`
	ResponseModes             []string `json:"response_modes_supported"`
	GrantTypes                []string `json:"grant_types_supported"`
	Scopes                    []string `json:"scopes_supported"`
	CodeChallengeMethods      []string `json:"code_challenge_methods_supported"`
	TokenEndpointAuthMethods  []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthAlgs     []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	IDTokenSigningAlgs        []string `json:"id_token_signing_alg_values_supported"`
	IssParameterSupported     bool     `json:"authorization_response_iss_parameter_supported"`
	PushedAuthorization       string   `json:"pushed_authorization_request_endpoint"`
	BackchannelAuthentication string   `json:"backchannel_authentication_endpoint"`
	RequirePAR                bool     `json:"require_pushed_authorization_requests"`
	RequestParameter          bool     `json:"request_parameter_supported"`
	RequestObjectSigningAlgs  []string `json:"request_object_signing_alg_values_supported"`

	// Mutual TLS (RFC 8705 §5, §3.3).
	MTLSEndpointAliases    mtlsAliasesJSON `json:"mtls_endpoint_aliases"`
	CertificateBoundTokens bool            `json:"tls_client_certificate_bound_access_tokens"`
}

// ParseMetadata parses a metadata document. It needs a JSON object with an issuer; members of the
// wrong type are an error naming the member.
func ParseMetadata(body []byte) (*Metadata, error) {
	body, _ = withoutBOM(body)
	var m metadataJSON
	if err := json.Unmarshal(body, &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, fmt.Errorf("member %q has the wrong type: %s where %s was expected", te.Field, te.Value, te.Type)
		}
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	// The document is valid JSON and an object (Unmarshal checked it whole), so its members decode
	// into a map without fail.
	raw := sync.OnceValue(func() map[string]any {
		var members map[string]any
		_ = json.Unmarshal(body, &members)
		return members
	})
	if m.Issuer == "" {
		return nil, errors.New(`the document has no "issuer" member`)
	}
	return &Metadata{
		Issuer: m.Issuer,
		Endpoints: Endpoints{
			Authorization: m.Authorization, Token: m.Token, UserInfo: m.UserInfo,
			Introspection: m.Introspection, Revocation: m.Revocation, EndSession: m.EndSession,
			DeviceAuthorization: m.DeviceAuthorization, JWKS: m.JWKS,
			PushedAuthorization:       m.PushedAuthorization,
			BackchannelAuthentication: m.BackchannelAuthentication,
		},
		ResponseTypes: m.ResponseTypes, ResponseModes: m.ResponseModes, GrantTypes: m.GrantTypes,
		Scopes: m.Scopes, CodeChallengeMethods: m.CodeChallengeMethods,
		TokenEndpointAuthMethods: m.TokenEndpointAuthMethods, TokenEndpointAuthAlgs: m.TokenEndpointAuthAlgs,
		IDTokenSigningAlgs: m.IDTokenSigningAlgs, IssParameterSupported: m.IssParameterSupported,
		RequirePAR: m.RequirePAR, RequestParameterSupported: m.RequestParameter, RequestObjectSigningAlgs: m.RequestObjectSigningAlgs,
		MTLSEndpointAliases: m.MTLSEndpointAliases.endpoints(), CertificateBoundTokens: m.CertificateBoundTokens,
		raw: raw,
	}, nil
}

// DiscoveryURLs are the places metadata is looked for, in order: OpenID Connect Discovery §4 (the
// well-known path appended to the issuer), then RFC 8414 §3.1 (inserted before the issuer's path),
// then the appended RFC 8414 form some servers use. An issuer that is itself a .well-known URL is used
// as it is.
func DiscoveryURLs(issuer string) ([]string, error) {
	u, err := url.Parse(strings.TrimSpace(issuer))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &Error{Kind: KindMissingEndpoint, Detail: fmt.Sprintf("the issuer %q is not an http(s) URL", issuer)}
	}
	if strings.Contains(u.Path, "/.well-known/") {
		return []string{u.String()}, nil
	}
	path := strings.TrimSuffix(u.Path, "/")
	base := u.Scheme + "://" + u.Host
	urls := []string{base + path + "/.well-known/openid-configuration", base + "/.well-known/oauth-authorization-server" + path}
	if path != "" {
		urls = append(urls, base+path+"/.well-known/oauth-authorization-server")
	}
	return urls, nil
}

// Discover fetches and caches the provider's metadata. A URL answering HTML (even with status 200, as
// single-page apps and some tenant hosts do) or 404 means "no discovery here" and the next URL is
// tried; when none has metadata the error is of kind no_discovery and lists what each answered. A
// failure is cached like a success, so a run fetches a missing document once.
func (c *Client) Discover(ctx context.Context) (*Metadata, error) {
	st := c.st()
	st.mu.Lock()
	if st.meta != nil || st.metaErr != nil {
		defer st.mu.Unlock()
		return st.meta, st.metaErr
	}
	st.mu.Unlock()
	meta, err := c.discover(ctx)
	// A failure is kept for the client's life (one run), except a cancellation, which says nothing
	// about the provider.
	if err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled) {
		st.mu.Lock()
		st.metaErr = err
		st.mu.Unlock()
	}
	return meta, err
}

// discover fetches and checks the metadata, trying each of the issuer's discovery URLs.
func (c *Client) discover(ctx context.Context) (*Metadata, error) {
	st := c.st()
	urls, err := DiscoveryURLs(c.Config.Issuer)
	if err != nil {
		return nil, err
	}
	ctx = WithStep(ctx, "discovery")
	var tried []string
	for _, u := range urls {
		r, err := c.get(ctx, u, "application/json", nil)
		if err != nil {
			var fe *Error
			if errors.As(err, &fe) && fe.Kind == KindBodyTooLarge {
				tried = append(tried, u+": "+fe.Detail)
				continue
			}
			return nil, err // the host is unreachable: the other paths will not do better
		}
		switch {
		case isHTML(r.header, r.body):
			tried = append(tried, fmt.Sprintf("%s: HTTP %d with an HTML page, not metadata", u, r.status))
			continue
		case r.status != 200:
			tried = append(tried, fmt.Sprintf("%s: HTTP %d", u, r.status))
			continue
		}
		meta, err := ParseMetadata(r.body)
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v", u, err))
			continue
		}
		meta.Source = u
		if err := c.checkIssuer(meta); err != nil {
			return nil, err
		}
		if err := c.checkCleartextEndpoints(meta); err != nil {
			return nil, err
		}
		st.mu.Lock()
		st.meta = meta
		st.mu.Unlock()
		return meta, nil
	}
	return nil, &Error{Kind: KindNoDiscovery, Detail: "no metadata found for issuer " + c.Config.Issuer + ":\n  " + strings.Join(tried, "\n  ")}
}

// checkIssuer applies OpenID Connect Discovery §4.3 / RFC 8414 §3.3: the document's issuer must be
// the issuer it was fetched for. A difference of only a trailing slash is accepted, and the
// document's spelling is then the one id_tokens must carry.
//
// The one other document accepted is a multi-tenant one: the Microsoft identity platform's common
// and organizations endpoints publish the issuer https://login.microsoftonline.com/{tenantid}/v2.0,
// a template each token's iss fills with its own tenant. It passes only when it has the
// {tenantid} placeholder and is otherwise the configured issuer, character for character; the
// template is then kept in IssuerTemplate and is what tokens are checked against, the iss check
// filling it from the token's tid claim (validate_claims.go), as the Microsoft identity platform
// documents for multi-tenant apps.
func (c *Client) checkIssuer(meta *Metadata) error {
	want := strings.TrimSpace(c.Config.Issuer)
	if strings.Contains(want, "/.well-known/") || meta.Issuer == want || strings.TrimSuffix(meta.Issuer, "/") == strings.TrimSuffix(want, "/") {
		return nil
	}
	if _, ok := matchIssuerTemplate(meta.Issuer, want); ok {
		meta.IssuerTemplate, meta.Issuer = meta.Issuer, want
		return nil
	}
	detail := fmt.Sprintf("the metadata at %s names the issuer %q, not %q", meta.Source, meta.Issuer, want)
	if isIssuerTemplate(meta.Issuer) {
		detail += fmt.Sprintf("; it is a multi-tenant issuer template, but not one the configured issuer fits with a single path segment in place of %s", tenantPlaceholder)
	}
	return &Error{Kind: KindIssuerMismatch, Detail: detail}
}

// KindCleartextEndpoint is an https issuer whose metadata names an http endpoint.
const KindCleartextEndpoint Kind = "cleartext_endpoint"

// checkCleartextEndpoints refuses the metadata of an https issuer that names an http:// endpoint on
// another host than this machine's loopback: the client secret, codes and tokens would go there in
// clear, a downgrade nobody asked for (RFC 6749 §3.1 and §3.2 require TLS; RFC 8414 §2 endpoints
// are https). Client's allowHTTPEndpoints (TransportOptions.AllowHTTPEndpoints) lets them through.
func (c *Client) checkCleartextEndpoints(meta *Metadata) error {
	if c.allowHTTPEndpoints || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(c.Config.Issuer)), "https://") {
		return nil
	}
	var bad []string
	for _, set := range []struct {
		prefix    string
		endpoints Endpoints
	}{{"", meta.Endpoints}, {"mtls ", meta.MTLSEndpointAliases}} {
		for _, ep := range set.endpoints.List() {
			u, err := url.Parse(ep.URL)
			if ep.URL == "" || err != nil || !strings.EqualFold(u.Scheme, "http") || IsLoopback(ep.URL) {
				continue
			}
			bad = append(bad, set.prefix+ep.Name+" "+ep.URL)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &Error{Kind: KindCleartextEndpoint, Detail: fmt.Sprintf("the metadata of the https issuer %s (at %s) names http:// endpoints: %s; secrets and tokens sent there would cross the network in clear, so they are refused (--allow-http-endpoints accepts them)",
		c.Config.Issuer, meta.Source, strings.Join(bad, ", "))}
}

// ExpectedIssuer is the issuer a token from this provider is checked against: the discovered one
// once discovery has run, which may differ from the configured one by a trailing slash or be a
// multi-tenant template (Metadata.IssuerTemplate) that the iss check fills from the token's tid
// claim; else the configured one. It makes no request.
func (c *Client) ExpectedIssuer() string {
	meta := c.knownMetadata()
	if meta != nil && meta.IssuerTemplate != "" {
		return meta.IssuerTemplate
	}
	return c.issuer()
}

// tenantPlaceholder is the tenant's place in a multi-tenant issuer template (the Microsoft identity
// platform's https://login.microsoftonline.com/{tenantid}/v2.0); tenantClaim is the id_token claim
// naming the tenant that fills it.
const (
	tenantPlaceholder = "{tenantid}"
	tenantClaim       = "tid"
)

// isIssuerTemplate reports whether issuer is a multi-tenant issuer template: it holds the
// {tenantid} placeholder exactly once.
func isIssuerTemplate(issuer string) bool {
	return strings.Count(issuer, tenantPlaceholder) == 1
}

// fillIssuerTemplate returns the issuer template with tenant in place of {tenantid}; false when
// template is not one, or tenant is not a single path segment (empty, or holding '/', '?', '#',
// '%', '\', white space or a control character) and so could not name a tenant.
func fillIssuerTemplate(template, tenant string) (string, bool) {
	if !isIssuerTemplate(template) || !isTenantSegment(tenant) {
		return "", false
	}
	return strings.Replace(template, tenantPlaceholder, tenant, 1), true
}

// matchIssuerTemplate reports whether issuer is template with one path segment in place of
// {tenantid} (a trailing slash aside, as for a plain issuer), returning that segment: the
// configured https://login.microsoftonline.com/common/v2.0 fits
// https://login.microsoftonline.com/{tenantid}/v2.0 with "common".
func matchIssuerTemplate(template, issuer string) (string, bool) {
	if !isIssuerTemplate(template) {
		return "", false
	}
	template, issuer = strings.TrimSuffix(template, "/"), strings.TrimSuffix(issuer, "/")
	prefix, suffix, _ := strings.Cut(template, tenantPlaceholder)
	if len(issuer) <= len(prefix)+len(suffix) || !strings.HasPrefix(issuer, prefix) || !strings.HasSuffix(issuer, suffix) {
		return "", false
	}
	tenant := issuer[len(prefix) : len(issuer)-len(suffix)]
	if !isTenantSegment(tenant) {
		return "", false
	}
	return tenant, true
}

// isTenantSegment reports whether s can stand for {tenantid}: one non-empty path segment, with
// nothing that would change the URL's structure.
func isTenantSegment(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if strings.ContainsRune("/?#%\\{}", r) || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// knownMetadata is the metadata discovery already found, or nil; it never fetches.
func (c *Client) knownMetadata() *Metadata {
	st := c.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.meta
}
