package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// mtlsFiles writes the CA of the provider's mTLS listener and the certificate and key of a demo
// client to files.
func mtlsFiles(t *testing.T, p *demoidp.Provider, id string) (ca, cert, key string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ca = write("ca.pem", p.MTLSServerCAPEM())
	for _, c := range p.MTLSCredentials() {
		if c.ClientID == id {
			return ca, write("cert.pem", c.CertPEM), write("key.pem", c.KeyPEM)
		}
	}
	t.Fatalf("no credential for %s", id)
	return
}

func TestTokenMTLS(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{MTLS: &demoidp.MTLSOptions{}})
	ca, cert, key := mtlsFiles(t, p, demoidp.MTLSClientID)
	base := []string{"token", "--issuer", p.Issuer(), "--grant", "client_credentials", "--ca-file", ca}

	r := tb(t, append(base, "--client-id", demoidp.MTLSClientID, "--auth-method", "tls_client_auth", "--client-cert", cert, "--client-key", key, "-v")...)
	if r.code != 0 || !strings.Contains(r.stdout, "access_token") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "cnf.x5t#S256") || !strings.Contains(r.stderr, p.MTLSBaseURL()+"/token") {
		t.Errorf("stderr lacks the binding check or the alias:\n%s", r.stderr)
	}

	// Another client's certificate: invalid_client, explained.
	_, selfCert, selfKey := mtlsFiles(t, p, demoidp.MTLSSelfSignedClientID)
	r = tb(t, append(base, "--client-id", demoidp.MTLSClientID, "--auth-method", "tls_client_auth", "--client-cert", selfCert, "--client-key", selfKey)...)
	if r.code == 0 || !strings.Contains(r.stderr, "invalid_client") || !strings.Contains(r.stderr, "not issued by a CA the provider trusts") {
		t.Errorf("wrong certificate: exit %d\n%s", r.code, r.stderr)
	}

	// No certificate: refused before sending, saying which flags.
	r = tb(t, append(base, "--client-id", demoidp.MTLSClientID, "--auth-method", "tls_client_auth")...)
	if r.code == 0 || !strings.Contains(r.stderr, "--client-cert") {
		t.Errorf("no certificate: exit %d\n%s", r.code, r.stderr)
	}

	// --client-cert without --client-key is a usage error.
	r = tb(t, append(base, "--client-id", demoidp.MTLSClientID, "--client-cert", cert)...)
	if r.code != 2 || !strings.Contains(r.stderr, "--client-cert needs --client-key") {
		t.Errorf("cert without key: exit %d\n%s", r.code, r.stderr)
	}
}
