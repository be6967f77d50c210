package demoidp

import (
	"net/http"
	"slices"
)

// corsPaths are the endpoints a browser-based client (a single-page app with a public client and
// PKCE, RFC 9700 §2.1.1) calls with fetch from its own origin: discovery, the keys, the token
// endpoint and UserInfo. Their answers carry Access-Control-Allow-Origin: *, and a preflight is
// answered, as providers do for their registered web origins. No cookie is involved (a credentialed
// request is not allowed with *), so any origin reading them learns nothing a non-browser client
// could not ask for (Fetch standard, CORS protocol).
var corsPaths = []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/jwks", "/token", "/userinfo"}

// cors adds the CORS headers to the answers of corsPaths, and answers their preflight requests;
// it reports whether the request has been answered.
func cors(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Origin") == "" || !slices.Contains(corsPaths, r.URL.Path) {
		return false
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "WWW-Authenticate, DPoP-Nonce")
	if r.Method != http.MethodOptions {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, DPoP")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}
