package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// kidRecorder is a token endpoint that records the kid of each client assertion it receives ("" for
// none) and answers with a token.
type kidRecorder struct {
	mu   sync.Mutex
	kids []string
}

func (k *kidRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	seg, _, _ := strings.Cut(form.Get("client_assertion"), ".")
	raw, _ := base64.RawURLEncoding.DecodeString(seg)
	var h struct{ Kid string }
	_ = json.Unmarshal(raw, &h)
	k.mu.Lock()
	k.kids = append(k.kids, h.Kid)
	k.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"access_token":"at","token_type":"Bearer","expires_in":60}`)
}

func (k *kidRecorder) last() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.kids) == 0 {
		return "(no request)"
	}
	return k.kids[len(k.kids)-1]
}

// TestSigningKeyID: a PEM signing key sends no kid unless --signing-key-id (or the profile's
// signing_key_id) names the one the provider registered.
func TestSigningKeyID(t *testing.T) {
	t.Parallel()
	rec := &kidRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	key := demoKeyPath(t, "private-key-jwt-rsa.pem")
	base := []string{"token", "--grant", "client_credentials", "--token-endpoint", srv.URL + "/token", "--client-id", "svc", "--signing-key", key}
	pe := newProfileEnv(t)
	pe.mustRun(base...)
	if kid := rec.last(); kid != "" {
		t.Errorf("PEM key without --signing-key-id: kid %q sent", kid)
	}
	pe.mustRun(append(base, "--signing-key-id", "reg-1")...)
	if kid := rec.last(); kid != "reg-1" {
		t.Errorf("--signing-key-id reg-1: kid %q sent", kid)
	}
	pe.mustRun("profile", "add", "svc", "--token-endpoint", srv.URL+"/token", "--client-id", "svc", "--signing-key", key, "--signing-key-id", "reg-2")
	wantOut(t, "profile file", pe.file(), "signing_key_id: reg-2")
	pe.mustRun("token", "--profile", "svc", "--grant", "client_credentials")
	if kid := rec.last(); kid != "reg-2" {
		t.Errorf("profile signing_key_id reg-2: kid %q sent", kid)
	}
	r := pe.run("token", "--grant", "client_credentials", "--token-endpoint", srv.URL+"/token", "--client-id", "svc", "--signing-key-id", "reg-1")
	wantExit(t, r, exitUsage, "--signing-key-id names the kid of --signing-key")
}
