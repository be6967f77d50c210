package demoidp

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

// grantTokenExchange is the token exchange grant type (RFC 8693 §2.1).
const grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

// Token type identifiers (RFC 8693 §3).
const (
	tokenTypeAccessToken  = "urn:ietf:params:oauth:token-type:access_token"
	tokenTypeRefreshToken = "urn:ietf:params:oauth:token-type:refresh_token"
	tokenTypeIDToken      = "urn:ietf:params:oauth:token-type:id_token"
	tokenTypeSAML1        = "urn:ietf:params:oauth:token-type:saml1"
	tokenTypeSAML2        = "urn:ietf:params:oauth:token-type:saml2"
	tokenTypeJWT          = "urn:ietf:params:oauth:token-type:jwt"
)

// exchangeParty is the subject or the actor of a token exchange, as its token says.
type exchangeParty struct {
	sub   string
	iss   string
	user  *user    // the demo user, when the token is about them
	scope []string // what the token was granted, when the provider issued it
	act   any      // the token's own act claim (an earlier delegation), if any
}

// grantTokenExchange runs a token exchange (RFC 8693 §2): the subject token is an access, refresh
// or ID token the provider issued, a JWT it issued or the trusted issuer signed, or a SAML 2.0
// assertion signed by the trusted issuer; an actor token (same kinds) puts an act claim in the new
// token. requested_token_type may be access_token (the default), jwt or id_token; resource and
// audience values become aud.
func (p *Provider) grantTokenExchange(c *registeredClient, form url.Values, f Faults, jkt string) (*tokenResponse, *oauthError) {
	if form.Get("subject_token") == "" || form.Get("subject_token_type") == "" {
		return nil, badRequest("invalid_request", "subject_token and subject_token_type are required (RFC 8693 §2.1)")
	}
	subj, oerr := p.exchangeParty(c, form.Get("subject_token"), form.Get("subject_token_type"), "subject_token")
	if oerr != nil {
		return nil, oerr
	}
	var actor *exchangeParty
	switch at, att := form.Get("actor_token"), form.Get("actor_token_type"); {
	case at == "" && att != "":
		return nil, badRequest("invalid_request", "actor_token_type was sent without actor_token (RFC 8693 §2.1)")
	case at != "" && att == "":
		return nil, badRequest("invalid_request", "actor_token was sent without actor_token_type (RFC 8693 §2.1 requires it)")
	case at != "":
		if actor, oerr = p.exchangeParty(c, at, att, "actor_token"); oerr != nil {
			return nil, oerr
		}
	}
	requested := form.Get("requested_token_type")
	if requested == "" {
		requested = tokenTypeAccessToken
	}
	switch requested {
	case tokenTypeAccessToken, tokenTypeJWT, tokenTypeIDToken:
	default:
		return nil, badRequest("invalid_request", fmt.Sprintf("requested_token_type %q is not supported; the provider issues %s, %s and %s", requested, tokenTypeAccessToken, tokenTypeJWT, tokenTypeIDToken))
	}
	var aud []string
	for _, r := range form["resource"] {
		if u, err := url.Parse(r); err != nil || !u.IsAbs() || u.Fragment != "" {
			return nil, badRequest("invalid_target", fmt.Sprintf("resource %q is not an absolute URI without a fragment (RFC 8693 §2.1)", r))
		}
		if !slices.Contains(aud, r) {
			aud = append(aud, r)
		}
	}
	for _, a := range form["audience"] {
		if a != "" && !slices.Contains(aud, a) {
			aud = append(aud, a)
		}
	}
	scope := subj.scope
	if form.Has("scope") {
		if scope, oerr = parseScope(form.Get("scope")); oerr != nil {
			return nil, oerr
		}
	}
	if requested == tokenTypeIDToken && subj.user == nil {
		return nil, badRequest("invalid_request", fmt.Sprintf("an id_token can only be issued about the demo user; the subject %q is not", subj.sub))
	}
	now := p.now()
	lifetime := accessTokenLifetime
	if requested == tokenTypeIDToken {
		lifetime = idTokenLifetime
	}
	claims := map[string]any{
		"iss":       p.issuer,
		"sub":       subj.sub,
		"client_id": c.ID,
		"iat":       now.Unix(),
		"nbf":       now.Unix(),
		"exp":       now.Add(lifetime).Unix(),
		"jti":       randomToken(),
	}
	switch {
	case len(aud) == 1:
		claims["aud"] = aud[0]
	case len(aud) > 1:
		claims["aud"] = aud
	case requested == tokenTypeIDToken:
		claims["aud"] = c.ID
	default:
		claims["aud"] = p.issuer
	}
	if len(scope) > 0 && requested != tokenTypeIDToken {
		claims["scope"] = strings.Join(scope, " ")
	}
	// RFC 8693 §4.1: act names the current actor; an earlier delegation nests inside it.
	if actor != nil {
		act := map[string]any{"sub": actor.sub}
		if actor.iss != p.issuer {
			act["iss"] = actor.iss
		}
		if subj.act != nil {
			act["act"] = subj.act
		}
		claims["act"] = act
	} else if subj.act != nil {
		claims["act"] = subj.act
	}
	resp := &tokenResponse{ExpiresIn: int(lifetime / time.Second), Scope: strings.Join(scope, " "), IssuedTokenType: requested}
	serverError := func(err error) *oauthError {
		return &oauthError{status: http.StatusInternalServerError, code: "server_error", desc: err.Error()}
	}
	var err error
	switch requested {
	case tokenTypeIDToken:
		claims["azp"] = c.ID
		claims["auth_time"] = now.Unix()
		addUserClaims(claims, subj.user, scope)
		resp.AccessToken, err = p.signToken(claims, typIDToken, Faults{})
		resp.TokenType, resp.Scope = "N_A", "" // RFC 8693 §2.2.1: not an access token
	case tokenTypeJWT:
		addCnf(claims, jkt)
		resp.AccessToken, err = p.signToken(claims, "JWT", Faults{})
		resp.TokenType = "N_A"
	default:
		addCnf(claims, jkt)
		resp.AccessToken, err = p.signToken(claims, typAccessToken, f)
		resp.TokenType = tokenType(jkt)
		if err == nil {
			rec := &accessRecord{
				grant:    &grant{clientID: c.ID, user: subj.user, authTime: now},
				clientID: c.ID,
				scope:    scope,
				aud:      fmt.Sprint(claims["aud"]),
				jti:      claims["jti"].(string),
				iat:      now,
				exp:      now.Add(lifetime),
				jkt:      jkt,
			}
			p.mu.Lock()
			p.store.sweep(now)
			p.store.access[resp.AccessToken] = rec
			p.mu.Unlock()
		}
	}
	if err != nil {
		return nil, serverError(err)
	}
	return resp, nil
}

// exchangeParty reads a subject or actor token of the given type. Problems are invalid_request, as
// RFC 8693 §2.2.2 asks for invalid subject and actor tokens.
func (p *Provider) exchangeParty(c *registeredClient, token, typ, param string) (*exchangeParty, *oauthError) {
	invalid := func(format string, args ...any) *oauthError {
		return badRequest("invalid_request", param+" is not valid: "+fmt.Sprintf(format, args...))
	}
	now := p.now()
	switch typ {
	case tokenTypeAccessToken:
		p.mu.Lock()
		rec := p.store.access[token]
		var problem string
		switch {
		case rec == nil:
			problem = "it is not an access token the provider issued"
		case rec.revoked || rec.grant.revoked:
			problem = "the access token has been revoked"
		case !now.Before(rec.exp):
			problem = "the access token expired at " + rec.exp.UTC().Format(time.RFC3339)
		}
		p.mu.Unlock()
		if problem != "" {
			return nil, invalid("%s", problem)
		}
		party := &exchangeParty{sub: rec.clientID, iss: p.issuer, user: rec.grant.user, scope: rec.scope}
		if rec.grant.user != nil {
			party.sub = rec.grant.user.sub
		}
		var all map[string]any
		if err := p.verifyOwnToken(token, &all); err == nil {
			party.sub, _ = all["sub"].(string)
			party.user = subjectUser(party.sub)
			party.act = all["act"]
		}
		return party, nil
	case tokenTypeRefreshToken:
		p.mu.Lock()
		rec := p.store.refresh[token]
		var problem string
		switch {
		case rec == nil:
			problem = "it is not a refresh token the provider issued"
		case rec.clientID != c.ID:
			problem = fmt.Sprintf("the refresh token was issued to client %s, not %s", rec.clientID, c.ID)
		case !rec.activeAt(now):
			problem = "the refresh token is used, revoked or expired"
		}
		p.mu.Unlock()
		if problem != "" {
			return nil, invalid("%s", problem)
		}
		return &exchangeParty{sub: rec.grant.user.sub, iss: p.issuer, user: rec.grant.user, scope: rec.scope}, nil
	case tokenTypeIDToken, tokenTypeJWT:
		var unverified jwt.Claims
		if parsed, err := jwt.ParseSigned(token, assertionAlgs); err != nil {
			return nil, invalid("it is not a signed JWT: %v", err)
		} else if err := parsed.UnsafeClaimsWithoutVerification(&unverified); err != nil {
			return nil, invalid("its claims are not JSON: %v", err)
		}
		if unverified.Issuer != p.issuer {
			if typ == tokenTypeIDToken {
				return nil, invalid("an id_token must be one the provider issued (iss %q), not iss %q", p.issuer, unverified.Issuer)
			}
			v, oerr := p.verifyAssertionJWT(c, token, param)
			if oerr != nil {
				return nil, badRequest("invalid_request", oerr.desc)
			}
			return &exchangeParty{sub: v.claims.Subject, iss: v.claims.Issuer, user: subjectUser(v.claims.Subject), act: v.all["act"]}, nil
		}
		var std jwt.Claims
		var all map[string]any
		if err := p.verifyOwnToken(token, &std, &all); err != nil {
			return nil, invalid("%v", err)
		}
		if std.Expiry == nil || !now.Before(std.Expiry.Time()) {
			return nil, invalid("it has expired (or has no exp)")
		}
		party := &exchangeParty{sub: std.Subject, iss: p.issuer, user: subjectUser(std.Subject), act: all["act"]}
		if s, ok := all["scope"].(string); ok {
			party.scope = strings.Fields(s)
		}
		return party, nil
	case tokenTypeSAML2:
		// RFC 8693 §3: a saml2 token is a base64url SAML 2.0 assertion, checked like an RFC 7522
		// grant, its signature first.
		s, oerr := p.checkSAML(token, "the SAML "+param, nil)
		if oerr != nil {
			return nil, badRequest("invalid_request", oerr.desc)
		}
		sub := strings.TrimSpace(s.a.Subject.NameID)
		return &exchangeParty{sub: sub, iss: TrustedIssuer, user: subjectUser(sub)}, nil
	case tokenTypeSAML1:
		return nil, badRequest("invalid_request", param+"_type saml1 is not supported: the demo provider reads only SAML 2.0 assertions")
	}
	return nil, badRequest("invalid_request", fmt.Sprintf("%s_type %q is not a token type the provider accepts; use one of %s", param, typ,
		strings.Join([]string{tokenTypeAccessToken, tokenTypeRefreshToken, tokenTypeIDToken, tokenTypeJWT, tokenTypeSAML2}, ", ")))
}

// repeatableParams may appear more than once in a back-channel form: resource (RFC 8707 §2, RFC
// 8693 §2.1) and audience (RFC 8693 §2.1).
var repeatableParams = map[string]bool{"resource": true, "audience": true}
