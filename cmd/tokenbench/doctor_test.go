package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestDoctorHealthyDemoTenant(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	report := filepath.Join(t.TempDir(), "doctor.md")
	r := runCLI(t, invocation{args: []string{"doctor", "--issuer", p.Issuer(), "--client-id", demoidptest.BasicID,
		"--client-secret", demoidptest.BasicSecret, "--save-report", report}})
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"transport\n", "✓ openid_configuration:", "✓ auth client_secret_basic: client_secret_basic (configured): credentials accepted",
		"? auth client_secret_post: client_secret_post: refused", "✓ registered: http://127.0.0.1:0/callback is accepted", " 0 ✗ "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	fi, err := os.Stat(report)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v", fi.Mode().Perm())
	}
	md, _ := os.ReadFile(report)
	if !strings.Contains(string(md), "# tokenbench doctor") || strings.Contains(string(md), demoidptest.BasicSecret) {
		t.Errorf("report:\n%s", md)
	}
}

func TestDoctorFailsOnWrongSecretAndWrongIss(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "wrong-iss")
	r := runCLI(t, invocation{args: []string{"doctor", "--issuer", p.Issuer(), "--client-id", demoidptest.BasicID, "--json"},
		env: map[string]string{envClientSecret: "wrong-secret-value"}})
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var d struct {
		Findings []struct{ Area, Check, Status, Summary, Code string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, r.stdout)
	}
	failed := map[string]string{}
	for _, f := range d.Findings {
		if f.Status == "failed" {
			failed[f.Area+"/"+f.Check] = f.Code
		}
	}
	if failed["client/auth client_secret_basic"] != "invalid_client" || failed["features/iss_response"] != "iss_mismatch" {
		t.Errorf("failed findings %v", failed)
	}
	if strings.Contains(r.stdout, "wrong-secret-value") {
		t.Error("the JSON shows the secret")
	}
}

func TestDoctorUsage(t *testing.T) {
	t.Parallel()
	r := runCLI(t, invocation{args: []string{"doctor"}})
	if r.code != 2 || !strings.Contains(r.stderr, "no provider") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// TestDoctorOnProfile: a saved profile's issuer, client, secret reference, redirect URI and scopes
// are what the doctor checks, and a flag beside --profile overrides it.
func TestDoctorOnProfile(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	pe := newProfileEnv(t)
	pe.env["POST"] = demoidptest.PostSecret
	pe.mustRun("profile", "add", "acme", "--issuer", p.Issuer(), "--client-id", demoidptest.PostID, "--client-secret-ref", "env:POST",
		"--auth-method", "client_secret_post", "--redirect-uri", "https://app.example.com/callback", "--scope", "openid bogus-scope")
	r := pe.run("doctor", "--profile", "acme")
	wantExit(t, r, 0)
	wantOut(t, "stdout", r.stdout, "client demo-post", "✓ auth client_secret_post: client_secret_post (configured): credentials accepted",
		"✓ registered: https://app.example.com/callback is accepted", "? scopes: scopes not in scopes_supported: bogus-scope")
	r = pe.run("doctor", "--profile", "acme", "--redirect-uri", "https://elsewhere.example/cb")
	wantExit(t, r, 1)
	wantOut(t, "stdout", r.stdout, "✗ registered: https://elsewhere.example/cb is refused", "redirect_uri_mismatch")
}
