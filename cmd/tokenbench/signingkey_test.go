package main

import (
	"net/http/httptest"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestSigningKeyID: a PEM signing key sends no kid unless --signing-key-id (or the profile's
// signing_key_id) names the one the provider registered.
func TestSigningKeyID(t *testing.T) {
	t.Parallel()
	rec := &formRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	key := demoidptest.KeyPath(t, demoidptest.ClientKeyRSA)
	base := []string{"token", "--grant", "client_credentials", "--token-endpoint", srv.URL + "/token", "--client-id", "svc", "--signing-key", key}
	pe := newProfileEnv(t)
	pe.mustRun(base...)
	if kid := rec.lastKid(); kid != "" {
		t.Errorf("PEM key without --signing-key-id: kid %q sent", kid)
	}
	pe.mustRun(append(base, "--signing-key-id", "reg-1")...)
	if kid := rec.lastKid(); kid != "reg-1" {
		t.Errorf("--signing-key-id reg-1: kid %q sent", kid)
	}
	pe.mustRun("profile", "add", "svc", "--token-endpoint", srv.URL+"/token", "--client-id", "svc", "--signing-key", key, "--signing-key-id", "reg-2")
	wantOut(t, "profile file", pe.file(), "signing_key_id: reg-2")
	pe.mustRun("token", "--profile", "svc", "--grant", "client_credentials")
	if kid := rec.lastKid(); kid != "reg-2" {
		t.Errorf("profile signing_key_id reg-2: kid %q sent", kid)
	}
	r := pe.run("token", "--grant", "client_credentials", "--token-endpoint", srv.URL+"/token", "--client-id", "svc", "--signing-key-id", "reg-1")
	wantExit(t, r, exitUsage, "--signing-key-id names the kid of --signing-key")
}

// TestClientAssertionAud: client assertions name the token endpoint by default, the issuer with
// --client-assertion-aud issuer or the profile's client_assertion_aud.
func TestClientAssertionAud(t *testing.T) {
	t.Parallel()
	rec := &formRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	key := demoidptest.KeyPath(t, demoidptest.ClientKeyRSA)
	iss := srv.URL + "/tenant"
	base := []string{"token", "--grant", "client_credentials", "--issuer", iss, "--token-endpoint", srv.URL + "/token", "--client-id", "svc", "--signing-key", key}
	pe := newProfileEnv(t)
	pe.mustRun(base...)
	if aud := rec.lastClaim("aud"); aud != srv.URL+"/token" {
		t.Errorf("default aud %v, want the token endpoint", aud)
	}
	pe.mustRun(append(base, "--client-assertion-aud", "issuer")...)
	if aud := rec.lastClaim("aud"); aud != iss {
		t.Errorf("--client-assertion-aud issuer: aud %v", aud)
	}
	pe.mustRun("profile", "add", "svc", "--issuer", iss, "--token-endpoint", srv.URL+"/token", "--client-id", "svc", "--signing-key", key, "--client-assertion-aud", "issuer")
	pe.mustRun("token", "--profile", "svc", "--grant", "client_credentials")
	if aud := rec.lastClaim("aud"); aud != iss {
		t.Errorf("profile client_assertion_aud issuer: aud %v", aud)
	}
	wantExit(t, pe.run(append(base, "--client-assertion-aud", "audience")...), exitUsage, "--client-assertion-aud \"audience\": use token_endpoint or issuer")
}
