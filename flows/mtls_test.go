package flows_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// startMTLSProvider starts the demo provider with its mutual TLS listener.
func startMTLSProvider(t *testing.T) *demoidp.Provider {
	t.Helper()
	return demoidptest.StartWith(t, demoidp.Options{MTLS: &demoidp.MTLSOptions{}})
}

// demoCert is the demo certificate of a mutual TLS demo client.
func demoCert(t *testing.T, p *demoidp.Provider, id string) tls.Certificate {
	t.Helper()
	for _, c := range p.MTLSCredentials() {
		if c.ClientID == id {
			cert, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
			if err != nil {
				t.Fatal(err)
			}
			return cert
		}
	}
	t.Fatalf("no mTLS credential for %s", id)
	return tls.Certificate{}
}

// testCert makes a client certificate for subject: issued by a new test CA when caIssued, else
// self-signed.
func testCert(t *testing.T, cn string, caIssued bool) tls.Certificate {
	t.Helper()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	now := time.Now()
	key := newKey()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"tokenbench demo"}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	parent, signer := tmpl, key
	if caIssued {
		caKey := newKey()
		ca := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rogue test CA"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
		}
		der, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		if parent, err = x509.ParseCertificate(der); err != nil {
			t.Fatal(err)
		}
		signer = caKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// mtlsClient is a flows client of the demo provider presenting cert (none when nil), trusting the
// mutual TLS listener's CA, authenticating as id with method.
func mtlsClient(t *testing.T, p *demoidp.Provider, id string, method flows.AuthMethod, cert *tls.Certificate) *flows.Client {
	t.Helper()
	opts := flows.TransportOptions{Timeout: 5 * time.Second, CABundle: p.MTLSServerCAPEM()}
	if cert != nil {
		opts.ClientCertificates = []tls.Certificate{*cert}
	}
	c, err := flows.NewClient(flows.ClientConfig{
		Issuer: p.Issuer(), ClientID: id, AuthMethod: method,
		RedirectURI: "http://127.0.0.1:0/callback", Scopes: []string{"openid", "profile"},
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMTLSMetadata(t *testing.T) {
	p := startMTLSProvider(t)
	cert := demoCert(t, p, demoidp.MTLSClientID)
	c := mtlsClient(t, p, demoidp.MTLSClientID, flows.AuthTLSClient, &cert)
	meta, err := c.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := meta.MTLSEndpointAliases
	base := p.MTLSBaseURL()
	if !strings.HasPrefix(base, "https://127.0.0.1:") || a.Token != base+"/token" || a.UserInfo != base+"/userinfo" ||
		a.Introspection != base+"/introspect" || a.Revocation != base+"/revoke" || a.DeviceAuthorization != base+"/device_authorization" ||
		a.PushedAuthorization != base+"/par" || a.Authorization != "" {
		t.Errorf("aliases %+v (base %s)", a, base)
	}
	if !meta.CertificateBoundTokens {
		t.Error("tls_client_certificate_bound_access_tokens not read")
	}
	for _, m := range []string{"tls_client_auth", "self_signed_tls_client_auth"} {
		if !strings.Contains(strings.Join(meta.TokenEndpointAuthMethods, " "), m) {
			t.Errorf("token_endpoint_auth_methods_supported lacks %s", m)
		}
	}
	// Without the option there is no mTLS listener, no alias and no mTLS client.
	plain := demoidptest.Start(t)
	if plain.MTLSBaseURL() != "" || plain.MTLSCredentials() != nil {
		t.Error("mTLS on without the option")
	}
	for _, cl := range plain.Clients() {
		if strings.HasPrefix(cl.ID, "demo-mtls") {
			t.Errorf("client %s registered without the option", cl.ID)
		}
	}
}

func TestMTLSAuthMethods(t *testing.T) {
	for _, m := range []flows.AuthMethod{flows.AuthTLSClient, flows.AuthSelfSignedTLSClient} {
		if got, ok := flows.ParseAuthMethod(string(m)); !ok || got != m {
			t.Errorf("ParseAuthMethod(%s) = %s, %v", m, got, ok)
		}
		if m.UsesSecret() {
			t.Errorf("%s uses a secret", m)
		}
	}
}

// TestMTLSClientAuthAndBinding runs tls_client_auth and self_signed_tls_client_auth at the token
// endpoint through the alias, and checks the certificate binding of the tokens.
func TestMTLSClientAuthAndBinding(t *testing.T) {
	p := startMTLSProvider(t)
	ctx := context.Background()
	for _, tc := range []struct {
		id     string
		method flows.AuthMethod
	}{{demoidp.MTLSClientID, flows.AuthTLSClient}, {demoidp.MTLSSelfSignedClientID, flows.AuthSelfSignedTLSClient}} {
		t.Run(tc.id, func(t *testing.T) {
			cert := demoCert(t, p, tc.id)
			c := mtlsClient(t, p, tc.id, tc.method, &cert)
			tok, err := c.ClientCredentials(ctx)
			if err != nil {
				t.Fatal(err)
			}
			x := steps(c, "token")
			if len(x) != 1 || x[0].URL != p.MTLSBaseURL()+"/token" {
				t.Fatalf("token requests %+v, want one to the alias", x)
			}
			form, _ := url.ParseQuery(string(x[0].RequestBody))
			if form.Get("client_id") != tc.id || form.Has("client_secret") || x[0].RequestHeader.Get("Authorization") != "" {
				t.Errorf("token request form %v, header %v", form, x[0].RequestHeader)
			}
			checks := c.MTLSChecks(tok)
			if len(checks) != 1 || checks[0].Name != "cnf.x5t#S256" || checks[0].Status != flows.CheckPass {
				t.Fatalf("binding checks %+v", checks)
			}
			if !strings.EqualFold(tok.TokenType, "bearer") {
				t.Errorf("token_type %q", tok.TokenType)
			}
			res, err := c.Introspect(ctx, tok.AccessToken, "access_token")
			if err != nil {
				t.Fatal(err)
			}
			cnf, _ := res.Members["cnf"].(map[string]any)
			if cnf["x5t#S256"] != flows.CertificateThumbprint(cert.Certificate[0]) {
				t.Errorf("introspection cnf %v", res.Members["cnf"])
			}
		})
	}
}

// TestMTLSCodeFlowAndUserInfo binds a code flow's access token to demo-mtls's certificate; the ID
// token's at_hash still names it; userinfo takes it with that certificate only.
func TestMTLSCodeFlowAndUserInfo(t *testing.T) {
	p := startMTLSProvider(t)
	ctx := context.Background()
	cert := demoCert(t, p, demoidp.MTLSClientID)
	c := mtlsClient(t, p, demoidp.MTLSClientID, flows.AuthTLSClient, &cert)
	req, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if ch := c.MTLSChecks(tok); len(ch) != 1 || ch[0].Status != flows.CheckPass {
		t.Fatalf("binding checks %+v", ch)
	}
	rep := c.ValidateIDToken(ctx, tok.IDToken, flows.Expect{Issuer: p.Issuer(), Audience: demoidp.MTLSClientID, Nonce: req.Nonce, AccessToken: tok.AccessToken, IDToken: true})
	if !rep.OK() {
		t.Fatalf("id_token checks failed: %+v", rep.Failed())
	}
	ui, err := c.UserInfo(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if ui.Members["sub"] == nil {
		t.Errorf("userinfo %s", ui.Body)
	}
	if x := steps(c, "userinfo"); len(x) != 1 || x[0].URL != p.MTLSBaseURL()+"/userinfo" {
		t.Errorf("userinfo requests %+v, want one to the alias", x)
	}

	// Another certificate: refused, and the binding check fails.
	other := demoCert(t, p, demoidp.MTLSSelfSignedClientID)
	oc := mtlsClient(t, p, demoidp.MTLSSelfSignedClientID, flows.AuthSelfSignedTLSClient, &other)
	_, err = oc.UserInfo(ctx, tok.AccessToken)
	wantOAuthError(t, err, "invalid_token", "bound to the client certificate with SHA-256 thumbprint")
	ch := oc.MTLSChecks(tok)
	if len(ch) != 1 || ch[0].Status != flows.CheckFail || ch[0].Kind != flows.KindCertificateBindingMismatch || !strings.Contains(ch[0].Detail, "bound to another certificate") {
		t.Errorf("binding check with another certificate %+v", ch)
	}
	// No certificate: the plain userinfo endpoint refuses the bound token.
	_, err = demoClient(t, p, "demo-public").UserInfo(ctx, tok.AccessToken)
	wantOAuthError(t, err, "invalid_token", "presented none")
	// A client without a certificate makes no binding check.
	if got := demoClient(t, p, "demo-public").MTLSChecks(tok); got != nil {
		t.Errorf("checks without a certificate %+v", got)
	}
	for _, k := range []flows.Kind{flows.KindCertificateBindingMismatch, flows.KindClientCertificateMissing} {
		if _, ex, ok := flows.Explain(&flows.Error{Kind: k}); !ok || ex.Title == "" {
			t.Errorf("no explanation for %s", k)
		}
	}
}

// TestMTLSBearerClientGetsBoundToken: a client_secret_basic client presenting a certificate gets
// a certificate-bound token through the alias too (RFC 8705 §3 is independent of §2).
func TestMTLSBearerClientGetsBoundToken(t *testing.T) {
	p := startMTLSProvider(t)
	cert := testCert(t, "anyone", false)
	c := mtlsClient(t, p, "demo-basic", "", &cert)
	c.Config.ClientSecret = "demo-basic-secret"
	tok, err := c.ClientCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ch := c.MTLSChecks(tok); len(ch) != 1 || ch[0].Status != flows.CheckPass {
		t.Fatalf("binding checks %+v", ch)
	}
	// Without a certificate, the plain endpoints and no cnf.x5t#S256: nothing to check.
	plainTok, err := demoClient(t, p, "demo-basic").ClientCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ch := c.MTLSChecks(plainTok); len(ch) != 1 || ch[0].Status != flows.CheckSkipped || !strings.Contains(ch[0].Detail, "no cnf.x5t#S256") {
		t.Errorf("check of an unbound token %+v", ch)
	}
}

func TestMTLSClientAuthFailures(t *testing.T) {
	p := startMTLSProvider(t)
	ctx := context.Background()
	demo := demoCert(t, p, demoidp.MTLSClientID)
	self := demoCert(t, p, demoidp.MTLSSelfSignedClientID)
	rogue := testCert(t, "demo-mtls", true) // right subject, untrusted CA
	unregistered := testCert(t, "demo-mtls-self", false)
	for _, tc := range []struct {
		name   string
		id     string
		method flows.AuthMethod
		cert   *tls.Certificate
		want   string
	}{
		{"not issued by the CA", demoidp.MTLSClientID, flows.AuthTLSClient, &rogue, "is not issued by a CA the provider trusts for tls_client_auth"},
		{"self-signed for tls_client_auth", demoidp.MTLSClientID, flows.AuthTLSClient, &self, "is not issued by a CA the provider trusts"},
		{"not registered", demoidp.MTLSSelfSignedClientID, flows.AuthSelfSignedTLSClient, &unregistered, "is not registered for client demo-mtls-self"},
		{"another client's certificate", demoidp.MTLSSelfSignedClientID, flows.AuthSelfSignedTLSClient, &demo, "is not registered for client demo-mtls-self"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mtlsClient(t, p, tc.id, tc.method, tc.cert).ClientCredentials(ctx)
			wantOAuthError(t, err, "invalid_client", tc.want)
		})
	}

	// No certificate configured: flows refuses before sending.
	_, err := mtlsClient(t, p, demoidp.MTLSClientID, flows.AuthTLSClient, nil).ClientCredentials(ctx)
	var fe *flows.Error
	if !errors.As(err, &fe) || fe.Kind != flows.KindClientCertificateMissing || !strings.Contains(fe.Detail, "--client-cert") {
		t.Errorf("without a certificate: %v", err)
	}

	// No certificate in the handshake, at the alias: the provider says so.
	post := func(hc *http.Client, endpoint string) string {
		t.Helper()
		resp, err := hc.PostForm(endpoint, url.Values{"grant_type": {"client_credentials"}, "client_id": {demoidp.MTLSClientID}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		tok, perr := flows.ParseTokenResponse(resp.StatusCode, resp.Header, mustRead(t, resp), time.Now())
		if tok != nil || perr == nil {
			t.Fatalf("token issued without a certificate")
		}
		return perr.Error()
	}
	hc, err := flows.NewHTTPClient(flows.TransportOptions{CABundle: p.MTLSServerCAPEM()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := post(hc, p.MTLSBaseURL()+"/token"); !strings.Contains(got, "no client certificate was presented in the TLS handshake") {
		t.Errorf("no certificate: %s", got)
	}
	// tls_client_auth at the plain endpoint: told to use the alias.
	if got := post(hc, p.Issuer()+"/token"); !strings.Contains(got, "came without TLS") || !strings.Contains(got, p.MTLSBaseURL()) {
		t.Errorf("plain endpoint: %s", got)
	}
}

func mustRead(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A provider on a fixed clock (as the TUI tests run it) still authenticates tls_client_auth: its
// certificates are valid both by that clock and by the real one the TLS client checks.
func TestMTLSProviderOnAnotherClock(t *testing.T) {
	t.Parallel()
	for _, at := range []time.Time{demoidptest.FixedNow(), time.Now().AddDate(0, 6, 0)} {
		p := demoidptest.StartWith(t, demoidp.Options{MTLS: &demoidp.MTLSOptions{}, Now: func() time.Time { return at }})
		cert := demoCert(t, p, demoidp.MTLSClientID)
		c := mtlsClient(t, p, demoidp.MTLSClientID, flows.AuthTLSClient, &cert)
		if tok, err := c.ClientCredentials(t.Context()); err != nil || tok.AccessToken == "" {
			t.Errorf("provider clock %s: %v", at.Format(time.DateOnly), err)
		}
	}
}

// DPoP over the mutual TLS listener: the proofs name the mTLS alias endpoints the requests go to
// (RFC 9449 §4.3 check 9), and the token is bound both ways.
func TestMTLSWithDPoP(t *testing.T) {
	t.Parallel()
	p := startMTLSProvider(t)
	cert := demoCert(t, p, demoidp.MTLSClientID)
	c := mtlsClient(t, p, demoidp.MTLSClientID, flows.AuthTLSClient, &cert)
	key, err := flows.GenerateDPoPKey()
	if err != nil {
		t.Fatal(err)
	}
	c.Config.DPoP, c.Config.DPoPKey = true, key
	tok, err := c.ClientCredentials(t.Context())
	if err != nil {
		t.Fatalf("DPoP token request over mTLS: %v", err)
	}
	res, err := c.CallAPI(t.Context(), flows.APICall{URL: p.MTLSBaseURL() + demoidp.APIPath, AccessToken: tok.AccessToken})
	if err != nil || res.Members["bound"] != "dpop+mtls" {
		t.Fatalf("the API over mTLS: %v %v", res, err)
	}
}
