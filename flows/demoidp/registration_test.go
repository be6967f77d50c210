package demoidp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// sendJSON sends body as JSON with a bearer token, when given.
func sendJSON(t *testing.T, method, rawURL, body, token string) result {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

// TestRegistration: RFC 7591 registration behind an initial access token, the registered client's
// use of the token endpoint, and RFC 7592 read, update and delete.
func TestRegistration(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{RegistrationToken: "iat"})
	meta := wantOK(t, get(t, p.Issuer()+"/.well-known/openid-configuration"))
	endpoint, _ := meta["registration_endpoint"].(string)
	if endpoint != p.Issuer()+"/register" {
		t.Fatalf("registration_endpoint %v", meta["registration_endpoint"])
	}
	doc := `{"redirect_uris":["http://127.0.0.1/callback"],"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_post"}`
	wantError(t, sendJSON(t, http.MethodPost, endpoint, doc, ""), http.StatusUnauthorized, "invalid_token")
	wantError(t, sendJSON(t, http.MethodPost, endpoint, doc, "not-it"), http.StatusUnauthorized, "invalid_token")
	r := sendJSON(t, http.MethodPost, endpoint, doc, "iat")
	if r.status != http.StatusCreated {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	reg := r.json(t)
	id, secret := reg["client_id"].(string), reg["client_secret"].(string)
	regToken, regURI := reg["registration_access_token"].(string), reg["registration_client_uri"].(string)
	if id == "" || secret == "" || regToken == "" || regURI != endpoint+"/"+id || reg["client_secret_expires_at"] != float64(0) {
		t.Fatalf("registration %s", r.body)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	wantOK(t, post(t, p.Issuer()+"/token", form, "", ""))

	wantError(t, sendJSON(t, http.MethodGet, regURI, "", "wrong"), http.StatusUnauthorized, "invalid_token")
	if got := wantOK(t, sendJSON(t, http.MethodGet, regURI, "", regToken)); got["client_secret"] != secret {
		t.Errorf("read %v", got)
	}
	wantError(t, sendJSON(t, http.MethodPut, regURI, `{"client_id":"other","redirect_uris":["http://127.0.0.1/cb"]}`, regToken), http.StatusBadRequest, "invalid_request")
	upd := wantOK(t, sendJSON(t, http.MethodPut, regURI, `{"client_id":"`+id+`","redirect_uris":["http://127.0.0.1/cb"],"client_name":"x"}`, regToken))
	if upd["token_endpoint_auth_method"] != "client_secret_basic" || upd["client_name"] != "x" {
		t.Errorf("update %v", upd)
	}
	if r := sendJSON(t, http.MethodDelete, regURI, "", regToken); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantError(t, post(t, p.Issuer()+"/token", url.Values{"grant_type": {"client_credentials"}}, id, secret), http.StatusUnauthorized, "invalid_client")
	wantError(t, sendJSON(t, http.MethodGet, regURI, "", regToken), http.StatusUnauthorized, "invalid_token")
}
