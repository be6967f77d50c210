package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestRegisterSaveSignInManage registers a client with the built-in provider behind an initial
// access token, saves it as a profile whose secret is in the keyring, signs in with it, then reads,
// updates and deletes the registration.
func TestRegisterSaveSignInManage(t *testing.T) {
	useMockKeyring()
	p := demoidptest.StartWith(t, demoidp.Options{RegistrationToken: "iat-1"})
	pe := newProfileEnv(t)
	wantExit(t, pe.run("register", "--issuer", p.Issuer()), 1, "invalid_token")
	r := pe.runWith(invocation{args: []string{"register", "--issuer", p.Issuer(), "--initial-access-token", "-", "--save", "dyn", "--client-name", "bench"}, stdin: strings.NewReader("iat-1\n")}, false)
	wantExit(t, r, 0, "registered client dyn-", "auth method    client_secret_basic", "secret         issued; it does not expire",
		"stored the client secret in the OS keyring", "saved as profile dyn")
	var reg map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &reg); err != nil {
		t.Fatalf("stdout: %v\n%s", err, r.stdout)
	}
	// The loopback redirect URI asked for by default comes as a native client's, with the same URI
	// for after logout.
	if after, _ := reg["post_logout_redirect_uris"].([]any); reg["application_type"] != "native" || len(after) != 1 || after[0] != reg["redirect_uris"].([]any)[0] {
		t.Errorf("application_type %v, post_logout_redirect_uris %v", reg["application_type"], reg["post_logout_redirect_uris"])
	}
	secret := reg["client_secret"].(string)
	wantNot(t, "profiles.yaml", pe.file(), secret)
	wantOut(t, "profiles.yaml", pe.file(), "client_id: "+reg["client_id"].(string), "client_secret: 'keyring:'")

	// The saved profile signs in.
	tokenResponse(t, pe.mustRun("token", "--profile", "dyn"))

	uri, token := reg["registration_client_uri"].(string), reg["registration_access_token"].(string)
	r = pe.mustRun("register", "read", "--registration-client-uri", uri, "--registration-access-token", token)
	wantOut(t, "stdout", r.stdout, `"client_name":"bench"`)
	doc := filepath.Join(t.TempDir(), "meta.json")
	os.WriteFile(doc, []byte(r.stdout), 0o600)
	r = pe.mustRun("register", "update", "--registration-client-uri", uri, "--registration-access-token", token, "--metadata", doc, "--client-name", "renamed")
	wantOut(t, "stdout", r.stdout, `"client_name":"renamed"`)
	wantExit(t, pe.run("register", "update", "--registration-client-uri", uri, "--registration-access-token", token, "--client-name", "x"), 2, "client_id")
	wantExit(t, pe.run("register", "delete", "--registration-client-uri", uri, "--registration-access-token", token), 0, "deleted the registration")
	wantExit(t, pe.run("token", "--profile", "dyn", "--grant", "client_credentials"), 1, "invalid_client")
}

// TestRegisterCIBAPushProfile: a client registered for CIBA push (CIBA Core §4) is saved with its
// delivery mode and notification endpoint, and the profile then receives its tokens pushed.
func TestRegisterCIBAPushProfile(t *testing.T) {
	useMockKeyring()
	p := demoidptest.Start(t)
	pe := newProfileEnv(t)
	endpoint := freeLoopbackURL(t, "/ciba-push")
	doc := filepath.Join(t.TempDir(), "ciba.json")
	os.WriteFile(doc, []byte(`{"grant_types":["urn:openid:params:grant-type:ciba"],"backchannel_token_delivery_mode":"push","backchannel_client_notification_endpoint":"`+endpoint+`"}`), 0o600)
	pe.mustRun("register", "--issuer", p.Issuer(), "--metadata", doc, "--save", "cibapush")
	wantOut(t, "profiles.yaml", pe.file(), "grant: ciba", "ciba_mode: push", "ciba_notification_endpoint: "+endpoint)
	r := pe.mustRun("token", "--profile", "cibapush", "--login-hint", "demo", "-v")
	wantOut(t, "stderr", r.stderr, "push notification received", "ciba notification ──")
	tokenResponse(t, r)
}

// TestRegisterUpdateRotatedToken: a provider that answers an update with a new registration access
// token (RFC 7592 §3; oidc-provider does) is said to have, so that the old one is not kept.
func TestRegisterUpdateRotatedToken(t *testing.T) {
	pe := newProfileEnv(t)
	doc := filepath.Join(t.TempDir(), "meta.json")
	os.WriteFile(doc, []byte(`{"client_id":"c1"}`), 0o600)
	for answered, rotated := range map[string]bool{"rat-2": true, "rat-1": false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPut || r.Header.Get("Authorization") != "Bearer rat-1" {
				http.Error(w, "unexpected request", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"client_id":"c1","client_name":"renamed","registration_access_token":"` + answered + `"}`))
		}))
		r := pe.run("register", "update", "--registration-client-uri", srv.URL+"/reg/c1", "--registration-access-token", "rat-1", "--metadata", doc, "--client-name", "renamed")
		srv.Close()
		wantExit(t, r, 0)
		if got := strings.Contains(r.stderr, "new registration access token"); got != rotated {
			t.Errorf("answered %s: the note said %v, want %v\n%s", answered, got, rotated, r.stderr)
		}
	}
}
