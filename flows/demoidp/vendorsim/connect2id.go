package vendorsim

import (
	"net/http"
	"strings"
)

// The Connect2id document's example tokens.
const (
	c2idAccessToken  = "2YotnFZFEjr1zCsicMWpAA"
	c2idRefreshToken = "tGzv3JOkF0XG5Qx2TlKWIA"
	c2idGrantedScope = "openid email profile app:read app:write"
)

// connect2idRoutes are the Connect2id server's paths: discovery at the issuer and /token (the
// document's); /jwks.json as the preset names it (assumed).
func (s *Server) connect2idRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		iss := s.Issuer()
		writeJSON(w, http.StatusOK, nil, map[string]any{
			"issuer": iss, "authorization_endpoint": iss + "/login", "token_endpoint": iss + "/token", "jwks_uri": iss + "/jwks.json",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials", "password"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"},
		})
	})
	mux.HandleFunc("/jwks.json", s.jwks)
	mux.HandleFunc("/token", s.connect2idToken)
}

// connect2idToken is the token endpoint: client_secret_basic (the default) or client_secret_post;
// the documented success body (lowercase bearer), without id_token for client credentials ("not
// provided for client credentials grants") and with a refresh token for the password grant (assumed:
// the document's example has none; "issued only for long-lived authorisations"); every documented
// error: 400 with the error codes of §5.2, 401 with WWW-Authenticate: Basic, 500 without a body.
func (s *Server) connect2idToken(w http.ResponseWriter, r *http.Request) {
	if s.Fail500.Swap(false) {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		c2idError(w, http.StatusBadRequest, "invalid_request", "Missing required grant type parameters")
		return
	}
	f := r.PostForm
	id, secret, basic := basicCredentials(r)
	if !basic {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	switch {
	case id == "" || secret == "":
		write(w, http.StatusUnauthorized, map[string]string{"WWW-Authenticate": "Basic"}, "{\n  \"error\"             : \"invalid_client\",\n  \"error_description\" : \"Missing client authentication\"\n}")
		return
	case id != ClientID || secret != ClientSecret:
		write(w, http.StatusUnauthorized, map[string]string{"WWW-Authenticate": "Basic"}, "{\n  \"error\"             : \"invalid_client\",\n  \"error_description\" : \"Invalid client authentication\"\n}")
		return
	}
	withID := ""
	switch f.Get("grant_type") {
	case "client_credentials":
	case "password":
		if f.Get("username") != Subject || f.Get("password") != "secret" {
			c2idError(w, http.StatusBadRequest, "invalid_grant", "Bad request: Invalid username or password")
			return
		}
		withID = s.idToken("")
	case "refresh_token":
		if f.Get("refresh_token") != c2idRefreshToken {
			c2idError(w, http.StatusBadRequest, "invalid_grant", "Bad request: Invalid or expired refresh token")
			return
		}
		// §4.1.1: the scope must not include values not originally granted.
		for _, sc := range strings.Fields(f.Get("scope")) {
			if !strings.Contains(" "+c2idGrantedScope+" ", " "+sc+" ") {
				c2idError(w, http.StatusBadRequest, "invalid_scope", "Scope exceeds the originally granted scope")
				return
			}
		}
	case "":
		c2idError(w, http.StatusBadRequest, "invalid_request", "Missing required grant type parameters")
		return
	default:
		c2idError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type")
		return
	}
	body := "{\n  \"access_token\" : \"" + c2idAccessToken + "\",\n  \"token_type\"   : \"bearer\",\n  \"expires_in\"   : 3600,\n  \"scope\"        : \"" + c2idGrantedScope + "\""
	if withID != "" {
		body += ",\n  \"refresh_token\" : \"" + c2idRefreshToken + "\",\n  \"id_token\"     : \"" + withID + "\""
	}
	write(w, http.StatusOK, map[string]string{"Content-Type": "application/json;charset=UTF-8", "Cache-Control": "no-store", "Pragma": "no-cache"}, body+"\n}")
}

// c2idError is a token error in the document's layout. (Its second example lacks a comma between
// the members; the server sends valid JSON, and so does the emulation.)
func c2idError(w http.ResponseWriter, status int, code, desc string) {
	write(w, status, nil, "{\n  \"error\"             : \""+code+"\",\n  \"error_description\" : \""+desc+"\"\n}")
}
