package flows_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/tokenbench/tokenbench/flows"
)

// interopProvider is one independent provider started for the suite, with a client configuration
// for each role it can play ("basic", "post", "jwt", "pkjwt", "public", "cc", "bearer"); a missing
// role makes the features that need it "n/a", with the reason in notes.
type interopProvider struct {
	name    string
	clients map[string]flows.ClientConfig
	// bearer is the JWT bearer grant's assertion (issuer, subject and key), when supported.
	bearer  *flows.AssertionClaims
	browser scriptedBrowser
	// notes say why a feature is n/a, or what the provider does differently.
	notes map[string]string
	// cibaUser is the login_hint naming a user for CIBA; cibaCert the certificate the https
	// notification endpoint is served with, which the provider trusts.
	cibaUser string
	cibaCert *tls.Certificate
	// stateless is set for a provider that keeps no state: it authenticates no client and forgets
	// revocations (a mock server).
	stateless bool
	// initialAccessToken is the token dynamic client registration wants (RFC 7591 §3), if any.
	initialAccessToken string
	// postLogoutRedirect is the loopback post_logout_redirect_uri the "basic" client registered
	// (RP-Initiated Logout 1.0 §3.1); empty when any loopback one is taken.
	postLogoutRedirect string
}

// interopCache is where .ci/interop installed and built the providers.
func interopCache(t *testing.T) string {
	if d := os.Getenv("TOKENBENCH_INTEROP_CACHE"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(home, ".cache", "tokenbench-interop")
}

// startProcess runs a provider until the test ends, and waits for its discovery document.
func startProcess(t *testing.T, discovery string, cmd *exec.Cmd) {
	t.Helper()
	logf, err := os.Create(filepath.Join(t.TempDir(), "provider.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v (run .ci/interop to install the providers)", cmd.Path, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() //nolint:errcheck // it may have exited
		cmd.Wait()         //nolint:errcheck // killed
		if t.Failed() {
			out, _ := os.ReadFile(logf.Name())
			t.Logf("%s's log:\n%s", filepath.Base(cmd.Path), out[max(0, len(out)-4000):])
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(discovery); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	logf.Close()
	out, _ := os.ReadFile(logf.Name())
	t.Fatalf("%s did not serve %s within 30 s:\n%s", cmd.Path, discovery, out)
}

// demoPublicJWK is the public half of assets/demo/private-key-jwt-rsa.pem as a JWK with a kid.
func demoPublicJWK(t *testing.T, kid string) map[string]any {
	t.Helper()
	k := readPrivateKey(t, "../assets/demo/private-key-jwt-rsa.pem")
	pub := jose.JSONWebKey{Key: k.Public().Key, KeyID: kid, Algorithm: "RS256", Use: "sig"}
	b, err := pub.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m) //nolint:errcheck // just marshalled
	return m
}

// readPrivateKey reads a demo key without a kid, as a user's PEM file is read.
func readPrivateKey(t *testing.T, path string) *jose.JSONWebKey {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := flows.ParsePrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// nodeScript copies one of .ci/interop's node scripts beside the node_modules .ci/interop
// installed, where its imports resolve, and returns that directory.
func nodeScript(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(interopCache(t), "node")
	script, err := os.ReadFile(filepath.Join("..", ".ci", "interop", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), script, 0o644); err != nil {
		t.Fatalf("%v (run .ci/interop to install the providers and the recorder)", err)
	}
	return dir
}

const interopSecret = "interop-client-secret-of-at-least-32-bytes"

// startOIDCProvider runs panva's oidc-provider with a client for every authentication method.
func startOIDCProvider(t *testing.T) *interopProvider {
	dir := nodeScript(t, "oidc-provider.mjs")
	port, cb := freePort(t), freePort(t)
	issuer := "http://127.0.0.1:" + strconv.Itoa(port)
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", cb)
	postLogout := fmt.Sprintf("http://127.0.0.1:%d/signed-out", freePort(t))
	grants := []string{"authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"}
	client := func(id, method string) map[string]any {
		c := map[string]any{"client_id": id, "token_endpoint_auth_method": method, "redirect_uris": []string{redirect},
			"grant_types": grants, "response_types": []string{"code"}, "scope": "openid email profile offline_access api:read",
			"post_logout_redirect_uris": []string{postLogout}}
		switch method {
		case "none":
			c["grant_types"] = []string{"authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"}
		case "private_key_jwt":
			c["jwks"] = map[string]any{"keys": []any{demoPublicJWK(t, "tb-rsa-1")}}
		default:
			c["client_secret"] = interopSecret
		}
		return c
	}
	// CIBA clients (CIBA Core §4): oidc-provider takes only https notification endpoints, so the
	// ping client's is served with a certificate made here, which node is told to trust.
	notify := fmt.Sprintf("https://127.0.0.1:%d/ciba", freePort(t))
	cert, certFile := loopbackCertificate(t)
	cibaClient := func(id, mode string) map[string]any {
		c := map[string]any{"client_id": id, "client_secret": interopSecret, "token_endpoint_auth_method": "client_secret_basic",
			"grant_types": []string{"urn:openid:params:grant-type:ciba"}, "response_types": []string{}, "redirect_uris": []string{},
			"scope": "openid email profile", "backchannel_token_delivery_mode": mode}
		if mode == flows.CIBAPing {
			c["backchannel_client_notification_endpoint"] = notify
		}
		return c
	}
	clients, _ := json.Marshal([]any{client("tb-basic", "client_secret_basic"), client("tb-post", "client_secret_post"),
		client("tb-jwt", "client_secret_jwt"), client("tb-pkjwt", "private_key_jwt"), client("tb-public", "none"),
		cibaClient("tb-ciba-poll", flows.CIBAPoll), cibaClient("tb-ciba-ping", flows.CIBAPing)})
	cmd := exec.Command("node", "oidc-provider.mjs")
	cmd.Dir = dir
	const iat = "interop-initial-access-token"
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "CLIENTS="+string(clients), "NODE_EXTRA_CA_CERTS="+certFile,
		"INITIAL_ACCESS_TOKEN="+iat)
	startProcess(t, issuer+"/.well-known/openid-configuration", cmd)
	scopes := []string{"openid", "email", "profile", "offline_access"}
	cfg := func(id string, m flows.AuthMethod, secret string) flows.ClientConfig {
		return flows.ClientConfig{Issuer: issuer, ClientID: id, ClientSecret: secret, AuthMethod: m, RedirectURI: redirect, Scopes: scopes}
	}
	pk := cfg("tb-pkjwt", flows.AuthPrivateKeyJWT, "")
	pk.SigningKey = readPrivateKey(t, "../assets/demo/private-key-jwt-rsa.pem") // a PEM key: no kid is sent
	cibaCfg := func(id string) flows.ClientConfig {
		c := cfg(id, flows.AuthClientSecretBasic, interopSecret)
		c.Scopes, c.RedirectURI, c.CIBANotificationEndpoint = []string{"openid", "email"}, "", notify
		return c
	}
	return &interopProvider{
		cibaUser: "alice", cibaCert: &cert,
		initialAccessToken: iat, postLogoutRedirect: postLogout,
		name: "oidc-provider 9.13 (node)",
		clients: map[string]flows.ClientConfig{
			"basic": cfg("tb-basic", flows.AuthClientSecretBasic, interopSecret), "post": cfg("tb-post", flows.AuthClientSecretPost, interopSecret),
			"jwt": cfg("tb-jwt", flows.AuthClientSecretJWT, interopSecret), "pkjwt": pk, "public": cfg("tb-public", flows.AuthNone, ""),
			"cc":        cfg("tb-basic", flows.AuthClientSecretBasic, interopSecret),
			"ciba_poll": cibaCfg("tb-ciba-poll"), "ciba_ping": cibaCfg("tb-ciba-ping"),
		},
		browser: scriptedBrowser{fields: map[string]string{"login": "alice", "password": "any"}},
		notes: map[string]string{
			"jwt_bearer":     "not a grant oidc-provider offers",
			"token_exchange": "not a grant oidc-provider offers",
			"request_uri":    "oidc-provider 9 fetches no request objects by reference (request_uri_parameter_supported: false)",
		},
	}
}

// startZitadel runs the zitadel/oidc library's example OP (built by .ci/interop) with its own
// clients: web (client_secret_basic, secret "secret"), native (public), the service user sid1 for
// client credentials, and the service key key1 for the JWT profile grant.
func startZitadel(t *testing.T) *interopProvider {
	bin := filepath.Join(interopCache(t), "zitadel", "zitadel-op")
	port, cb := freePort(t), freePort(t)
	issuer := fmt.Sprintf("http://localhost:%d/", port)
	redirect := fmt.Sprintf("http://localhost:%d/callback", cb)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "REDIRECT_URI="+redirect)
	startProcess(t, issuer+".well-known/openid-configuration", cmd)
	key := readPrivateKey(t, filepath.Join(interopCache(t), "zitadel", "service-key1.pem"))
	key.KeyID = "key1" // the kid zitadel registered (what --signing-key-id gives)
	scopes := []string{"openid", "email", "profile", "offline_access"}
	cfg := func(id, secret string, m flows.AuthMethod) flows.ClientConfig {
		return flows.ClientConfig{Issuer: issuer, ClientID: id, ClientSecret: secret, AuthMethod: m, RedirectURI: redirect, Scopes: scopes}
	}
	return &interopProvider{
		name: "zitadel/oidc v3.53 example OP (Go)",
		clients: map[string]flows.ClientConfig{
			"basic": cfg("web", "secret", flows.AuthClientSecretBasic), "public": cfg("native", "", flows.AuthNone),
			"cc": cfg("sid1", "verysecret", flows.AuthClientSecretBasic),
		},
		bearer:  &flows.AssertionClaims{Issuer: "service", Subject: "service", Key: key},
		browser: scriptedBrowser{fields: map[string]string{"username": "test-user@localhost", "password": "verysecure"}},
		notes: map[string]string{
			"client_secret_post": "the example registers its web client for client_secret_basic only",
			"client_secret_jwt":  "the example's secrets are 6 bytes, too short for HS256 (RFC 7518 §3.2)",
			"private_key_jwt":    "no example client is registered for it",
			"par":                "not offered by the library",
			"dpop":               "not offered by the library",
			"device":             "the example registers no client for the device grant",
			"denied_login":       "the example's login page has no cancel",
			"ciba_poll":          "not offered by the library",
			"ciba_ping":          "not offered by the library",
			"registration":       "the library serves no registration endpoint (none in discovery)",
			"logout":             "the example's clients register no post_logout_redirect_uris, so it refuses every one (post_logout_redirect_uri invalid, as RP-Initiated Logout 1.0 §3 allows); without one it ends the session on its own page",
			"logout_wrong_state": "no post-logout redirect (see logout)",
		},
	}
}

// startMockServer runs oauth2-mock-server, which signs any user in at once and accepts any client.
func startMockServer(t *testing.T) *interopProvider {
	dir := filepath.Join(interopCache(t), "node")
	port, cb := freePort(t), freePort(t)
	// It names itself localhost whatever address it listens on.
	issuer := "http://localhost:" + strconv.Itoa(port)
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", cb)
	cmd := exec.Command("node", filepath.Join("node_modules", "oauth2-mock-server", "dist", "oauth2-mock-server.mjs"), "-a", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Dir = dir
	startProcess(t, issuer+"/.well-known/openid-configuration", cmd)
	scopes := []string{"openid", "email", "profile"}
	cfg := func(m flows.AuthMethod, secret string) flows.ClientConfig {
		return flows.ClientConfig{Issuer: issuer, ClientID: "tb-mock", ClientSecret: secret, AuthMethod: m, RedirectURI: redirect, Scopes: scopes}
	}
	pk := cfg(flows.AuthPrivateKeyJWT, "")
	pk.SigningKey = readPrivateKey(t, "../assets/demo/private-key-jwt-rsa.pem")
	return &interopProvider{
		name: "oauth2-mock-server 9.3 (node)",
		clients: map[string]flows.ClientConfig{
			"basic": cfg(flows.AuthClientSecretBasic, interopSecret), "post": cfg(flows.AuthClientSecretPost, interopSecret),
			"jwt": cfg(flows.AuthClientSecretJWT, interopSecret), "pkjwt": pk, "public": cfg(flows.AuthNone, ""),
			"cc": cfg(flows.AuthClientSecretBasic, interopSecret),
		},
		bearer:    &flows.AssertionClaims{Subject: "alice", Key: readPrivateKey(t, "../assets/demo/private-key-jwt-rsa.pem")},
		stateless: true,
		notes: map[string]string{
			"par":            "not offered",
			"dpop":           "not offered",
			"device":         "not offered",
			"token_exchange": "not offered",
			"denied_login":   "no login page: every authorization request is approved at once",
			"ciba_poll":      "not offered",
			"ciba_ping":      "not offered",
			"request_uri":    "not offered",
			"registration":   "not offered (no registration_endpoint in discovery)",
		},
	}
}

// loopbackCertificate makes a self-signed certificate for 127.0.0.1 and writes it as PEM to a file
// for the provider to trust.
func loopbackCertificate(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tokenbench interop"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "notify-ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, file
}
