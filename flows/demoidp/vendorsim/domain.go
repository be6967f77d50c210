package vendorsim

import (
	"net/http"
	"net/url"
)

// domainRoutes are the paths Huawei OneAccess and Bamboo Cloud IDaaS share under
// https://{domain}/api/v1/oauth2/. The token documents are the source; discovery, authorize, JWKS
// and userinfo are assumed (the documents reviewed do not describe them): discovery lists the paths,
// authorize signs the user in at once and redirects with a code, userinfo names the subject id.
func (s *Server) domainRoutes(mux *http.ServeMux) {
	base := "/api/v1/oauth2"
	mux.HandleFunc(base+"/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		method := "client_secret_basic"
		if s.Vendor == OneAccess {
			method = "client_secret_post"
		}
		iss := s.Issuer()
		writeJSON(w, http.StatusOK, nil, map[string]any{
			"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
			"userinfo_endpoint": iss + "/userinfo", "jwks_uri": iss + "/jwks",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"}, "scopes_supported": []string{"openid"},
			"token_endpoint_auth_methods_supported": []string{method},
		})
	})
	mux.HandleFunc(base+"/jwks", s.jwks)
	mux.HandleFunc(base+"/authorize", s.domainAuthorize)
	mux.HandleFunc(base+"/userinfo", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			write(w, http.StatusUnauthorized, map[string]string{"WWW-Authenticate": "Bearer"}, "")
			return
		}
		writeJSON(w, http.StatusOK, nil, map[string]string{"id": Subject, "email": "jenish.patel@example.com"})
	})
	if s.Vendor == OneAccess {
		mux.HandleFunc(base+"/token", s.oneAccessToken)
	} else {
		mux.HandleFunc(base+"/token", s.bambooToken)
	}
}

// domainAuthorize signs the user in without a page and redirects to the redirect URI with a code.
func (s *Server) domainAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != ClientID || q.Get("redirect_uri") == "" {
		write(w, http.StatusBadRequest, nil, `{"error":"invalid_request"}`)
		return
	}
	code := s.newCode(grant{redirectURI: q.Get("redirect_uri"), nonce: q.Get("nonce"), scope: q.Get("scope")})
	back := url.Values{"code": {code}}
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+back.Encode(), http.StatusFound)
}

// oneAccessToken is OneAccess's token endpoint: client_id and client_secret in the form
// (client_secret_post); the success body of the document's Example 2 with expires_in a String, as its
// parameter table types it (the example prints a number; the table wins here, as the issue found in
// the field); the documented 400.
func (s *Server) oneAccessToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		write(w, http.StatusBadRequest, nil, `{ "error" : "invalid_request", "error_description" : "Invalid request" }`)
		return
	}
	f := r.PostForm
	if f.Get("client_id") != ClientID || f.Get("client_secret") != ClientSecret {
		// Assumed: the document lists 400 as the only error status; a client whose secret is not in
		// the body is refused there with invalid_client.
		write(w, http.StatusBadRequest, nil, `{ "error" : "invalid_client", "error_description" : "Invalid client credentials" }`)
		return
	}
	g, ok := s.redeem(f.Get("code"))
	if f.Get("grant_type") != "authorization_code" || !ok || g.redirectURI != f.Get("redirect_uri") {
		write(w, http.StatusBadRequest, nil, `{ "error" : "invalid_grant", "error_description" : "Invalid authorization code" }`)
		return
	}
	write(w, http.StatusOK, nil, `{ "access_token" : "NqMh******d3k", "token_type" : "Bearer", "expires_in" : "7200", "scope" : "openid", "refresh_token" : "5wI******anH", "id_token" : "`+s.idToken(g.nonce)+`" }`)
}

// bambooToken is Bamboo Cloud IDaaS's token endpoint: HTTP Basic; the documented success body and the
// documented 400s and 401.
func (s *Server) bambooToken(w http.ResponseWriter, r *http.Request) {
	if id, secret, ok := basicCredentials(r); !ok || id != ClientID || secret != ClientSecret {
		write(w, http.StatusUnauthorized, nil, "{\n    \"error\": \"invalid_client\",\n    \"error_description\": \"Bad client credentials\"\n}")
		return
	}
	if err := r.ParseForm(); err != nil {
		write(w, http.StatusBadRequest, nil, "")
		return
	}
	f := r.PostForm
	code := f.Get("code")
	s.mu.Lock()
	g, known := s.codes[code]
	s.mu.Unlock()
	switch {
	case f.Get("grant_type") != "authorization_code" || !known:
		write(w, http.StatusBadRequest, nil, "{\n    \"error\": \"invalid_grant\",\n    \"error_description\": \"Invalid authorization code: "+code+"\"\n}")
		return
	case f.Get("redirect_uri") != "" && f.Get("redirect_uri") != g.redirectURI:
		write(w, http.StatusBadRequest, nil, "{\n    \"error\": \"invalid_grant\",\n    \"error_description\": \"Invalid redirect: ["+f.Get("redirect_uri")+"] (xx) does not match one of the registered values.\"\n}")
		return
	}
	s.redeem(code)
	write(w, http.StatusOK, nil, "{\n    \"access_token\": \"Z43T3KWH9lgPRHP8CmnPmC1hU5lyJNw9es8bruLXRmsXaA\",\n    \"token_type\": \"Bearer\",\n    \"refresh_token\": \"WEAFOmOJ-A4LOhF_I39DvJuqxP0o7YznzDQ2adn5yXkFlFA\",\n    \"expires_in\": 7199,\n    \"scope\": \"openid\",\n    \"id_token\": \""+s.idToken(g.nonce)+"\"\n}")
}
