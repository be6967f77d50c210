package demoidp

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Grant types the token endpoint supports.
const (
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
	grantClientCredentials = "client_credentials"
	grantPassword          = "password"
	grantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
)

var supportedGrantTypes = []string{grantAuthorizationCode, grantRefreshToken, grantClientCredentials, grantPassword, grantDeviceCode, grantJWTBearer, grantSAML2Bearer, grantTokenExchange, grantCIBA}

// tokenResponse is a successful token response (RFC 6749 §5.1, OIDC Core
// §3.1.3.3).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	// IssuedTokenType is set by token exchange (RFC 8693 §2.2.1).
	IssuedTokenType string `json:"issued_token_type,omitempty"`
	// AuthorizationDetails are the authorization details granted (RFC 9396 §7).
	AuthorizationDetails json.RawMessage `json:"authorization_details,omitempty"`
}

// handleToken serves the token endpoint.
func (p *Provider) handleToken(w http.ResponseWriter, r *http.Request) {
	f := p.Faults()
	switch {
	case f.HTMLErrors:
		writeRawHTML(w, http.StatusBadGateway, proxyErrorPage)
		return
	case f.HugeBody:
		writeHugeBody(w)
		return
	case f.ErrorOn200:
		writeJSON(w, http.StatusOK, map[string]string{
			"error":             "invalid_grant",
			"error_description": "the demo provider answers every token request with this error and HTTP 200 (fault error-on-200)",
		})
		return
	}
	p.setDPoPNonce(w, f)
	resp, oerr := p.token(r, f)
	if oerr == nil {
		resp, oerr = p.bindToCertificate(r, resp, f)
	}
	if oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// token authenticates the client and runs the requested grant.
func (p *Provider) token(r *http.Request, f Faults) (*tokenResponse, *oauthError) {
	form, oerr := readBackChannelForm(r)
	if oerr != nil {
		return nil, oerr
	}
	jkt, oerr := p.tokenDPoP(r, f)
	if oerr != nil {
		return nil, oerr
	}
	c, oerr := p.authenticateClient(r, form, p.endpoint("/token"))
	if oerr != nil {
		return nil, oerr
	}
	switch gt := form.Get("grant_type"); gt {
	case grantAuthorizationCode:
		return p.grantAuthorizationCode(c, form, f, jkt)
	case grantRefreshToken:
		return p.grantRefresh(c, form, f, jkt)
	case grantClientCredentials:
		return p.grantClientCredentials(c, form, f, jkt)
	case grantPassword:
		return p.grantPassword(c, form, f, jkt)
	case grantDeviceCode:
		return p.grantDevice(c, form, f, jkt)
	case grantCIBA:
		return p.grantCIBA(c, form, f, jkt)
	case grantJWTBearer:
		return p.grantJWTBearer(c, form, f, jkt)
	case grantSAML2Bearer:
		return p.grantSAML2Bearer(c, form, f, jkt)
	case grantTokenExchange:
		return p.grantTokenExchange(c, form, f, jkt)
	case "":
		return nil, badRequest("invalid_request", "grant_type is missing")
	default:
		return nil, badRequest("unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported; the provider supports %s", gt, strings.Join(supportedGrantTypes, ", ")))
	}
}

// readBackChannelForm reads the form body of a back-channel request; only
// the body counts, never the query string. Each parameter may appear once
// (RFC 6749 §3.2).
func readBackChannelForm(r *http.Request) (url.Values, *oauthError) {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		return nil, badRequest("invalid_request", fmt.Sprintf("the body must be application/x-www-form-urlencoded, not %q", ct))
	}
	if err := r.ParseForm(); err != nil {
		return nil, badRequest("invalid_request", "the form body could not be read: "+err.Error())
	}
	for name, values := range r.PostForm {
		if len(values) > 1 && !repeatableParams[name] {
			return nil, badRequest("invalid_request", name+" is repeated; RFC 6749 §3.2 allows each parameter once")
		}
	}
	return r.PostForm, nil
}

// grantAuthorizationCode redeems an authorization code (RFC 6749 §4.1.3,
// RFC 7636 §4.6).
func (p *Provider) grantAuthorizationCode(c *registeredClient, form url.Values, f Faults, jkt string) (*tokenResponse, *oauthError) {
	code := form.Get("code")
	if code == "" {
		return nil, badRequest("invalid_request", "code is missing")
	}
	now := p.now()
	p.mu.Lock()
	ac := p.store.codes[code]
	var oerr *oauthError
	switch {
	case ac == nil:
		oerr = badRequest("invalid_grant", "unknown authorization code")
	case ac.clientID != c.ID:
		oerr = badRequest("invalid_grant", fmt.Sprintf("the authorization code was issued to client %s, not %s", ac.clientID, c.ID))
	case ac.used:
		// RFC 6749 §4.1.2: a code used twice revokes what it gave.
		if ac.grant != nil {
			ac.grant.revoked = true
		}
		oerr = badRequest("invalid_grant", "authorization code already used; the tokens issued from it have been revoked (RFC 6749 §4.1.2)")
	case !now.Before(ac.expires):
		oerr = badRequest("invalid_grant", fmt.Sprintf("authorization code expired at %s (provider time %s)", ac.expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	case !form.Has("redirect_uri"):
		oerr = badRequest("invalid_request", "redirect_uri is missing; it must be the one sent in the authorization request (RFC 6749 §4.1.3)")
	case form.Get("redirect_uri") != ac.redirectURI:
		oerr = badRequest("invalid_grant", fmt.Sprintf("redirect_uri %q does not match %q from the authorization request", form.Get("redirect_uri"), ac.redirectURI))
	default:
		oerr = checkPKCE(ac, form.Get("code_verifier"), form.Has("code_verifier"))
	}
	if oerr != nil {
		p.mu.Unlock()
		return nil, oerr
	}
	ext, oerr := ac.extras.narrow(form)
	if oerr != nil {
		p.mu.Unlock()
		return nil, oerr
	}
	ac.used = true
	g := &grant{clientID: c.ID, user: demoUser, authTime: ac.authTime, sid: ac.sid, extras: ext}
	ac.grant = g
	p.mu.Unlock()
	return p.issueTokens(g, ac.scope, ac.scope, ac.nonce, true, f, jkt)
}

// checkPKCE verifies a code_verifier against the code's challenge (RFC 7636
// §4.6) and refuses a verifier for a code that had no challenge (RFC 9700
// §2.1.1, PKCE downgrade).
func checkPKCE(ac *authCode, verifier string, sent bool) *oauthError {
	if ac.challenge == "" {
		if sent {
			return badRequest("invalid_grant", "code_verifier was sent, but the authorization request had no code_challenge")
		}
		return nil
	}
	if !sent || verifier == "" {
		return badRequest("invalid_grant", "code_verifier is missing; the authorization request had a code_challenge (RFC 7636 §4.5)")
	}
	if !pkceValue().MatchString(verifier) {
		return badRequest("invalid_request", "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)")
	}
	computed := verifier
	if ac.method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		computed = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if subtle.ConstantTimeCompare([]byte(computed), []byte(ac.challenge)) != 1 {
		return badRequest("invalid_grant", fmt.Sprintf("code_verifier does not match the code_challenge (method %s)", ac.method))
	}
	return nil
}

// grantRefresh uses a refresh token (RFC 6749 §6). Refresh tokens rotate:
// each use returns a new one and the old one stops working. The scope may
// be narrowed, never widened beyond what was originally granted; the new
// refresh token keeps the original scope.
func (p *Provider) grantRefresh(c *registeredClient, form url.Values, f Faults, jkt string) (*tokenResponse, *oauthError) {
	rt := form.Get("refresh_token")
	if rt == "" {
		return nil, badRequest("invalid_request", "refresh_token is missing")
	}
	var scope []string
	if form.Has("scope") {
		s, oerr := parseScope(form.Get("scope"))
		if oerr != nil {
			return nil, oerr
		}
		scope = s
	}
	now := p.now()
	p.mu.Lock()
	rec := p.store.refresh[rt]
	var oerr *oauthError
	switch {
	case rec == nil:
		oerr = badRequest("invalid_grant", "unknown refresh token")
	case rec.clientID != c.ID:
		oerr = badRequest("invalid_grant", fmt.Sprintf("the refresh token was issued to client %s, not %s", rec.clientID, c.ID))
	case rec.used && !rec.grant.revoked:
		// RFC 9700 §4.14.2: a rotated-away refresh token used again means one of two parties holds a
		// stolen copy; revoking the whole grant cuts off both, and the user signs in again.
		rec.grant.revoked = true
		oerr = badRequest("invalid_grant", "refresh token already used: refresh tokens rotate, so a second use looks like theft; every token of this grant is now revoked (RFC 9700 §4.14.2), sign in again")
	case rec.used:
		oerr = badRequest("invalid_grant", "refresh token already used, and its grant was revoked when it was replayed before (RFC 9700 §4.14.2)")
	case rec.revoked || rec.grant.revoked:
		oerr = badRequest("invalid_grant", "refresh token has been revoked")
	case !now.Before(rec.exp):
		oerr = badRequest("invalid_grant", "refresh token expired")
	case rec.jkt != "" && rec.jkt != jkt:
		oerr = badRequest("invalid_grant", refreshBindingProblem(rec.jkt, jkt))
	}
	if oerr == nil && scope != nil {
		for _, s := range scope {
			if !hasScope(rec.scope, s) {
				oerr = badRequest("invalid_scope", fmt.Sprintf("scope %q was not originally granted (granted: %s)", s, strings.Join(rec.scope, " ")))
				break
			}
		}
	}
	if oerr == nil {
		_, oerr = rec.grant.extras.narrow(form) // the resources and details stay those granted
	}
	if oerr != nil {
		p.mu.Unlock()
		return nil, oerr
	}
	rec.used = true
	granted := rec.scope
	p.mu.Unlock()
	if scope == nil {
		scope = granted
	}
	return p.issueTokens(rec.grant, scope, granted, "", true, f, jkt)
}

// grantClientCredentials issues an access token to the client itself (RFC
// 6749 §4.4): no refresh token and no ID token. The user-related scopes
// openid and offline_access are dropped from what is granted.
func (p *Provider) grantClientCredentials(c *registeredClient, form url.Values, f Faults, jkt string) (*tokenResponse, *oauthError) {
	if c.AuthMethod == authNone {
		return nil, badRequest("unauthorized_client", fmt.Sprintf("client %s is a public client; client_credentials is for confidential clients only (RFC 6749 §4.4)", c.ID))
	}
	scope, oerr := parseScope(form.Get("scope"))
	if oerr != nil {
		return nil, oerr
	}
	scope = slices.DeleteFunc(scope, func(s string) bool { return s == "openid" || s == "offline_access" })
	ext, oerr := grantExtras{}.narrow(form)
	if oerr != nil {
		return nil, oerr
	}
	g := &grant{clientID: c.ID, extras: ext}
	return p.issueTokens(g, scope, scope, "", false, f, jkt)
}

// grantPassword checks the demo user's password (RFC 6749 §4.3).
func (p *Provider) grantPassword(c *registeredClient, form url.Values, f Faults, jkt string) (*tokenResponse, *oauthError) {
	if !form.Has("username") || !form.Has("password") {
		return nil, badRequest("invalid_request", "username and password are required")
	}
	u := checkUser(form.Get("username"), form.Get("password"))
	if u == nil {
		return nil, badRequest("invalid_grant", "invalid username or password (the demo user is demo / demo)")
	}
	scope, oerr := parseScope(form.Get("scope"))
	if oerr != nil {
		return nil, oerr
	}
	ext, oerr := grantExtras{}.narrow(form)
	if oerr != nil {
		return nil, oerr
	}
	g := &grant{clientID: c.ID, user: u, authTime: p.now(), sid: randomToken(), extras: ext}
	return p.issueTokens(g, scope, scope, "", true, f, jkt)
}

// issueTokens issues an access token for scope, an ID token when scope has
// openid and there is a user, and a refresh token (carrying refreshScope)
// when withRefresh is set. A non-empty jkt binds the access token (and a
// public client's refresh token) to that DPoP key (RFC 9449 §5, §6). Refresh tokens are issued for every grant that
// involves the user (authorization code, refresh, password, device code),
// whether or not offline_access was requested, and never for
// client_credentials, so a learner always has one to try.
func (p *Provider) issueTokens(g *grant, scope, refreshScope []string, nonce string, withRefresh bool, f Faults, jkt string) (*tokenResponse, *oauthError) {
	now := p.now()
	rec := &accessRecord{
		grant:    g,
		clientID: g.clientID,
		scope:    scope,
		aud:      g.extras.audience(p.issuer),
		jti:      randomToken(),
		iat:      now,
		exp:      now.Add(accessTokenLifetime),
		jkt:      jkt,
	}
	at, err := p.signToken(p.accessTokenClaims(rec), typAccessToken, f)
	if err != nil {
		return nil, &oauthError{status: http.StatusInternalServerError, code: "server_error", desc: err.Error()}
	}
	resp := &tokenResponse{
		AccessToken: at,
		TokenType:   tokenType(jkt),
		ExpiresIn:   int(accessTokenLifetime / time.Second),
		Scope:       strings.Join(scope, " "),
	}
	resp.AuthorizationDetails = g.extras.details
	if withRefresh && g.user != nil {
		resp.RefreshToken = randomToken() // before the ID token, which may carry its hash
	}
	if g.user != nil && hasScope(scope, "openid") {
		claims := p.idTokenClaims(g, scope, nonce, at, now, f)
		if g.pushedFor != "" { // CIBA Core §10.3.1
			claims[claimAuthReqID] = g.pushedFor
			if resp.RefreshToken != "" {
				claims[claimRTHash] = leftHalfHash(resp.RefreshToken)
			}
		}
		resp.IDToken, err = p.idToken(g.clientID, claims, f)
		if err != nil {
			return nil, &oauthError{status: http.StatusInternalServerError, code: "server_error", desc: err.Error()}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.store.sweep(now)
	p.store.access[at] = rec
	if resp.RefreshToken != "" {
		p.store.refresh[resp.RefreshToken] = &refreshRecord{
			grant:    g,
			clientID: g.clientID,
			scope:    refreshScope,
			iat:      now,
			exp:      now.Add(refreshTokenLifetime),
			jkt:      p.refreshBinding(g.clientID, jkt),
		}
	}
	return resp, nil
}

// accessTokenClaims are the claims of a JWT access token (RFC 9068 §2.2).
// For client_credentials the subject is the client itself.
func (p *Provider) accessTokenClaims(rec *accessRecord) map[string]any {
	claims := map[string]any{
		"iss":       p.issuer,
		"sub":       rec.clientID,
		"aud":       rec.aud,
		"client_id": rec.clientID,
		"iat":       rec.iat.Unix(),
		"nbf":       rec.iat.Unix(),
		"exp":       rec.exp.Unix(),
		"jti":       rec.jti,
	}
	if len(rec.scope) > 0 {
		claims["scope"] = strings.Join(rec.scope, " ")
	}
	addCnf(claims, rec.jkt)
	addCertificateCnf(claims, rec.x5t)
	if d := rec.grant.extras.details; d != nil {
		claims["authorization_details"] = d // RFC 9396 §9.1
	}
	if u := rec.grant.user; u != nil {
		claims["sub"] = u.sub
		claims["auth_time"] = rec.grant.authTime.Unix()
	}
	return claims
}

// idTokenClaims are the claims of an ID token (OIDC Core §2, §3.1.3.6).
// nonce is set only for the first ID token of an authorization, as OIDC
// Core §12.2 asks for ID tokens from a refresh.
func (p *Provider) idTokenClaims(g *grant, scope []string, nonce, accessToken string, now time.Time, f Faults) map[string]any {
	iat, exp := now, now.Add(idTokenLifetime)
	if f.ExpiredIDToken {
		iat, exp = now.Add(-2*time.Hour), now.Add(-time.Hour)
	}
	claims := map[string]any{
		"iss":       p.responseIssuer(f),
		"sub":       g.user.sub,
		"aud":       g.clientID,
		"azp":       g.clientID,
		"iat":       iat.Unix(),
		"nbf":       iat.Unix(),
		"exp":       exp.Unix(),
		"auth_time": g.authTime.Unix(),
		"at_hash":   leftHalfHash(accessToken),
	}
	if g.sid != "" {
		claims["sid"] = g.sid
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	addUserClaims(claims, g.user, scope)
	return claims
}

// leftHalfHash is the at_hash of a token for RS256: the base64url of the
// left half of its SHA-256 (OIDC Core §3.1.3.6).
func leftHalfHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// hugeBodySize is the size of the huge-body fault's token response.
const hugeBodySize = 20 << 20

// writeHugeBody answers with a valid JSON token response of hugeBodySize
// bytes, its access_token padded out, streamed so it is never held in
// memory at once.
func writeHugeBody(w http.ResponseWriter) {
	const head, tail = `{"token_type":"Bearer","expires_in":3600,"access_token":"`, `"}`
	noStore(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(hugeBodySize))
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, head); err != nil {
		return
	}
	chunk := []byte(strings.Repeat("A", 64<<10))
	for left := hugeBodySize - len(head) - len(tail); left > 0; {
		n := min(left, len(chunk))
		if _, err := w.Write(chunk[:n]); err != nil {
			return
		}
		left -= n
	}
	_, _ = io.WriteString(w, tail)
}
