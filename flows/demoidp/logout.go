package demoidp

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-jose/go-jose/v4/jwt"
)

// handleLogout serves RP-Initiated Logout (OpenID Connect RP-Initiated
// Logout 1.0 §2, §3): it ends the demo user's session, then redirects to
// post_logout_redirect_uri with state, or shows a signed-out page. An
// id_token_hint must be an ID token this provider signed; an expired one is
// accepted, as the specification recommends.
func (p *Provider) handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		messagePage(w, http.StatusBadRequest, "Invalid logout request", "The request could not be read: "+err.Error())
		return
	}
	hint := r.Form.Get("id_token_hint")
	clientID := r.Form.Get("client_id")
	redirect := r.Form.Get("post_logout_redirect_uri")
	if problem := p.checkLogout(hint, clientID, redirect); problem != "" {
		messagePage(w, http.StatusBadRequest, "Invalid logout request", problem+". The provider does not redirect back.")
		return
	}
	p.mu.Lock()
	p.store.session = nil
	p.mu.Unlock()
	if redirect == "" {
		messagePage(w, http.StatusOK, "Signed out", "Demo User is signed out of the tokenbench demo provider. You can close this page.")
		return
	}
	u, _ := url.Parse(redirect) // checked by checkLogout
	if state := r.Form.Get("state"); state != "" {
		q := url.Values{"state": {state}}.Encode()
		if u.RawQuery != "" {
			u.RawQuery += "&" + q
		} else {
			u.RawQuery = q
		}
	}
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// checkLogout reports what is wrong with a logout request, or "".
func (p *Provider) checkLogout(hint, clientID, redirect string) string {
	if clientID != "" && p.client(clientID) == nil {
		return fmt.Sprintf("unknown client_id %q", clientID)
	}
	if hint != "" {
		var claims jwt.Claims
		if err := p.verifyOwnToken(hint, &claims); err != nil {
			return "id_token_hint is not an ID token from this provider: " + err.Error()
		}
		if claims.Issuer != p.issuer {
			return fmt.Sprintf("id_token_hint was issued by %q, not by this provider (%q)", claims.Issuer, p.issuer)
		}
		if clientID != "" && !claims.Audience.Contains(clientID) {
			return fmt.Sprintf("id_token_hint was issued to %q, not to client_id %q", []string(claims.Audience), clientID)
		}
	}
	if redirect != "" {
		if msg := checkRedirectURI(redirect); msg != "" {
			return "post_logout_redirect_uri: " + msg
		}
	}
	return ""
}
