package flows_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestRegistrationLifecycle registers a client with the built-in provider (RFC 7591), signs in with
// it, then reads, updates and deletes its registration (RFC 7592).
func TestRegistrationLifecycle(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{RegistrationToken: "initial-1"})
	anon, err := flows.NewClient(flows.ClientConfig{Issuer: p.Issuer()}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	endpoint, err := anon.RegistrationEndpoint(ctx)
	if err != nil || endpoint != p.Issuer()+"/register" {
		t.Fatalf("registration endpoint %q, %v", endpoint, err)
	}
	meta := map[string]any{"redirect_uris": []string{"http://127.0.0.1/callback"}, "client_name": "bench", "grant_types": []string{"authorization_code", "refresh_token"}}
	var oe *flows.OAuthError
	if _, err := anon.Register(ctx, endpoint, meta, ""); !errors.As(err, &oe) || oe.Code != "invalid_token" {
		t.Fatalf("without the initial access token: %v", err)
	}
	reg, err := anon.Register(ctx, endpoint, meta, "initial-1")
	if err != nil {
		t.Fatal(err)
	}
	if reg.ClientID == "" || reg.ClientSecret == "" || reg.AuthMethod() != flows.AuthClientSecretBasic || reg.RegistrationAccessToken == "" ||
		!strings.HasPrefix(reg.RegistrationClientURI, endpoint+"/") || strings.Join(reg.Strings("grant_types"), " ") != "authorization_code refresh_token" {
		t.Fatalf("registration %+v", reg)
	}
	// The trace never shows the secret or the registration access token.
	for _, x := range anon.Trace.Exchanges() {
		if r := x.Redact(); strings.Contains(string(r.ResponseBody), reg.ClientSecret) || strings.Contains(string(r.ResponseBody), reg.RegistrationAccessToken) {
			t.Errorf("the redacted trace shows a credential: %s", r.ResponseBody)
		}
	}

	// The new client signs in.
	c, err := flows.NewClient(flows.ClientConfig{Issuer: p.Issuer(), ClientID: reg.ClientID, ClientSecret: reg.ClientSecret, RedirectURI: "http://127.0.0.1:0/callback", Scopes: []string{"openid"}}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, tok, err := codeFlow(t, c); err != nil || tok.IDToken == "" {
		t.Fatalf("sign-in with the registered client: %v", err)
	}

	read, err := anon.ReadRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken)
	if err != nil || read.ClientID != reg.ClientID || read.Metadata["client_name"] != "bench" {
		t.Fatalf("read: %+v, %v", read, err)
	}
	if _, err := anon.ReadRegistration(ctx, reg.RegistrationClientURI, "wrong"); !errors.As(err, &oe) || oe.Code != "invalid_token" {
		t.Fatalf("read with a wrong token: %v", err)
	}
	update := map[string]any{"client_id": reg.ClientID, "client_secret": reg.ClientSecret, "redirect_uris": []string{"http://127.0.0.1/cb"}, "client_name": "renamed", "token_endpoint_auth_method": "client_secret_post"}
	upd, err := anon.UpdateRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken, update)
	if err != nil || upd.Metadata["client_name"] != "renamed" || upd.AuthMethod() != flows.AuthClientSecretPost || upd.ClientSecret != reg.ClientSecret {
		t.Fatalf("update: %+v, %v", upd, err)
	}
	// The document as read goes back changed, without the members RFC 7592 §2.2 keeps out of an update.
	doc := maps.Clone(read.Metadata)
	doc["client_name"] = "renamed again"
	if _, err := anon.UpdateRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken, doc); err != nil {
		t.Fatalf("update from the document as read: %v", err)
	}
	xs := anon.Trace.Exchanges()
	sent := string(xs[len(xs)-1].RequestBody)
	for _, k := range []string{"registration_access_token", "registration_client_uri", "client_secret_expires_at", "client_id_issued_at"} {
		if !strings.Contains(string(read.Body), k) || strings.Contains(sent, k) {
			t.Errorf("%s: in the read answer %v, in the update sent %v (want only the first)", k, strings.Contains(string(read.Body), k), strings.Contains(sent, k))
		}
	}
	if err := anon.DeleteRegistration(ctx, reg.RegistrationClientURI, reg.RegistrationAccessToken); err != nil {
		t.Fatal(err)
	}
	cc := c.Config
	cc.AuthMethod = flows.AuthClientSecretPost
	gone, _ := flows.NewClient(cc, flows.TransportOptions{})
	if _, err := gone.ClientCredentials(ctx); !errors.As(err, &oe) || oe.Code != "invalid_client" {
		t.Fatalf("the deleted client still authenticates: %v", err)
	}
}

// A redirect URI the provider would never send to is refused at registration.
func TestRegistrationRefusesBadMetadata(t *testing.T) {
	p := demoidptest.Start(t)
	c, _ := flows.NewClient(flows.ClientConfig{Issuer: p.Issuer()}, flows.TransportOptions{})
	ctx := context.Background()
	for meta, code := range map[string]string{
		`{"redirect_uris":["https://evil.example/cb"]}`:                                  "invalid_redirect_uri",
		`{"redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"magic"}`: "invalid_client_metadata",
		`{"grant_types":["authorization_code"]}`:                                         "invalid_redirect_uri",
		`{"redirect_uris":["http://127.0.0.1/cb"],"client_id":"chosen-by-me"}`:           "invalid_client_metadata",
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(meta), &m); err != nil {
			t.Fatal(err)
		}
		var oe *flows.OAuthError
		if _, err := c.Register(ctx, p.Issuer()+"/register", m, ""); !errors.As(err, &oe) || oe.Code != code {
			t.Errorf("%s: %v, want %s", meta, err, code)
		}
	}
}
