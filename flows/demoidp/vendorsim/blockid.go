package vendorsim

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// blockIDRoutes are BlockID's community paths. The tenant host answers every /.well-known/ path
// with an HTML page and status 200 (what the preset's no_discovery quirk describes): no discovery. No
// JWKS URL is documented either; the emulation serves the community's keys at {issuer}/v1/jwks
// (assumed), for a client that is given it.
func (s *Server) blockIDRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/.well-known/", htmlPage)
	mux.HandleFunc("/oauth2/community/", func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, "/oauth2/community/")
		community, path, _ := strings.Cut(rest, "/")
		switch {
		case strings.HasPrefix(path, ".well-known/"):
			htmlPage(w, r)
		case community != Community:
			// Documented: 404 {"error_code": 404, "message": "Unable to load tenant/community"}.
			write(w, http.StatusNotFound, nil, "{\n\"error_code\": 404,\n\"message\": \"Unable to load tenant/community\"\n}")
		case path == "v1/authorize" && r.Method == http.MethodPost:
			s.blockIDDirectAuthorize(w, r)
		case path == "v1/token" && r.Method == http.MethodPost:
			s.blockIDToken(w, r)
		case path == "v1/jwks":
			s.jwks(w, r)
		default:
			htmlPage(w, r)
		}
	})
}

// htmlPage is the tenant's single-page app, which answers every unknown path.
func htmlPage(w http.ResponseWriter, _ *http.Request) {
	write(w, http.StatusOK, map[string]string{"Content-Type": "text/html; charset=utf-8"}, "<!doctype html><html><head><title>BlockID</title></head><body><div id=app></div></body></html>")
}

// ProofJWT makes a proof-of-authentication JWT the emulation accepts: HS256 with the client secret,
// sub the user, expiring at exp. (The documents do not say how BlockID checks the proof; the
// emulation accepts a JWT with a future exp signed this way, and answers 401 to anything else.)
func ProofJWT(exp time.Time) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(ClientSecret)}, nil)
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(jwt.Claims{Subject: Subject, Expiry: jwt.NewNumericDate(exp)}).Serialize()
}

// blockIDDirectAuthorize answers the direct authorize as documented: 200 with
// {"statusCode": 200, "url": "<redirect URI>?code=…&state=…"}, or 401 {"error_code": 401,
// "message": "Unauthorized"} for a proof it refuses.
func (s *Server) blockIDDirectAuthorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		write(w, http.StatusBadRequest, nil, "")
		return
	}
	f := r.PostForm
	var claims jwt.Claims
	tok, err := jwt.ParseSigned(f.Get("proof_of_authentication_jwt"), []jose.SignatureAlgorithm{jose.HS256})
	if err == nil {
		err = tok.Claims([]byte(ClientSecret), &claims)
	}
	if err == nil {
		err = claims.ValidateWithLeeway(jwt.Expected{Time: time.Now()}, 0)
	}
	if err != nil || f.Get("client_id") != ClientID {
		write(w, http.StatusUnauthorized, nil, "{\n\"error_code\": 401,\n\"message\": \"Unauthorized\"\n}")
		return
	}
	redirect := f.Get("redirect_uri")
	code := s.newCode(grant{redirectURI: redirect, nonce: f.Get("nonce"), scope: f.Get("scope")})
	q := url.Values{"code": {code}}
	if st := f.Get("state"); st != "" {
		q.Set("state", st)
	}
	writeJSON(w, http.StatusOK, nil, struct {
		StatusCode int    `json:"statusCode"`
		URL        string `json:"url"`
	}{200, redirect + "?" + q.Encode()})
}

// blockIDToken is the token endpoint: client_secret_basic; the documented success bodies (served as
// JSON: the document prints them as JavaScript object literals with unquoted keys, members in this
// order, with a status member) and the documented 400.
func (s *Server) blockIDToken(w http.ResponseWriter, r *http.Request) {
	invalid := "{\n\"error\": \"invalid_grant\",\n\"error_description\": \"grant request is invalid\",\n\"status\": 400\n}"
	if id, secret, ok := basicCredentials(r); !ok || id != ClientID || secret != ClientSecret {
		// Assumed (the document is silent): a bad client is an RFC 6749 §5.2 invalid_client with 401.
		write(w, http.StatusUnauthorized, map[string]string{"WWW-Authenticate": "Basic"}, `{"error":"invalid_client","status":401}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		write(w, http.StatusBadRequest, nil, invalid)
		return
	}
	f := r.PostForm
	switch f.Get("grant_type") {
	case "authorization_code":
		g, ok := s.redeem(f.Get("code"))
		if !ok || g.redirectURI != f.Get("redirect_uri") {
			write(w, http.StatusBadRequest, nil, invalid)
			return
		}
		if !strings.Contains(" "+g.scope+" ", " openid ") {
			write(w, http.StatusOK, nil, "{\n\"access_token\": \"hpJufMH9txiObwaoXVZ6ftcmoKVE34_ZJrGjWhXXXXX\",\n\"expires_in\": 86400,\n\"scope\": \"email profile\",\n\"token_type\": \"Bearer\",\n\"status\": 200\n}")
			return
		}
		write(w, http.StatusOK, nil, "{\n\"access_token\": \"hpJufMH9txiObwaoXVZ6ftcmoKVE34_ZJrGjWhXXXXX\",\n\"id_token\": \""+s.idToken(g.nonce)+"\",\n\"expires_in\": 84600,\n\"scope\": \"openid email profile\",\n\"token_type\": \"Bearer\",\n\"status\": 200\n}")
	case "refresh_token":
		if f.Get("refresh_token") != "t9l9PmQvC_uY5v-4R7cEVN7S8nlIItDue-zUCjXXXXX" {
			write(w, http.StatusBadRequest, nil, invalid)
			return
		}
		write(w, http.StatusOK, nil, "{\n\"access_token\": \"DovIic5QfVwIB6fwE5pIVtoHoXkovtfLfYvn7OVXXXX\",\n\"expires_in\": 84600,\n\"id_token\": \""+s.idToken("")+"\",\n\"refresh_token\": \"t9l9PmQvC_uY5v-4R7cEVN7S8nlIItDue-zUCjXXXXX\",\n\"scope\": \"openid email profile\",\n\"token_type\": \"Bearer\",\n\"status\": 200\n}")
	default:
		write(w, http.StatusBadRequest, nil, invalid)
	}
}
