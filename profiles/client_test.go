package profiles

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestClientExpandsThePresetUnderTheProfile(t *testing.T) {
	p := Profile{
		Name:         "acme",
		Preset:       "okta",
		Params:       map[string]string{"domain": "acme.okta.com"},
		Endpoints:    Endpoints{Token: "https://proxy.acme.example/token"},
		ClientID:     "app",
		ClientSecret: "env:ACME_SECRET",
		AuthParams:   url.Values{"prompt": {"login"}},
		TokenParams:  url.Values{"resource": {"https://api.acme.example"}},
		RedirectURI:  "http://127.0.0.1:8080/cb",
		PKCE:         flows.PKCEPlain,
		SigningAlg:   "HS384",
		AuthMethod:   flows.AuthClientSecretJWT,
	}
	cfg, opts, err := p.Client(context.Background(), testSecrets(map[string]string{"ACME_SECRET": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	want := flows.ClientConfig{
		Issuer: "https://acme.okta.com/oauth2/default",
		Endpoints: flows.Endpoints{
			Authorization:       "https://acme.okta.com/oauth2/default/v1/authorize",
			Token:               "https://proxy.acme.example/token", // the profile's
			UserInfo:            "https://acme.okta.com/oauth2/default/v1/userinfo",
			Introspection:       "https://acme.okta.com/oauth2/default/v1/introspect",
			Revocation:          "https://acme.okta.com/oauth2/default/v1/revoke",
			EndSession:          "https://acme.okta.com/oauth2/default/v1/logout",
			DeviceAuthorization: "https://acme.okta.com/oauth2/default/v1/device/authorize",
			JWKS:                "https://acme.okta.com/oauth2/default/v1/keys",
		},
		ClientID:     "app",
		ClientSecret: "s3cret",
		AuthMethod:   flows.AuthClientSecretJWT,
		SigningAlg:   "HS384",
		RedirectURI:  "http://127.0.0.1:8080/cb",
		Scopes:       []string{"openid", "profile", "email"}, // the preset's
		PKCE:         flows.PKCEPlain,
		AuthParams:   url.Values{"prompt": {"login"}},
		TokenParams:  url.Values{"resource": {"https://api.acme.example"}},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config:\n got %+v\nwant %+v", cfg, want)
	}
	if !reflect.DeepEqual(opts, flows.TransportOptions{}) {
		t.Errorf("transport options %+v", opts)
	}

	// The profile's issuer and scopes win over the preset's; a preset's method is the default.
	p.Issuer, p.Scopes, p.AuthMethod, p.SigningAlg = "https://login.acme.example", []string{"openid"}, "", ""
	cfg, _, err = p.Client(context.Background(), testSecrets(map[string]string{"ACME_SECRET": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Issuer != "https://login.acme.example" || !reflect.DeepEqual(cfg.Scopes, []string{"openid"}) || cfg.AuthMethod != flows.AuthClientSecretBasic {
		t.Errorf("overrides: issuer %s, scopes %v, method %s", cfg.Issuer, cfg.Scopes, cfg.AuthMethod)
	}
}

func TestClientPresetParametersAndHeaders(t *testing.T) {
	p := Profile{Name: "spa", Preset: "entra", Params: map[string]string{"tenant": "contoso.onmicrosoft.com", "spa_origin": "http://localhost:3000"}, ClientID: "app", AuthMethod: flows.AuthNone}
	cfg, _, err := p.Client(context.Background(), testSecrets(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Issuer != "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0" || cfg.TokenHeaders.Get("Origin") != "http://localhost:3000" {
		t.Errorf("issuer %s, headers %v", cfg.Issuer, cfg.TokenHeaders)
	}
	if cfg.AuthMethod != flows.AuthNone {
		t.Errorf("the profile's auth method none lost to the preset's: %s", cfg.AuthMethod)
	}
}

func TestClientResolvesTheSecretOnlyWhenNeeded(t *testing.T) {
	p := simpleProfile("pub")
	p.AuthMethod = flows.AuthNone
	p.ClientSecret = "cmd:exit 1" // would fail if run
	if _, _, err := p.Client(context.Background(), testSecrets(nil)); err != nil {
		t.Errorf("a public client ran its secret command: %v", err)
	}
	p.AuthMethod = flows.AuthClientSecretPost
	_, _, err := p.Client(context.Background(), testSecrets(nil))
	var se *SecretError
	if !errors.As(err, &se) {
		t.Errorf("a failing secret command: %v", err)
	}
	// Without a resolver the secret is not wanted at all, even a missing one.
	p.ClientSecret = ""
	if _, _, err := p.Client(context.Background(), nil); err != nil {
		t.Errorf("with nil secrets: %v", err)
	}
	wantField(t, func() error { _, _, err := p.Client(context.Background(), testSecrets(nil)); return err }(), "client_secret")
}

func TestClientReadsTheSigningKey(t *testing.T) {
	for _, key := range []string{demoidptest.ClientKeyRSA, demoidptest.ClientKeyEC} {
		p := simpleProfile("pk")
		p.ClientSecret = ""
		p.SigningKey = demoidptest.KeyPath(t, key)
		cfg, _, err := p.Client(context.Background(), testSecrets(nil))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.SigningKey == nil || cfg.AuthMethod != flows.AuthPrivateKeyJWT {
			t.Errorf("%s: key %v, method %s", key, cfg.SigningKey, cfg.AuthMethod)
		}
	}
	p := simpleProfile("pk")
	p.SigningKey = filepath.Join(t.TempDir(), "missing.pem")
	_, _, err := p.Client(context.Background(), testSecrets(nil))
	wantField(t, err, "signing_key", "missing.pem")
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a key"), 0o600) //nolint:errcheck // read below
	p.SigningKey = bad
	_, _, err = p.Client(context.Background(), testSecrets(nil))
	wantField(t, err, "signing_key", "bad.pem")
}

// writeCert writes a self-signed certificate and its key as PEM files.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tokenbench test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestClientReadsTheTLSFiles(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir)
	p := simpleProfile("mtls")
	p.TLS = TLS{CAFile: cert, ClientCert: cert, ClientKey: key, Insecure: true}
	_, opts, err := p.Client(context.Background(), testSecrets(map[string]string{"SECRET_MTLS": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := os.ReadFile(cert)
	if string(opts.CABundle) != string(ca) || len(opts.ClientCertificates) != 1 || !opts.Insecure {
		t.Errorf("transport options: CA %d bytes, %d certificates, insecure %v", len(opts.CABundle), len(opts.ClientCertificates), opts.Insecure)
	}
	if _, err := flows.NewHTTPClient(opts, nil); err != nil {
		t.Errorf("flows refuses the options: %v", err)
	}
	p.TLS.ClientKey = cert // not a key
	_, _, err = p.Client(context.Background(), testSecrets(map[string]string{"SECRET_MTLS": "x"}))
	wantField(t, err, "tls.client_cert")
	p.TLS = TLS{CAFile: filepath.Join(dir, "nope.pem")}
	_, _, err = p.Client(context.Background(), testSecrets(map[string]string{"SECRET_MTLS": "x"}))
	wantField(t, err, "tls.ca_file", "nope.pem")
}

func TestSettingsDiscoveryURL(t *testing.T) {
	if !isUsualDiscovery("https://acme.auth0.com/", "https://acme.auth0.com/.well-known/openid-configuration") {
		t.Error("Auth0's issuer with its trailing slash")
	}
	if isUsualDiscovery("https://idp.example.com", "https://idp.example.com/oidc/.well-known/openid-configuration") {
		t.Error("a discovery document elsewhere")
	}
	p := Profile{Name: "a0", Preset: "auth0", Params: map[string]string{"domain": "acme.eu.auth0.com"}, ClientID: "x", AuthMethod: flows.AuthNone}
	set, err := p.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if set.Issuer != "https://acme.eu.auth0.com/" || set.Preset == nil || set.Preset.DiscoveryURL != "https://acme.eu.auth0.com/.well-known/openid-configuration" {
		t.Errorf("settings %+v", set)
	}
}

// TestClientMapsTheRequestSettings: PAR, the request object, the response type and mode, DPoP with
// its key, the resources and the authorization_details reach the client configuration, placed for
// the profile's grant as `tokenbench token` places them.
func TestClientMapsTheRequestSettings(t *testing.T) {
	p := simpleProfile("fapi")
	p.PAR, p.RequestObject = true, true
	p.ResponseType, p.ResponseMode = "id_token code", "form_post.jwt"
	p.DPoPKey = demoidptest.KeyPath(t, demoidptest.ClientKeyEC)
	p.Resources = []string{"https://api.example.com/", "urn:example:ledger"}
	p.AuthorizationDetails = testdataFile(t, "authorization-details.json")
	t.Setenv("SECRET_FAPI", "s")
	cfg, _, err := p.Client(context.Background(), NewSecrets())
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.PAR || !cfg.RequestObject || cfg.ResponseType != "code id_token" || cfg.ResponseMode != "form_post.jwt" {
		t.Errorf("PAR %v, request object %v, response_type %q, response_mode %q", cfg.PAR, cfg.RequestObject, cfg.ResponseType, cfg.ResponseMode)
	}
	if !cfg.DPoP || cfg.DPoPKey == nil || cfg.DPoPKey.IsPublic() {
		t.Errorf("DPoP %v, key %v", cfg.DPoP, cfg.DPoPKey)
	}
	details := cfg.AuthParams.Get("authorization_details")
	if !reflect.DeepEqual(cfg.AuthParams["resource"], p.Resources) || !reflect.DeepEqual(cfg.TokenParams["resource"], p.Resources) || details == "" || details[0] != '[' || cfg.TokenParams.Has("authorization_details") {
		t.Errorf("authorize %v, token %v", cfg.AuthParams, cfg.TokenParams)
	}

	// client_credentials sends the details on its token request.
	p.Grant = "client_credentials"
	cfg, _, err = p.Client(context.Background(), NewSecrets())
	if err != nil || !cfg.TokenParams.Has("authorization_details") || cfg.AuthParams.Has("authorization_details") {
		t.Errorf("client_credentials: %v, authorize %v, token %v", err, cfg.AuthParams, cfg.TokenParams)
	}

	// The files are read, and checked, at use.
	bad := filepath.Join(t.TempDir(), "details.json")
	if err := os.WriteFile(bad, []byte(`{"type":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	p.AuthorizationDetails = bad
	_, _, err = p.Client(context.Background(), NewSecrets())
	wantField(t, err, "authorization_details", bad, "JSON object")
	p.AuthorizationDetails = ""
	p.DPoPKey = filepath.Join(t.TempDir(), "missing.jwk")
	_, _, err = p.Client(context.Background(), NewSecrets())
	wantField(t, err, "dpop_key", "missing.jwk")
}

func TestClientReadsTheDecryptionKey(t *testing.T) {
	p := simpleProfile("enc")
	p.ClientSecret = ""
	p.DecryptionKey = demoidptest.KeyPath(t, demoidptest.ClientKeyRSA)
	cfg, _, err := p.Client(context.Background(), testSecrets(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DecryptionKey == nil || cfg.SigningKey != nil {
		t.Errorf("decryption key %v, signing key %v", cfg.DecryptionKey, cfg.SigningKey)
	}
	p.DecryptionKey = filepath.Join(t.TempDir(), "missing.pem")
	_, _, err = p.Client(context.Background(), testSecrets(nil))
	wantField(t, err, "decryption_key", "missing.pem")
	// The file keeps a path: a key pasted into the field is refused.
	p.DecryptionKey = "-----BEGIN PRIVATE KEY-----\nMIIE…"
	_, _, err = p.Client(context.Background(), testSecrets(nil))
	wantField(t, err, "decryption_key", "not a file name")
}

// TestClientTokenHeaders: the profile's token_headers are laid over the preset's name by name, and
// a malformed one is refused naming the field.
func TestClientTokenHeaders(t *testing.T) {
	p := Profile{Name: "spa", Preset: "entra", Params: map[string]string{"tenant": "contoso.onmicrosoft.com", "spa_origin": "http://localhost:3000"}, ClientID: "app", AuthMethod: flows.AuthNone,
		TokenHeaders: []string{"origin: https://spa.contoso.com", "X-Gateway-Key: k1", "X-Gateway-Key: k2"}}
	cfg, _, err := p.Client(context.Background(), testSecrets(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := http.Header{"Origin": {"https://spa.contoso.com"}, "X-Gateway-Key": {"k1", "k2"}}
	if !reflect.DeepEqual(cfg.TokenHeaders, want) {
		t.Errorf("headers %v, want %v", cfg.TokenHeaders, want)
	}
	p.TokenHeaders = []string{"Host: evil.example"}
	var fe *FieldError
	if _, _, err := p.Client(context.Background(), testSecrets(nil)); !errors.As(err, &fe) || fe.Field != "token_headers" {
		t.Errorf("a Host header: %v", err)
	}
}
