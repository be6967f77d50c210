package flows_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// diagnose runs the doctor on a client.
func diagnose(t *testing.T, c *flows.Client) flows.Diagnosis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return flows.Diagnose(ctx, c, flows.DoctorOptions{})
}

// wantFinding asserts that the diagnosis has the finding with that status, and a summary holding
// each of the given fragments.
func wantFinding(t *testing.T, d flows.Diagnosis, area, check string, status flows.FindingStatus, fragments ...string) flows.Finding {
	t.Helper()
	f, ok := d.Find(area, check)
	if !ok {
		t.Fatalf("no finding %s/%s in:\n%s", area, check, d.Markdown())
	}
	if f.Status != status {
		t.Errorf("%s/%s is %s, want %s: %s (%s)", area, check, f.Status, status, f.Summary, f.Meaning)
	}
	for _, frag := range fragments {
		if !strings.Contains(f.Summary, frag) {
			t.Errorf("%s/%s summary %q lacks %q", area, check, f.Summary, frag)
		}
	}
	return f
}

func TestDiagnoseHealthyDemoTenant(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, demoidptest.BasicID)
	d := diagnose(t, c)
	if !d.OK() {
		t.Errorf("a healthy tenant failed:\n%s", d.Markdown())
	}
	wantFinding(t, d, "transport", "tcp", flows.FindingOK)
	wantFinding(t, d, "transport", "tls", flows.FindingOK, "loopback")
	wantFinding(t, d, "discovery", "openid_configuration", flows.FindingOK)
	wantFinding(t, d, "discovery", "issuer", flows.FindingOK, p.Issuer())
	wantFinding(t, d, "discovery", "https", flows.FindingOK)
	wantFinding(t, d, "discovery", "required_members", flows.FindingOK)
	wantFinding(t, d, "keys", "jwks", flows.FindingOK)
	wantFinding(t, d, "keys", "kids", flows.FindingOK)
	wantFinding(t, d, "keys", "algs", flows.FindingOK)
	wantFinding(t, d, "client", "auth client_secret_basic", flows.FindingOK, "configured", "credentials accepted")
	wantFinding(t, d, "client", "auth client_secret_post", flows.FindingUnknown, "refused", "invalid_client")
	wantFinding(t, d, "redirect_uri", "registered", flows.FindingOK, "accepted")
	wantFinding(t, d, "features", "pkce", flows.FindingOK)
	wantFinding(t, d, "features", "iss_response", flows.FindingOK, p.Issuer())
	wantFinding(t, d, "clock", "skew", flows.FindingOK)
	// Nothing was redeemed: no token request succeeded, so nothing on the tenant changed.
	for _, x := range c.Trace.Exchanges() {
		if x.Step != "doctor" {
			t.Errorf("exchange %d made under step %q, want doctor", x.ID, x.Step)
		}
		if strings.Contains(string(x.ResponseBody), `"access_token"`) {
			t.Errorf("exchange %d obtained a token: %s", x.ID, x.ResponseBody)
		}
	}
}

func TestDiagnoseFindsFaults(t *testing.T) {
	tests := []struct {
		fault, area, check string
		status             flows.FindingStatus
		fragment           string
	}{
		{"wrong-iss", "features", "iss_response", flows.FindingFailed, "not the issuer"},
		{"html-discovery", "discovery", "openid_configuration", flows.FindingUnknown, "HTML page"},
		{"html-discovery", "discovery", "metadata", flows.FindingFailed, "no metadata"},
		{"clock-skew=5m", "clock", "skew", flows.FindingFailed, "5m ahead"},
		{"clock-skew=-10m", "clock", "skew", flows.FindingFailed, "behind"},
		{"wrong-state", "redirect_uri", "state", flows.FindingFailed, "state"},
		{"deny", "redirect_uri", "response", flows.FindingUnknown, "access_denied"},
	}
	for _, tt := range tests {
		t.Run(tt.fault+"/"+tt.check, func(t *testing.T) {
			p := demoidptest.Start(t, tt.fault)
			d := diagnose(t, demoClient(t, p, demoidptest.BasicID))
			wantFinding(t, d, tt.area, tt.check, tt.status, tt.fragment)
			if tt.status == flows.FindingFailed && d.OK() {
				t.Error("OK with a failed finding")
			}
		})
	}
}

func TestDiagnoseSlowProvider(t *testing.T) {
	p := demoidptest.Start(t, "slow=120ms")
	c := demoClient(t, p, demoidptest.BasicID)
	d := flows.Diagnose(context.Background(), c, flows.DoctorOptions{SlowAfter: 60 * time.Millisecond})
	wantFinding(t, d, "discovery", "latency", flows.FindingUnknown, "to answer")
}

func TestDiagnoseClientProblems(t *testing.T) {
	p := demoidptest.Start(t)
	t.Run("wrong secret", func(t *testing.T) {
		c := demoClient(t, p, demoidptest.BasicID)
		c.Config.ClientSecret = "not-the-secret"
		d := diagnose(t, c)
		f := wantFinding(t, d, "client", "auth client_secret_basic", flows.FindingFailed, "refused", "invalid_client")
		if f.Code != "invalid_client" {
			t.Errorf("code %q", f.Code)
		}
		if strings.Contains(string(d.Markdown()), "not-the-secret") {
			t.Error("the report shows the client secret")
		}
	})
	t.Run("method the client is not registered for", func(t *testing.T) {
		c := demoClient(t, p, demoidptest.PostID)
		c.Config.AuthMethod = flows.AuthClientSecretBasic
		d := diagnose(t, c)
		wantFinding(t, d, "client", "auth client_secret_basic", flows.FindingFailed, "refused")
		wantFinding(t, d, "client", "auth client_secret_post", flows.FindingOK, "credentials accepted")
	})
	t.Run("unregistered redirect URI", func(t *testing.T) {
		c := demoClient(t, p, demoidptest.BasicID)
		c.Config.RedirectURI = "https://evil.example/callback"
		d := diagnose(t, c)
		f := wantFinding(t, d, "redirect_uri", "registered", flows.FindingFailed, "refused", "HTTP 400", "not registered")
		if f.Code != "redirect_uri_mismatch" || !strings.Contains(f.Action, "register exactly https://evil.example/callback") {
			t.Errorf("finding %+v", f)
		}
	})
	t.Run("unknown client", func(t *testing.T) {
		c := demoClient(t, p, demoidptest.BasicID)
		c.Config.ClientID = "no-such-client"
		d := diagnose(t, c)
		wantFinding(t, d, "client", "auth client_secret_basic", flows.FindingFailed, "refused")
		wantFinding(t, d, "redirect_uri", "registered", flows.FindingFailed, "unknown client_id")
	})
}

// tenant is an httptest provider whose metadata, JWKS, token and authorization answers a test
// writes: for what the demo provider cannot show.
type tenant struct {
	srv      *httptest.Server
	meta     map[string]any
	jwks     string
	token    func(w http.ResponseWriter, r *http.Request)
	authz    func(w http.ResponseWriter, r *http.Request)
	wellKnow func(w http.ResponseWriter, r *http.Request)
}

func newTenant(t *testing.T, tlsServer bool) *tenant {
	tn := &tenant{}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		if tn.wellKnow != nil {
			tn.wellKnow(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(tn.meta)
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, tn.jwks)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) { tn.token(w, r) })
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) { tn.authz(w, r) })
	if tlsServer {
		tn.srv = httptest.NewTLSServer(mux)
	} else {
		tn.srv = httptest.NewServer(mux)
	}
	t.Cleanup(tn.srv.Close)
	iss := tn.srv.URL
	tn.meta = map[string]any{
		"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token", "jwks_uri": iss + "/jwks",
		"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"}, "code_challenge_methods_supported": []string{"S256"},
	}
	tn.jwks = `{"keys":[]}`
	// The client's credentials are checked first (RFC 6749 §5.2), then the code, which is made up.
	tn.token = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		id, secret, basic := r.BasicAuth()
		if !basic {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		if id != "app" || secret != "s3cret-value" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"error":"invalid_client"}`)
			return
		}
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"invalid_grant"}`)
	}
	tn.authz = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><title>Sign in</title><form><input type="password" name="pw"></form></html>`)
	}
	return tn
}

// client is a doctor's client of the tenant, trusting its certificate.
func (tn *tenant) client(t *testing.T) *flows.Client {
	opts := flows.TransportOptions{Timeout: 5 * time.Second}
	if tn.srv.TLS != nil {
		opts.CABundle = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tn.srv.Certificate().Raw})
	}
	c, err := flows.NewClient(flows.ClientConfig{
		Issuer: tn.srv.URL, ClientID: "app", ClientSecret: "s3cret-value", RedirectURI: "https://app.example/cb", Scopes: []string{"openid"},
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// selfSigned makes a P-256 certificate valid from notBefore to notAfter for 127.0.0.1.
func selfSigned(t *testing.T, notBefore, notAfter time.Time) (*ecdsa.PrivateKey, *x509.Certificate) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "doctor test"},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

func TestDiagnoseHTTPSTenant(t *testing.T) {
	tn := newTenant(t, true)
	d := diagnose(t, tn.client(t))
	wantFinding(t, d, "transport", "tls_chain", flows.FindingOK, "trusted root")
	wantFinding(t, d, "transport", "tls_hostname", flows.FindingOK, "127.0.0.1")
	wantFinding(t, d, "transport", "tls_expiry", flows.FindingOK, "more days")
	wantFinding(t, d, "transport", "tls_version", flows.FindingOK, "TLS 1.3")
	wantFinding(t, d, "redirect_uri", "registered", flows.FindingOK, "login page")
	wantFinding(t, d, "client", "auth client_secret_basic", flows.FindingOK)
	wantFinding(t, d, "keys", "algs", flows.FindingFailed, "ES256")
}

func TestDiagnoseExpiredServerCertificate(t *testing.T) {
	tn := newTenant(t, false)
	tn.srv.Close()
	key, cert := selfSigned(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	srv := httptest.NewUnstartedServer(tn.srv.Config.Handler)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c, err := flows.NewClient(flows.ClientConfig{Issuer: srv.URL, ClientID: "app"},
		flows.TransportOptions{Timeout: 5 * time.Second, CABundle: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})})
	if err != nil {
		t.Fatal(err)
	}
	d := diagnose(t, c)
	f := wantFinding(t, d, "transport", "tls_expiry", flows.FindingFailed, "expired", "1 day ago")
	if f.Code != "tls_expired_certificate" {
		t.Errorf("code %q", f.Code)
	}
	wantFinding(t, d, "transport", "tls_chain", flows.FindingOK)
}

func TestDiagnoseUntrustedServerCertificate(t *testing.T) {
	tn := newTenant(t, true)
	c, err := flows.NewClient(flows.ClientConfig{Issuer: tn.srv.URL}, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d := diagnose(t, c)
	wantFinding(t, d, "transport", "tls_chain", flows.FindingFailed, "not signed by an authority")
}

func TestDiagnoseDiscoveryProblems(t *testing.T) {
	t.Run("case", func(t *testing.T) {
		tn := newTenant(t, false)
		tn.meta["issuer"] = strings.ToUpper(tn.srv.URL)
		wantFinding(t, diagnose(t, tn.client(t)), "discovery", "issuer", flows.FindingFailed, "letter case")
	})
	t.Run("trailing slash", func(t *testing.T) {
		tn := newTenant(t, false)
		tn.meta["issuer"] = tn.srv.URL + "/"
		wantFinding(t, diagnose(t, tn.client(t)), "discovery", "issuer", flows.FindingUnknown, "trailing slash")
	})
	t.Run("another issuer", func(t *testing.T) {
		tn := newTenant(t, false)
		tn.meta["issuer"] = "https://other.example"
		wantFinding(t, diagnose(t, tn.client(t)), "discovery", "issuer", flows.FindingFailed, "https://other.example")
	})
	t.Run("template", func(t *testing.T) {
		tn := newTenant(t, false)
		tn.meta["issuer"] = "https://login.example/{tenantid}/v2.0"
		wantFinding(t, diagnose(t, tn.client(t)), "discovery", "issuer", flows.FindingFailed, "multi-tenant template")
	})
	t.Run("http endpoint and missing members", func(t *testing.T) {
		tn := newTenant(t, false)
		tn.meta["userinfo_endpoint"] = "http://idp.example/userinfo"
		delete(tn.meta, "subject_types_supported")
		d := diagnose(t, tn.client(t))
		wantFinding(t, d, "discovery", "https", flows.FindingFailed, "userinfo http://idp.example/userinfo")
		wantFinding(t, d, "discovery", "required_members", flows.FindingFailed, "subject_types_supported")
	})
}

// jwk renders a public EC key as a JWK with a kid and an x5c certificate.
func jwk(kid string, key *ecdsa.PrivateKey, cert *x509.Certificate) string {
	b := func(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.FillBytes(make([]byte, 32))) }
	return fmt.Sprintf(`{"kty":"EC","crv":"P-256","kid":%q,"use":"sig","x":%q,"y":%q,"x5c":[%q]}`,
		kid, b(key.X), b(key.Y), base64.StdEncoding.EncodeToString(cert.Raw))
}

func TestDiagnoseKeyProblems(t *testing.T) {
	key, expired := selfSigned(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	tn := newTenant(t, false)
	tn.jwks = `{"keys":[` + jwk("k1", key, expired) + `,` + jwk("k1", key, expired) + `]}`
	d := diagnose(t, tn.client(t))
	wantFinding(t, d, "keys", "jwks", flows.FindingOK, "2 usable keys")
	wantFinding(t, d, "keys", "kids", flows.FindingFailed, `"k1" (2 keys)`)
	wantFinding(t, d, "keys", "x5c", flows.FindingFailed, "expired")
	wantFinding(t, d, "keys", "algs", flows.FindingOK, "ES256")
	wantFinding(t, d, "keys", "key_sizes", flows.FindingOK, "EC P-256")
}

func TestDiagnoseRedirectURIErrorRedirect(t *testing.T) {
	tn := newTenant(t, false)
	tn.authz = func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		http.Redirect(w, r, q.Get("redirect_uri")+"?error=invalid_scope&state="+q.Get("state"), http.StatusFound)
	}
	d := diagnose(t, tn.client(t))
	wantFinding(t, d, "redirect_uri", "registered", flows.FindingOK, "redirecting to it")
	f := wantFinding(t, d, "redirect_uri", "response", flows.FindingUnknown, "invalid_scope")
	if f.Code != "invalid_scope" {
		t.Errorf("code %q", f.Code)
	}
	wantFinding(t, d, "features", "iss_response", flows.FindingUnknown, "no iss")
}

func TestDiagnoseMadeUpCodeAccepted(t *testing.T) {
	tn := newTenant(t, false)
	tn.token = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"at","token_type":"Bearer"}`)
	}
	wantFinding(t, diagnose(t, tn.client(t)), "client", "auth client_secret_basic", flows.FindingFailed, "made-up code with tokens")
}

func TestDiagnosisMarkdownIsRedacted(t *testing.T) {
	tn := newTenant(t, false)
	tn.token = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":"secret s3cret-value is wrong"}`)
	}
	d := diagnose(t, tn.client(t))
	md := string(d.Markdown())
	if strings.Contains(md, "s3cret-value") {
		t.Errorf("the report shows the secret:\n%s", md)
	}
	if !strings.Contains(md, "✗ **auth client_secret_basic**") || !strings.Contains(md, flows.Redacted) {
		t.Errorf("report:\n%s", md)
	}
	for _, f := range d.Redacted().Findings {
		if strings.Contains(f.Summary, "s3cret-value") {
			t.Errorf("Redacted kept the secret: %s", f.Summary)
		}
	}
}

// A token endpoint that looks at the code before the client (zitadel/oidc's does) answers a made-up
// secret invalid_grant too: the doctor says it cannot tell, rather than that the credentials work.
func TestDiagnoseCodeCheckedBeforeTheClient(t *testing.T) {
	tn := newTenant(t, false)
	tn.token = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"invalid_grant"}`)
	}
	d := diagnose(t, tn.client(t))
	wantFinding(t, d, "client", "auth_order", flows.FindingUnknown, "made-up secret is answered invalid_grant too")
	wantFinding(t, d, "client", "auth client_secret_basic", flows.FindingUnknown, "cannot tell")
	wantFinding(t, d, "client", "auth client_secret_post", flows.FindingUnknown, "cannot tell")
}
