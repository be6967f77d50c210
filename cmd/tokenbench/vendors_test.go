package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp/vendorsim"
)

// startVendor runs an emulation of a vendor and returns it with a CA file that trusts it.
func startVendor(t *testing.T, v vendorsim.Vendor) (*vendorsim.Server, string) {
	t.Helper()
	s, err := vendorsim.Start(v)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CertificatePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return s, ca
}

// vendorProfile adds a profile named for the vendor from its preset, with the emulation's client.
func vendorProfile(t *testing.T, pe *profileEnv, s *vendorsim.Server, ca string, extra ...string) {
	t.Helper()
	pe.env["VENDOR_SECRET"] = vendorsim.ClientSecret
	args := []string{"profile", "add", string(s.Vendor), "--preset", string(s.Vendor), "--client-id", vendorsim.ClientID,
		"--client-secret-ref", "env:VENDOR_SECRET", "--ca-file", ca}
	switch s.Vendor {
	case vendorsim.BlockID:
		args = append(args, "--set", "dns="+s.Host(), "--set", "community="+vendorsim.Community)
	case vendorsim.Connect2id:
		args = append(args, "--set", "issuer="+s.Issuer())
	default:
		args = append(args, "--set", "domain="+s.Host())
	}
	pe.mustRun(append(args, extra...)...)
}

// tokenJSON is the token answer on stdout, which must be a JSON object.
func tokenJSON(t *testing.T, r result) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return m
}

// TestVendorBlockID: the blockid preset against the emulation of BlockID's documents: the direct
// authorize with a proof JWT (documented 200 {"statusCode", "url"}), the token and refresh bodies,
// and the documented 401 and 404; raw flags without discovery reach {issuer}/v1/authorize too.
func TestVendorBlockID(t *testing.T) {
	t.Parallel()
	s, ca := startVendor(t, vendorsim.BlockID)
	proof, err := vendorsim.ProofJWT(time.Now().Add(5 * time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	pe := newProfileEnv(t)
	// No JWKS URL is documented: the user sets the community's (RFC 7517 key set) for the signature check.
	vendorProfile(t, pe, s, ca, "--redirect-uri", vendorsim.RedirectURI, "--jwks-uri", s.Issuer()+"/v1/jwks")

	r := pe.run("token", "--profile", "blockid", "--proof-jwt", proof)
	wantExit(t, r, 0, "direct authorize: POST "+s.Issuer()+"/v1/authorize")
	m := tokenJSON(t, r)
	if m["status"] != float64(200) || m["token_type"] != "Bearer" || m["id_token"] == nil {
		t.Errorf("token answer %v", m)
	}
	wantOut(t, "stderr", r.stderr, "✓ pass     nonce", "✓ pass     aud", "✓ pass     signature")

	// Raw flags, no profile and no discovery (the host answers /.well-known/ with HTML).
	raw := []string{"token", "--issuer", s.Issuer(), "--token-endpoint", s.Issuer() + "/v1/token", "--client-id", vendorsim.ClientID,
		"--client-secret", vendorsim.ClientSecret, "--redirect-uri", vendorsim.RedirectURI, "--ca-file", ca, "--scope", "openid email profile",
		"--jwks-uri", s.Issuer() + "/v1/jwks"}
	r = pe.run(append(raw, "--proof-jwt", proof)...)
	wantExit(t, r, 0, "direct authorize: POST "+s.Issuer()+"/v1/authorize ({issuer}/v1/authorize")
	wantNot(t, "stderr", r.stderr, "no_discovery")

	// A proof the provider refuses: its documented 401, explained as the proof's problem.
	other, _ := vendorsim.ProofJWT(time.Now().Add(time.Minute))
	r = pe.run("token", "--profile", "blockid", "--proof-jwt", other[:len(other)-4]+"AAAA")
	wantExit(t, r, 1, "error: proof_jwt_rejected: the direct authorize endpoint answered HTTP 401", `it said "Unauthorized"`)
	wantNot(t, "stderr", r.stderr, "allow-list", "WAF")

	// An expired proof is not sent at all.
	expired, _ := vendorsim.ProofJWT(time.Now().Add(-time.Hour))
	r = pe.run("token", "--profile", "blockid", "--proof-jwt", expired)
	wantExit(t, r, 1, "error: proof_jwt_rejected: the proof_of_authentication_jwt expired at")

	// The documented 404 for an unknown community.
	pe.mustRun("profile", "edit", "blockid", "--set", "community=nosuch")
	r = pe.run("token", "--profile", "blockid", "--proof-jwt", proof)
	wantExit(t, r, 1, "HTTP 404", "Unable to load tenant/community")
	pe.mustRun("profile", "edit", "blockid", "--set", "community="+vendorsim.Community)

	// Refresh with the documented refresh token: no scope is sent, the documented body comes back.
	r = pe.run("token", "--profile", "blockid", "--grant", "refresh_token", "--refresh-token", "t9l9PmQvC_uY5v-4R7cEVN7S8nlIItDue-zUCjXXXXX")
	wantExit(t, r, 0, "refresh token: not rotated")
	if m := tokenJSON(t, r); m["access_token"] != "DovIic5QfVwIB6fwE5pIVtoHoXkovtfLfYvn7OVXXXX" {
		t.Errorf("refresh answer %v", m)
	}
	r = pe.run("token", "--profile", "blockid", "--grant", "refresh_token", "--refresh-token", "stale")
	wantExit(t, r, 1, "error: invalid_grant: grant request is invalid")
}

// TestVendorConnect2id: the connect2id preset against the emulation of Connect2id's token document:
// client credentials (lowercase bearer, no scope sent unless asked), password, refresh within the
// granted scope and beyond it, a 401 with WWW-Authenticate: Basic, and a 500 without a body.
func TestVendorConnect2id(t *testing.T) {
	t.Parallel()
	s, ca := startVendor(t, vendorsim.Connect2id)
	pe := newProfileEnv(t)
	vendorProfile(t, pe, s, ca)

	r := pe.run("token", "--profile", "connect2id", "--grant", "client_credentials")
	wantExit(t, r, 0)
	if m := tokenJSON(t, r); m["token_type"] != "bearer" || m["expires_in"] != float64(3600) {
		t.Errorf("client credentials answer %v", m)
	}
	r = pe.run("token", "--profile", "connect2id", "--grant", "password", "--username", vendorsim.Subject, "--password", "secret")
	wantExit(t, r, 0, "✓ pass     signature", "✓ pass     iss")
	refresh, _ := tokenJSON(t, r)["refresh_token"].(string)

	r = pe.run("token", "--profile", "connect2id", "--grant", "refresh_token", "--refresh-token", refresh)
	wantExit(t, r, 0)
	r = pe.run("token", "--profile", "connect2id", "--grant", "refresh_token", "--refresh-token", refresh, "--scope", "openid admin")
	wantExit(t, r, 1, "error: invalid_scope: Scope exceeds the originally granted scope")

	r = pe.runWith(invocation{args: []string{"token", "--issuer", s.Issuer(), "--client-id", vendorsim.ClientID, "--auth-method", "none",
		"--grant", "client_credentials", "--ca-file", ca}}, false)
	wantExit(t, r, 1, "error: invalid_client: Missing client authentication", "WWW-Authenticate: Basic", "HTTP 401")

	s.Fail500.Store(true)
	r = pe.run("token", "--profile", "connect2id", "--grant", "client_credentials")
	wantExit(t, r, 1, "error: unexpected_status:", "HTTP 500 Internal Server Error and an empty body")
}

// TestVendorDomainPresets: the oneaccess and bamboo presets against the emulations of their token
// documents, through the browser flow: OneAccess's secret in the form and expires_in as a string,
// Bamboo Cloud's HTTP Basic, and each one's documented errors. The fake browser trusts the
// emulations' certificates through SSL_CERT_FILE, so the test does not run in parallel.
func TestVendorDomainPresets(t *testing.T) {
	for _, v := range []vendorsim.Vendor{vendorsim.OneAccess, vendorsim.Bamboo} {
		t.Run(string(v), func(t *testing.T) {
			s, ca := startVendor(t, v)
			t.Setenv("SSL_CERT_FILE", ca)
			pe := newProfileEnv(t)
			vendorProfile(t, pe, s, ca)
			r := pe.run("token", "--profile", string(v), "-v")
			wantExit(t, r, 0, "✓ pass     signature", "✓ pass     nonce", "✓ pass     iss")
			m := tokenJSON(t, r)
			switch v {
			case vendorsim.OneAccess:
				if m["expires_in"] != "7200" {
					t.Errorf("expires_in %v, want the documented string", m["expires_in"])
				}
				wantOut(t, "stderr", r.stderr, "client_secret=[redacted]")
			case vendorsim.Bamboo:
				wantOut(t, "stderr", r.stderr, "Authorization: Basic [redacted]")
				wantNot(t, "stderr", r.stderr, "client_secret=")
			}

			pe.env["VENDOR_SECRET"] = "wrong"
			r = pe.run("token", "--profile", string(v))
			want := map[vendorsim.Vendor]string{vendorsim.OneAccess: "error: invalid_client: Invalid client credentials", vendorsim.Bamboo: "error: invalid_client: Bad client credentials"}[v]
			wantExit(t, r, 1, want)
		})
	}
}

// TestVendorDocumentedBodies: the emulations' answers are the documents' bytes (but for the
// id_token, signed for real): a change to an emulation that drifts from its document fails here.
func TestVendorDocumentedBodies(t *testing.T) {
	t.Parallel()
	s, ca := startVendor(t, vendorsim.Connect2id)
	r := runCLI(t, invocation{args: []string{"token", "--issuer", s.Issuer(), "--client-id", vendorsim.ClientID, "--client-secret", vendorsim.ClientSecret,
		"--grant", "client_credentials", "--ca-file", ca}})
	wantExit(t, r, 0)
	want := "{\n  \"access_token\" : \"2YotnFZFEjr1zCsicMWpAA\",\n  \"token_type\"   : \"bearer\",\n  \"expires_in\"   : 3600,\n  \"scope\"        : \"openid email profile app:read app:write\"\n}\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%q\nwant the document's bytes:\n%q", r.stdout, want)
	}
	if strings.Contains(r.stderr, "note:") {
		t.Errorf("a documented JSON body drew a note:\n%s", r.stderr)
	}
}
