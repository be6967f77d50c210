package demoidptest

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// The demo keys in the module's assets/demo folder, published with tokenbench for the demo and the
// tests: the private halves of the keys the provider registers for demo-private-key-jwt (the RSA one
// also for demo-encrypted), and the key of the issuer it trusts for the JWT bearer grant.
const (
	ClientKeyRSA     = "private-key-jwt-rsa.pem"
	ClientKeyEC      = "private-key-jwt-ec.pem"
	TrustedIssuerKey = "trusted-issuer-ec.pem" // ES256, for the JWT bearer grant (RFC 7523)
)

// KeyPath is the absolute path of a file in assets/demo (ClientKeyRSA …), whichever package's
// folder the test runs in.
func KeyPath(t testing.TB, name string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "assets", "demo", name)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the test's folder, so no assets/demo/%s", name)
		}
		dir = parent
	}
}

// Key is a demo private key (PKCS #8 PEM in assets/demo), parsed.
func Key(t testing.TB, name string) crypto.Signer {
	t.Helper()
	data, err := os.ReadFile(KeyPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("%s is not a PEM PRIVATE KEY", name)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		t.Fatalf("%s holds a %T, which cannot sign", name, key)
	}
	return signer
}
