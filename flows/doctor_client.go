package flows

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// The client probes: which client authentication the token endpoint accepts, found with a
// made-up authorization code that the provider can only refuse; and whether the authorization
// endpoint accepts the redirect URI, found with a request that stops before any login.

// authCandidates are the methods worth trying with the configured credentials: the configured one
// first, then every other one they allow.
func authCandidates(cfg ClientConfig, mtls bool) []AuthMethod {
	out := []AuthMethod{cfg.authMethod()}
	add := func(m AuthMethod) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	if cfg.ClientSecret != "" {
		add(AuthClientSecretBasic)
		add(AuthClientSecretPost)
		if len(cfg.ClientSecret) >= hmacMinKeySize["HS256"] {
			add(AuthClientSecretJWT)
		}
	}
	if cfg.SigningKey != nil {
		add(AuthPrivateKeyJWT)
	}
	if mtls {
		add(AuthTLSClient)
		add(AuthSelfSignedTLSClient)
	}
	return out
}

// clientAuth tries each candidate method with a made-up code. RFC 6749 §5.2: the server
// authenticates the client before it looks at the grant, so invalid_grant means the credentials
// were accepted and only the (made-up) code was refused, and invalid_client that they were not.
func (doc *doctor) clientAuth(ctx context.Context) {
	const area = "client"
	cfg := doc.c.Config
	if doc.lacks(area, "auth", prerequisite{cfg.ClientID, "client_id", "--client-id"}, prerequisite{doc.endpoints.Token, "token endpoint", "--token-endpoint"}) {
		return
	}
	configured := cfg.authMethod()
	doc.codeFirst = doc.checksCodeFirst(ctx)
	for _, m := range authCandidates(cfg, doc.c.UsesMTLS()) {
		doc.tryAuth(ctx, m, m == configured)
	}
}

// checksCodeFirst sends the made-up code once with a made-up secret, when the client has a secret.
// RFC 6749 §5.2 does not order the token endpoint's checks: a provider that answers it
// invalid_grant looks at the code before the client's credentials (zitadel/oidc does), and then
// invalid_grant says nothing about them. That is reported as a ? and makes the methods' answers ?.
func (doc *doctor) checksCodeFirst(ctx context.Context) bool {
	if doc.c.Config.ClientSecret == "" {
		return false
	}
	r, err := doc.madeUpCode(ctx, AuthClientSecretPost, "tokenbench-doctor-not-the-secret-"+randomValue())
	if err != nil {
		return false
	}
	var oe *OAuthError
	if _, _, perr := tokenMembers(r); !errors.As(perr, &oe) || oe.Code != "invalid_grant" {
		return false
	}
	doc.unknown("client", "auth_order", "a made-up secret is answered invalid_grant too: the token endpoint looks at the code before the client's credentials",
		"the made-up code cannot tell which credentials the provider accepts (RFC 6749 §5.2 does not order its checks), so the methods below are ?",
		"check the credentials with a real login (tokenbench run), or with a client_credentials grant if the client may use it")
	return true
}

// madeUpCode sends a token request with method m, the secret given, and a made-up code that no
// provider issued, so that nothing can be redeemed.
func (doc *doctor) madeUpCode(ctx context.Context, m AuthMethod, secret string) (response, error) {
	cfg := doc.c.Config
	cfg.Issuer, cfg.Endpoints, cfg.AuthMethod, cfg.ClientSecret = "", doc.endpoints, m, secret
	cfg.DPoP, cfg.DPoPKey = false, nil
	probe := doc.c.WithConfig(cfg)
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {"tokenbench-doctor-" + randomValue()}, // made up: no provider issued it
		"code_verifier": {randomValue() + randomValue()},
	}
	if cfg.RedirectURI != "" {
		form.Set("redirect_uri", cfg.RedirectURI)
	}
	return probe.postForm(ctx, "doctor", doc.endpoints.Token, form, true)
}

// prerequisite is a setting a probe needs: its value, its name and the flag that gives it.
type prerequisite struct{ value, name, flag string }

// lacks records a ? finding and reports true when one of the prerequisites is empty.
func (doc *doctor) lacks(area, check string, needs ...prerequisite) bool {
	for _, n := range needs {
		if n.value == "" {
			doc.unknown(area, check, "not probed: no "+n.name+" is configured or discovered", "", "give "+n.flag)
			return true
		}
	}
	return false
}

// tryAuth sends one token request with method m and a made-up code, and reports the answer.
func (doc *doctor) tryAuth(ctx context.Context, m AuthMethod, configured bool) {
	const area = "client"
	check := "auth " + string(m)
	which := string(m)
	if configured {
		which += " (configured)"
	}
	r, err := doc.madeUpCode(ctx, m, doc.c.Config.ClientSecret)
	if err != nil {
		if configured {
			doc.fromError(area, check, which+": could not be tried", err, "")
		} else {
			doc.unknown(area, check, which+": not tried: "+err.Error(), "", "")
		}
		return
	}
	doc.noteDate(r, time.Now())
	_, _, perr := tokenMembers(r)
	var oe *OAuthError
	refused := func(why string) {
		if configured {
			doc.failed(area, check, which+": refused, "+why,
				"the token endpoint does not accept these credentials with this method: every token request of this client will fail the same way",
				"check the client_id and secret (or key) and the method the client is registered for"+doc.acceptedHint(), "invalid_client")
			return
		}
		doc.unknown(area, check, which+": refused, "+why, "a client is usually registered for one method; this is not it", "")
	}
	switch {
	case perr == nil:
		doc.failed(area, check, which+": the token endpoint answered a made-up code with tokens",
			"the provider does not check authorization codes: anyone can obtain tokens", "report this to the provider at once", "")
	case errors.As(perr, &oe) && oe.Code == "invalid_grant" && doc.codeFirst:
		doc.unknown(area, check, which+": answered invalid_grant, as a made-up secret is: cannot tell whether the credentials were accepted", "", "")
	case errors.As(perr, &oe) && oe.Code == "invalid_grant":
		doc.ok(area, check, which+": credentials accepted (the made-up code was refused with invalid_grant, as it should be)")
	case errors.As(perr, &oe) && oe.Code == "unauthorized_client":
		doc.unknown(area, check, which+": credentials accepted, but the client may not use the authorization code grant (unauthorized_client)",
			"the client is registered, but not for this grant", "enable the authorization code grant for the client, or use the grant it has")
	case errors.As(perr, &oe) && oe.Code == "invalid_client", r.status == 401:
		refused(describeOAuth(perr))
	case errors.As(perr, &oe):
		doc.unknown(area, check, which+": answered "+describeOAuth(perr)+", which does not say whether the credentials were accepted", "", "")
	default:
		doc.unknown(area, check, which+": "+perr.Error(), "", "")
	}
}

// describeOAuth is an OAuth error's code and description, or the error.
func describeOAuth(err error) string {
	var oe *OAuthError
	if !errors.As(err, &oe) {
		return err.Error()
	}
	if oe.Description == "" {
		return oe.Code
	}
	return fmt.Sprintf("%s (%s)", oe.Code, oe.Description)
}

// acceptedHint names the methods found accepted so far, for the configured method's failure.
func (doc *doctor) acceptedHint() string {
	var ok []string
	for _, f := range doc.d.Findings {
		if m, found := strings.CutPrefix(f.Check, "auth "); found && f.Area == "client" && f.Status == FindingOK {
			ok = append(ok, m)
		}
	}
	if doc.meta != nil && len(doc.meta.TokenEndpointAuthMethods) > 0 {
		return "; the provider advertises " + strings.Join(doc.meta.TokenEndpointAuthMethods, ", ")
	}
	if len(ok) > 0 {
		return "; accepted: " + strings.Join(ok, ", ")
	}
	return ""
}

// loginPageRE and errorPageRE tell a login page from an error page, where the status does not.
var (
	loginPageRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)type\s*=\s*["']?password|name\s*=\s*["']?(username|login|email)\b|sign[ -]?in|log[ -]?in`)
	})
	errorPageRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)redirect[_ ]?ur[il]|not registered|mismatch|invalid[_ ](request|client)|unknown client`)
	})
	tagRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]*>`)
	})
)

// pageText is the visible text of an HTML page, its entities decoded ("client&#39;s"), collapsed
// and cut to n characters.
func pageText(body []byte, n int) string {
	s := html.UnescapeString(tagRE().ReplaceAllString(string(body[:min(len(body), 64<<10)]), " "))
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + " …"
	}
	return s
}

// redirectURI sends an authorization request that stops before any login (prompt=none for
// OpenID Connect: OpenID Connect Core §3.1.2.6) and reads the answer: a redirect to the redirect
// URI means it is registered, whatever it carries; an error page means it is not (RFC 6749
// §4.1.2.1: a provider must not redirect to an unregistered URI). The redirect is never followed,
// so a code a provider might issue is never redeemed.
func (doc *doctor) redirectURI(ctx context.Context) {
	const area = "redirect_uri"
	cfg := doc.c.Config
	if doc.lacks(area, "registered", prerequisite{cfg.ClientID, "client_id", "--client-id"},
		prerequisite{doc.endpoints.Authorization, "authorization endpoint", "--authorization-endpoint"},
		prerequisite{cfg.RedirectURI, "redirect URI", "--redirect-uri"}) {
		return
	}
	cfg.Issuer, cfg.Endpoints = "", doc.endpoints // the endpoints are known: no discovery, no push
	cfg.PAR, cfg.RequestObject = false, false
	cfg.AuthParams = cloneValues(cfg.AuthParams)
	if cfg.hasOpenID() {
		cfg.AuthParams.Set("prompt", "none")
	}
	probe := doc.c.WithConfig(cfg)
	ar, err := probe.NewAuthRequest(ctx, "")
	if err != nil {
		doc.fromError(area, "registered", "the authorization request could not be built", err, "")
		return
	}
	r, err := probe.get(ctx, ar.URL, "text/html", nil)
	if err != nil {
		doc.fromError(area, "registered", "the authorization endpoint could not be reached", err, "")
		return
	}
	doc.noteDate(r, time.Now())
	loc := r.header.Get("Location")
	if r.status >= 300 && r.status < 400 && loc != "" {
		target, err := url.Parse(loc)
		if err == nil && !target.IsAbs() {
			base, _ := url.Parse(ar.URL)
			target = base.ResolveReference(target)
		}
		if err == nil && sameEndpoint(target, cfg.RedirectURI) {
			doc.ok(area, "registered", cfg.RedirectURI+" is accepted: the provider answered by redirecting to it")
			doc.authorizationResponse(ar, target)
			return
		}
		doc.ok(area, "registered", fmt.Sprintf("%s is accepted: the provider sent the browser on to %s (a login page) rather than an error page", cfg.RedirectURI, redactURL(loc)))
		doc.unknown("features", "iss_response", "RFC 9207 iss not observed: the probe stops at the login page", "", "")
		return
	}
	isErr := r.status >= 400 || (isHTML(r.header, r.body) && errorPageRE().Match(r.body) && !loginPageRE().Match(r.body))
	if !isErr && isHTML(r.header, r.body) {
		doc.ok(area, "registered", fmt.Sprintf("%s is accepted: the provider shows a login page%s", cfg.RedirectURI, titled(r.body)))
		return
	}
	if !isErr {
		doc.unknown(area, "registered", fmt.Sprintf("the authorization endpoint answered HTTP %d, which says neither yes nor no", r.status), "", "")
		return
	}
	doc.failed(area, "registered", fmt.Sprintf("%s is refused: the authorization endpoint answered HTTP %d with an error page: %s", cfg.RedirectURI, r.status, pageText(r.body, 200)),
		"the provider shows an error page instead of redirecting: the redirect URI is not registered for this client (it must match character for character: scheme, host, port, path, trailing slash), or the client_id is unknown. RFC 6749 §4.1.2.1 forbids redirecting to a URI it cannot trust",
		"register exactly "+cfg.RedirectURI+" for client "+cfg.ClientID+", or configure one that is registered", "redirect_uri_mismatch")
}

// sameEndpoint reports whether u is the redirect URI, its query and fragment aside.
func sameEndpoint(u *url.URL, redirectURI string) bool {
	want, err := url.Parse(redirectURI)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, want.Scheme) && strings.EqualFold(u.Host, want.Host) && strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(want.Path, "/")
}

// authorizationResponse checks the response the probe was redirected with: state, RFC 9207 iss,
// and any error.
func (doc *doctor) authorizationResponse(ar *AuthRequest, target *url.URL) {
	params := target.Query()
	if frag, err := url.ParseQuery(target.Fragment); err == nil && len(frag) > 0 {
		for k, v := range frag {
			params[k] = v
		}
	}
	switch e := params.Get("error"); {
	case e == "login_required" || e == "interaction_required" || e == "consent_required" || e == "account_selection_required":
		doc.ok("redirect_uri", "response", "the provider answered "+e+", as it should to prompt=none without a session")
	case e != "":
		doc.add(Finding{Area: "redirect_uri", Check: "response", Status: FindingUnknown, Code: e,
			Summary: "the authorization request was refused with " + e + ": " + params.Get("error_description"),
			Meaning: "the redirect URI is fine, but a login would fail the same way", Action: "see the explanation of " + e})
	case params.Has("code"):
		doc.ok("redirect_uri", "response", "the provider issued a code at once (a session or an auto-approving provider); it is left unused and expires")
	}
	if params.Get("state") != ar.State {
		doc.failed("redirect_uri", "state", "the response does not carry the state sent",
			"clients refuse every response: state protects against CSRF (RFC 6749 §10.12)", "report it to the provider", string(KindStateMismatch))
	}
	want := doc.d.Issuer
	if doc.meta != nil {
		want = doc.meta.Issuer
	}
	switch iss := params.Get("iss"); {
	case iss == "" && doc.meta != nil && doc.meta.IssParameterSupported:
		doc.failed("features", "iss_response", "the metadata says authorization_response_iss_parameter_supported, but the response has no iss",
			"clients that rely on RFC 9207 refuse the response", "report it to the provider", string(KindIssMismatch))
	case iss == "":
		doc.unknown("features", "iss_response", "the authorization response has no iss (RFC 9207)",
			"a client using several providers cannot tell which one answered (a mix-up attack, RFC 9700 §4.4)", "")
	case iss == want || strings.TrimSuffix(iss, "/") == strings.TrimSuffix(want, "/"):
		doc.ok("features", "iss_response", "the authorization response carries iss "+iss+" (RFC 9207)")
	default:
		doc.failed("features", "iss_response", fmt.Sprintf("the authorization response carries iss %q, not the issuer %q", iss, want),
			"clients that check RFC 9207's iss refuse every response from this provider, as they must", "fix the provider's issuer setting", string(KindIssMismatch))
	}
}

// clock compares the provider's Date header with this machine's clock.
func (doc *doctor) clock() {
	const area = "clock"
	if doc.serverDate.IsZero() {
		doc.unknown(area, "skew", "no Date header was received: clock skew unknown", "", "")
		return
	}
	skew := doc.serverDate.Sub(doc.dateReceived.Truncate(time.Second))
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	side := "ahead of"
	if skew < 0 {
		side = "behind"
	}
	if abs > doc.opts.SkewAllowance {
		doc.failed(area, "skew", fmt.Sprintf("the provider's clock is %s %s this machine's (Date header)", fmtDuration(abs), side),
			"tokens look issued in the future or already expired: iat, nbf and exp checks fail beyond the "+fmtAllowance(doc.opts.SkewAllowance)+" allowance",
			"synchronise both clocks with NTP (timedatectl, w32tm)", string(KindClockSkew))
		return
	}
	doc.ok(area, "skew", fmt.Sprintf("the provider's clock agrees with this machine's within %s", fmtAllowance(doc.opts.SkewAllowance)))
}
