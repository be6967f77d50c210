package demoidptest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// RegisterCIBA registers a client of the CIBA grant at p's registration endpoint (RFC 7591 §3.1)
// with the token delivery mode (poll, ping or push) and, for ping and push, the client notification
// endpoint (OpenID CIBA Core §4), authenticating with client_secret_basic; it returns the client's
// id and secret. The provider must have been started without an initial access token.
func RegisterCIBA(t testing.TB, p *demoidp.Provider, mode, notificationEndpoint string) demoidp.Client {
	t.Helper()
	meta := map[string]any{
		"grant_types":                     []string{"urn:openid:params:grant-type:ciba", "refresh_token"},
		"token_endpoint_auth_method":      "client_secret_basic",
		"backchannel_token_delivery_mode": mode,
		"client_name":                     "CIBA " + mode,
	}
	if notificationEndpoint != "" {
		meta["backchannel_client_notification_endpoint"] = notificationEndpoint
	}
	body, _ := json.Marshal(meta)
	resp, err := http.Post(p.Issuer()+"/register", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("registering a %s-mode CIBA client: HTTP %d, %v %v", mode, resp.StatusCode, got, err)
	}
	id, _ := got["client_id"].(string)
	secret, _ := got["client_secret"].(string)
	return demoidp.Client{ID: id, Secret: secret, AuthMethod: "client_secret_basic"}
}
