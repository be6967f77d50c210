package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// A profile whose client_secret_basic was inferred from its secret keeps that method through export
// and import: the import says which profile needs its secret set again and how, and once it is set
// the copy authenticates to the provider as a confidential client.
func TestProfileExportImportKeepsTheInferredAuthMethod(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	pe := newProfileEnv(t)
	pe.env["Z_SECRET"] = demoidptest.Secret(t, p, "demo-basic")
	pe.mustRun("profile", "add", "z", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret-ref", "env:Z_SECRET")
	exported := pe.mustRun("profile", "export", "z").stdout
	if !strings.Contains(exported, "auth_method: client_secret_basic") || strings.Contains(exported, "Z_SECRET") {
		t.Errorf("the export:\n%s", exported)
	}
	file := filepath.Join(t.TempDir(), "z.yaml")
	if err := os.WriteFile(file, []byte(exported), 0o600); err != nil {
		t.Fatal(err)
	}
	r := pe.run("profile", "import", file, "--rename")
	wantExit(t, r, 0, "imported z as z-2", "z-2 needs its client secret: tokenbench profile edit z-2 --client-secret-ref keyring: (or env:NAME, file:PATH, cmd:COMMAND)")
	show := pe.mustRun("profile", "show", "z-2").stdout
	if !strings.Contains(show, "auth_method: client_secret_basic") || !regexp.MustCompile(`auth method:\s+client_secret_basic\n`).MatchString(show) {
		t.Errorf("profile show z-2:\n%s", show)
	}
	// Until the secret is set, the copy is refused rather than run as a public client.
	wantExit(t, pe.run("token", "--profile", "z-2", "--grant", "client_credentials"), 2, "client_secret_basic needs a client secret")
	pe.mustRun("profile", "edit", "z-2", "--client-secret-ref", "env:Z_SECRET")
	r = pe.run("token", "--profile", "z-2", "--grant", "client_credentials", "--scope", "profile")
	wantExit(t, r, 0)
	tokenResponse(t, r)
}

// A file from an export that left the method out (earlier versions did) imports a profile with
// neither method nor secret: the import says it runs as a public client and how to make it a
// confidential one.
func TestProfileImportNamesImplicitPublicClients(t *testing.T) {
	t.Parallel()
	pe := newProfileEnv(t)
	file := filepath.Join(t.TempDir(), "old.yaml")
	old := "version: 1\nprofiles:\n  - name: z\n    issuer: https://idp.example.com\n    client_id: x\n  - name: pub\n    issuer: https://idp.example.com\n    client_id: y\n    auth_method: none\n"
	if err := os.WriteFile(file, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	r := pe.run("profile", "import", file)
	wantExit(t, r, 0, "added z, pub", "z names no auth method and has no client secret, so it runs as a public client (none); if it is a confidential client, give it both: tokenbench profile edit z --auth-method client_secret_basic --client-secret-ref keyring:")
	if strings.Contains(r.stderr, "pub names") || strings.Contains(r.stderr, "pub needs") {
		t.Errorf("an explicit public client is warned about:\n%s", r.stderr)
	}
}
