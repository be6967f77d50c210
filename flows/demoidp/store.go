package demoidp

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// grant is one authorization by the resource owner (or by the client itself,
// for client_credentials). Every token issued from it points back to it, so
// revoking the grant revokes them all at once.
type grant struct {
	clientID string
	user     *user // nil for client_credentials
	authTime time.Time
	sid      string
	revoked  bool
	// extras are the resources and authorization details granted (RFC 8707, RFC 9396).
	extras grantExtras
	// pushedFor is the auth_req_id of a CIBA push delivery, which its ID token names (CIBA Core
	// §10.3.1).
	pushedFor string
}

// authCode is an issued authorization code.
type authCode struct {
	clientID    string
	redirectURI string
	scope       []string
	nonce       string
	challenge   string
	method      string // PKCE code_challenge_method
	authTime    time.Time
	sid         string
	expires     time.Time
	used        bool
	grant       *grant // set when redeemed, to revoke its tokens on reuse
	extras      grantExtras
}

// accessRecord is an issued access token.
type accessRecord struct {
	grant    *grant
	clientID string
	scope    []string
	aud      any // the issuer, or the resources asked for (RFC 8707): a string or []string
	jti      string
	iat, exp time.Time
	revoked  bool
	jkt      string // the DPoP key's thumbprint it is bound to (RFC 9449 §6), or ""
	x5t      string // the client certificate's thumbprint it is bound to (RFC 8705 §3), or ""
}

// refreshRecord is an issued refresh token.
type refreshRecord struct {
	grant    *grant
	clientID string
	scope    []string // the scope originally granted; a refresh may narrow it
	iat, exp time.Time
	used     bool // rotated away: a refresh token is good for one use
	revoked  bool
	jkt      string // a public client's DPoP key thumbprint it is bound to (RFC 9449 §5), or ""
}

// activeAt reports whether an access token can be used at time now.
func (a *accessRecord) activeAt(now time.Time) bool {
	return !a.revoked && !a.grant.revoked && now.Before(a.exp)
}

// activeAt reports whether a refresh token can be used or introspected as
// active at time now.
func (r *refreshRecord) activeAt(now time.Time) bool {
	return !r.used && !r.revoked && !r.grant.revoked && now.Before(r.exp)
}

// session is the demo user's browser session at the provider.
type session struct {
	sid      string
	authTime time.Time
}

// store is the provider's state; Provider.mu guards it.
type store struct {
	codes     map[string]*authCode
	access    map[string]*accessRecord
	refresh   map[string]*refreshRecord
	devices   map[string]*deviceGrant // by device_code
	userCodes map[string]string       // user_code → device_code
	jtis      map[string]time.Time    // client_id + " " + jti → exp of the assertion
	session   *session
	lastSweep time.Time

	// pushed are the pushed authorization requests by request_uri (RFC
	// 9126), made when first needed.
	pushed map[string]*pushedRequest
	// ciba are the backchannel authentication requests by auth_req_id
	// (OpenID CIBA Core), made when first needed.
	ciba map[string]*cibaRequest
}

func newStore() store {
	return store{
		codes:     map[string]*authCode{},
		access:    map[string]*accessRecord{},
		refresh:   map[string]*refreshRecord{},
		devices:   map[string]*deviceGrant{},
		userCodes: map[string]string{},
		jtis:      map[string]time.Time{},
	}
}

// sweepEvery is how often the store drops records nobody can use any more.
const sweepEvery = time.Minute

// sweep drops long-dead records so a long-running demo server does not grow
// without bound. Records are kept a while after they expire so that a late
// request gets a precise error ("expired", "already used") rather than
// "unknown". The caller holds Provider.mu.
func (s *store) sweep(now time.Time) {
	if now.Sub(s.lastSweep) < sweepEvery && now.After(s.lastSweep) {
		return
	}
	s.lastSweep = now
	const keep = time.Hour
	for k, c := range s.codes {
		if now.Sub(c.expires) > keep {
			delete(s.codes, k)
		}
	}
	for k, a := range s.access {
		if now.Sub(a.exp) > keep {
			delete(s.access, k)
		}
	}
	for k, r := range s.refresh {
		if now.Sub(r.exp) > keep {
			delete(s.refresh, k)
		}
	}
	for k, d := range s.devices {
		if now.Sub(d.expires) > keep {
			delete(s.devices, k)
			delete(s.userCodes, d.userCode)
		}
	}
	for k, exp := range s.jtis {
		// An assertion cannot be replayed once it has expired, so its jti
		// need not be remembered after that.
		if now.Sub(exp) > assertionLeeway {
			delete(s.jtis, k)
		}
	}
}

// randomToken returns 32 random bytes as base64url: for codes, refresh
// tokens, device codes, jti and sid values.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return base64.RawURLEncoding.EncodeToString(b)
}
