package flows

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The discovery probes: both well-known locations, what each answers, the issuer the document
// names, its endpoints' schemes and the members the specifications require.

// requiredOIDCMembers are the members OpenID Connect Discovery 1.0 §3 requires (token_endpoint is
// required unless only the implicit flow is used; jwks_uri always).
var requiredOIDCMembers = []string{"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"}

// requiredRFC8414Members are the members RFC 8414 §2 requires of any authorization server
// metadata (authorization_endpoint and response_types_supported when it has one).
var requiredRFC8414Members = []string{"issuer", "response_types_supported"}

// discovery fetches both well-known locations and checks what they hold.
func (doc *doctor) discovery(ctx context.Context) {
	const area = "discovery"
	if doc.d.Issuer == "" {
		doc.unknown(area, "metadata", "not probed: no issuer is configured, only endpoints", "", "give --issuer to check the provider's metadata")
		return
	}
	urls, err := DiscoveryURLs(doc.d.Issuer)
	if err != nil {
		doc.fromError(area, "metadata", "the issuer cannot be discovered", err, "give the issuer as an https URL")
		return
	}
	if len(urls) > 2 {
		urls = urls[:2] // the OpenID Connect and the RFC 8414 location; the third form is non-standard
	}
	names := []string{"openid_configuration", "oauth_authorization_server"}
	for i, u := range urls {
		check := "location"
		if len(urls) > 1 {
			check = names[i]
		}
		meta := doc.fetchMetadata(ctx, check, u)
		if meta != nil && doc.meta == nil {
			doc.meta = meta
		}
	}
	if doc.meta == nil {
		f := Finding{Area: area, Check: "metadata", Status: FindingFailed, Code: string(KindNoDiscovery),
			Summary: "no metadata at either well-known location",
			Meaning: "tokenbench and other clients cannot learn the endpoints or keys by themselves",
			Action:  "give the endpoints explicitly (--authorization-endpoint, --token-endpoint, --jwks-uri …), or fix the issuer URL"}
		if doc.endpoints.Token != "" || doc.endpoints.Authorization != "" {
			f.Status, f.Code = FindingUnknown, ""
			f.Meaning += "; the configured endpoints are used instead"
		}
		doc.add(f)
		return
	}
	doc.endpoints = doc.endpoints.Merge(doc.c.mtlsEndpoints(doc.meta))
	doc.issuer(doc.meta)
	doc.endpointSchemes(doc.meta)
	doc.requiredMembers(doc.meta)
}

// fetchMetadata fetches one location and reports what it answered; it returns the metadata when
// the location has some.
func (doc *doctor) fetchMetadata(ctx context.Context, check, u string) *Metadata {
	const area = "discovery"
	start := time.Now()
	r, err := doc.c.get(ctx, u, "application/json", nil)
	took := time.Since(start)
	if err != nil {
		doc.fromError(area, check, u+" could not be fetched", err, "")
		return nil
	}
	doc.noteDate(r, time.Now())
	if took > doc.opts.SlowAfter {
		doc.unknown(area, "latency", fmt.Sprintf("%s took %s to answer", u, took.Round(time.Millisecond)),
			"a slow provider makes logins slow and clients with short timeouts fail", "look at the provider's load, or the network path (a proxy, a VPN)")
	}
	switch {
	case isHTML(r.header, r.body) && r.status == 200:
		f := Finding{Area: area, Check: check, Status: FindingUnknown,
			Summary: fmt.Sprintf("%s answers HTTP 200 with an HTML page%s, not metadata", u, titled(r.body)),
			Meaning: "a single-page app or a tenant host answering every path: there is no discovery here, whatever the status says",
			Action:  "if neither location has metadata, give the endpoints explicitly"}
		doc.add(f)
		return nil
	case r.status == 404:
		doc.unknown(area, check, u+" answers 404", "no metadata at this location; clients that look only here find none", "")
		return nil
	case r.status != 200:
		doc.unknown(area, check, fmt.Sprintf("%s answers HTTP %d%s", u, r.status, titled(r.body)), "no metadata at this location", "")
		return nil
	}
	meta, err := ParseMetadata(r.body)
	if err != nil {
		doc.failed(area, check, u+" answers 200 with a document that is not usable metadata: "+err.Error(),
			"clients that discover from here fail", "fix the document (OpenID Connect Discovery §3, RFC 8414 §2)", string(KindNonJSON))
		return nil
	}
	meta.Source = u
	doc.ok(area, check, u+" has metadata")
	return meta
}

// titled is ` titled "…"` for an HTML page with a title, else "".
func titled(body []byte) string {
	if t := htmlTitle(body); t != "" {
		return fmt.Sprintf(" titled %q", t)
	}
	return ""
}

// issuer checks the document's issuer against the configured one (OpenID Connect Discovery §4.3,
// RFC 8414 §3.3), naming the kind of difference.
func (doc *doctor) issuer(meta *Metadata) {
	const area = "discovery"
	want, got := doc.d.Issuer, meta.Issuer
	mismatch := func(summary, meaning, action string) {
		doc.failed(area, "issuer", summary, meaning, action, string(KindIssuerMismatch))
	}
	switch {
	case got == want:
		doc.ok(area, "issuer", fmt.Sprintf("the metadata names the issuer %s, the one it was fetched for", got))
	case strings.TrimSuffix(got, "/") == strings.TrimSuffix(want, "/"):
		doc.unknown(area, "issuer", fmt.Sprintf("the metadata names %q, the configured issuer is %q: they differ by a trailing slash", got, want),
			"tokens carry the document's spelling; tokenbench accepts it, stricter clients compare character for character and refuse every token",
			fmt.Sprintf("configure the issuer exactly as %q", got))
	case strings.EqualFold(strings.TrimSuffix(got, "/"), strings.TrimSuffix(want, "/")):
		mismatch(fmt.Sprintf("the metadata names %q, the configured issuer is %q: they differ only in letter case", got, want),
			"issuers are compared character for character (OpenID Connect Core §3.1.3.7), so every token would fail the iss check",
			fmt.Sprintf("configure the issuer exactly as %q", got))
	case isIssuerTemplate(got):
		if _, ok := matchIssuerTemplate(got, want); ok {
			doc.ok(area, "issuer", fmt.Sprintf("the metadata names the multi-tenant template %s, which the configured issuer fits; each token's iss is checked against it filled with its tid", got))
			return
		}
		mismatch(fmt.Sprintf("the metadata names the multi-tenant template %q, which the configured issuer %q does not fit", got, want),
			"the configured issuer is not the template with one tenant in place of "+tenantPlaceholder,
			"configure the issuer as the template with your tenant id, or common / organizations")
	default:
		mismatch(fmt.Sprintf("the metadata at %s names the issuer %q, not %q", meta.Source, got, want),
			"the document belongs to another issuer: every token would fail the iss check, and a client must refuse this metadata (OpenID Connect Discovery §4.3)",
			fmt.Sprintf("configure the issuer %q if that is the tenant meant; else fix the provider's issuer setting (often a public URL behind a proxy)", got))
	}
}

// endpointSchemes reports the endpoints that are not https (loopback ones aside).
func (doc *doctor) endpointSchemes(meta *Metadata) {
	const area = "discovery"
	var bad []string
	for _, ep := range meta.Endpoints.List() {
		u, err := url.Parse(ep.URL)
		if ep.URL == "" || (err == nil && (u.Scheme == "https" || isLoopback(u))) {
			continue
		}
		bad = append(bad, ep.Name+" "+ep.URL)
	}
	if len(bad) == 0 {
		doc.ok(area, "https", "every endpoint in the metadata is https (or on a loopback address)")
		return
	}
	doc.failed(area, "https", "endpoints that are not https: "+strings.Join(bad, "; "),
		"credentials and tokens sent there cross the network in clear (RFC 6749 §3.1, §3.2; RFC 8414 §2)",
		"have the provider publish https URLs: behind a TLS-terminating proxy it usually needs to be told its public scheme (X-Forwarded-Proto, a frontend URL setting)", "")
}

// requiredMembers reports members the specifications require that the document lacks.
func (doc *doctor) requiredMembers(meta *Metadata) {
	const area = "discovery"
	required, spec := requiredRFC8414Members, "RFC 8414 §2"
	if strings.HasSuffix(meta.Source, "/openid-configuration") {
		required, spec = requiredOIDCMembers, "OpenID Connect Discovery §3"
	}
	var missing []string
	for _, m := range required {
		if v, ok := meta.Raw()[m]; !ok || v == nil || v == "" {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		doc.ok(area, "required_members", "the metadata has every member "+spec+" requires")
		return
	}
	doc.failed(area, "required_members", "the metadata lacks "+strings.Join(missing, ", ")+", required by "+spec,
		"strict clients refuse the document, and the missing parts must be configured by hand",
		"configure what is missing (--jwks-uri …), and report it to the provider", "")
}
