package main

import (
	"net/http/httptest"
	"testing"
)

// TestGrantScopeOnlyWhenAsked: client credentials and refresh with a profile (whose preset brings
// "openid profile email") send no scope unless --scope asks for one.
func TestGrantScopeOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	rec := &formRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	pe := newProfileEnv(t)
	pe.mustRun("profile", "add", "c2id", "--preset", "connect2id", "--set", "issuer="+srv.URL, "--token-endpoint", srv.URL+"/token",
		"--client-id", "svc", "--client-secret-ref", "env:SVC_SECRET")
	pe.env["SVC_SECRET"] = "s3cret"
	for _, args := range [][]string{
		{"--grant", "client_credentials"},
		{"--grant", "refresh_token", "--refresh-token", "rt-1"},
	} {
		pe.mustRun(append([]string{"token", "--profile", "c2id"}, args...)...)
		if f := rec.last(); f.Has("scope") {
			t.Errorf("%v: scope %q sent though none was asked for", args, f.Get("scope"))
		}
		pe.mustRun(append([]string{"token", "--profile", "c2id", "--scope", "read"}, args...)...)
		if f := rec.last(); f.Get("scope") != "read" {
			t.Errorf("%v --scope read: scope %q sent", args, f.Get("scope"))
		}
	}
}
