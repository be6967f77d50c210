package flows

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The tenant GUIDs of the tests: a user's home tenant, and another one.
const (
	homeTenant  = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	otherTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"
)

// entraLike is an httptest server shaped like the Microsoft identity platform's v2.0 endpoints:
// /{tenant}/v2.0/.well-known/openid-configuration for every tenant, where the multi-tenant aliases
// (common, organizations) name the issuer template {base}/{tenantid}/v2.0 and a tenant GUID names
// its own issuer, and /{tenant}/discovery/v2.0/keys serving the test JWKS. issuerFor, when set,
// replaces the issuer a tenant's document names.
type entraLike struct {
	*httptest.Server
	issuerFor map[string]string
}

func newEntraLike(t *testing.T) *entraLike {
	t.Helper()
	s := &entraLike{issuerFor: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		tenant := r.PathValue("tenant")
		issuer := s.URL + "/" + tenant + "/v2.0"
		if tenant == "common" || tenant == "organizations" {
			issuer = s.URL + "/{tenantid}/v2.0"
		}
		if v, ok := s.issuerFor[tenant]; ok {
			issuer = v
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                issuer,
			"authorization_endpoint":                s.URL + "/" + tenant + "/oauth2/v2.0/authorize",
			"token_endpoint":                        s.URL + "/" + tenant + "/oauth2/v2.0/token",
			"jwks_uri":                              s.URL + "/" + tenant + "/discovery/v2.0/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(publicSet("rsa-1"))
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// entraClaims is an id_token of the user's home tenant, as the common endpoint issues it.
func entraClaims(base, issTenant, tid string) map[string]any {
	c := map[string]any{
		"iss": base + "/" + issTenant + "/v2.0",
		"sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
		"aud": testClient,
		"exp": testNow.Add(time.Hour).Unix(),
		"iat": testNow.Add(-time.Minute).Unix(),
		"nbf": testNow.Add(-time.Minute).Unix(),
	}
	if tid != "" {
		c["tid"] = tid
	}
	return c
}

func TestMultiTenantDiscoveryAcceptsTheIssuerTemplate(t *testing.T) {
	srv := newEntraLike(t)
	for _, alias := range []string{"common", "organizations"} {
		c := newTestClient(t, ClientConfig{Issuer: srv.URL + "/" + alias + "/v2.0", ClientID: testClient})
		meta, err := c.Discover(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", alias, err)
		}
		tmpl := srv.URL + "/{tenantid}/v2.0"
		if meta.IssuerTemplate != tmpl || meta.Issuer != c.Config.Issuer || meta.Raw()["issuer"] != tmpl {
			t.Errorf("%s: issuer %q, template %q; want %q and %q", alias, meta.Issuer, meta.IssuerTemplate, c.Config.Issuer, tmpl)
		}
		if got := c.ExpectedIssuer(); got != tmpl {
			t.Errorf("%s: ExpectedIssuer %q, want the template %q", alias, got, tmpl)
		}
	}
	// A tenant's own endpoint names its own issuer, compared as ever.
	c := newTestClient(t, ClientConfig{Issuer: srv.URL + "/" + homeTenant + "/v2.0"})
	if got := c.ExpectedIssuer(); got != c.Config.Issuer {
		t.Errorf("ExpectedIssuer before discovery %q, want the configured one", got)
	}
	meta, err := c.Discover(context.Background())
	if err != nil || meta.Issuer != srv.URL+"/"+homeTenant+"/v2.0" || meta.IssuerTemplate != "" {
		t.Fatalf("tenant endpoint: %v, %+v", err, meta)
	}
	if got := c.ExpectedIssuer(); got != meta.Issuer {
		t.Errorf("ExpectedIssuer %q, want %q", got, meta.Issuer)
	}
}

func TestMultiTenantDiscoveryMismatchStillFails(t *testing.T) {
	srv := newEntraLike(t)
	cases := []struct{ name, tenant, issuer, want string }{
		{"template on another host", "common", "https://login.example.net/{tenantid}/v2.0", "multi-tenant issuer template"},
		{"template with another path", "common", srv.URL + "/{tenantid}/v2.1", "multi-tenant issuer template"},
		{"template needing two segments", "common", srv.URL + "/{tenantid}/common/v2.0", "multi-tenant issuer template"},
		{"template with the placeholder twice", "common", srv.URL + "/{tenantid}/{tenantid}/v2.0", "names the issuer"},
		{"a plain issuer of another tenant", "common", srv.URL + "/" + otherTenant + "/v2.0", "names the issuer"},
		{"a tenant's document naming a template", homeTenant, srv.URL + "/{tenantid}/v2.1", "multi-tenant issuer template"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.issuerFor = map[string]string{tc.tenant: tc.issuer}
			c := newTestClient(t, ClientConfig{Issuer: srv.URL + "/" + tc.tenant + "/v2.0"})
			_, err := c.Discover(context.Background())
			if errorKind(err) != KindIssuerMismatch || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want discovery_issuer_mismatch mentioning %q", err, tc.want)
			}
		})
	}
}

// errorKind is an error's Kind, empty when it is nil or has none.
func errorKind(err error) Kind {
	if err == nil {
		return ""
	}
	kind, _ := errKindDetail(err, "")
	return kind
}

func TestMultiTenantIDTokenIss(t *testing.T) {
	srv := newEntraLike(t)
	ctx := context.Background()
	// As the Entra preset configures it: the issuer of the common tenant and a JWKS URL, so the
	// JWKS needs no discovery; the expected issuer still comes from discovery.
	c := newTestClient(t, ClientConfig{
		Issuer: srv.URL + "/common/v2.0", ClientID: testClient,
		Endpoints: Endpoints{JWKS: srv.URL + "/common/discovery/v2.0/keys"},
	})

	r := c.ValidateIDToken(ctx, rs256(t, entraClaims(srv.URL, homeTenant, homeTenant)), Expect{})
	if !r.OK() || !r.SignatureVerified() {
		t.Fatalf("a token of the home tenant: %+v", r.Checks)
	}
	iss := mustCheck(t, r, "iss")
	want := `iss "` + srv.URL + "/" + homeTenant + `/v2.0" matches the multi-tenant issuer template "` + srv.URL + `/{tenantid}/v2.0" with tid "` + homeTenant + `"`
	if iss.Status != CheckPass || iss.Detail != want {
		t.Errorf("iss = %+v\nwant detail %s", iss, want)
	}

	fails := []struct {
		name   string
		claims map[string]any
		want   string
	}{
		{"iss and tid of different tenants", entraClaims(srv.URL, homeTenant, otherTenant), "gives \"" + srv.URL + "/" + otherTenant + "/v2.0\": the token's iss and its tenant do not agree"},
		{"no tid", entraClaims(srv.URL, homeTenant, ""), "the token has no tid claim"},
		{"tid not a string", func() map[string]any {
			c := entraClaims(srv.URL, homeTenant, "")
			c["tid"] = 42
			return c
		}(), "tid is a number, not a string"},
		{"tid breaking out of its segment", entraClaims(srv.URL, homeTenant+"/v2.0/x", homeTenant+"/v2.0/x"), "cannot name a tenant"},
		{"iss is the template itself", entraClaims(srv.URL, "{tenantid}", homeTenant), "do not agree"},
		{"iss of the alias", entraClaims(srv.URL, "common", homeTenant), "do not agree"},
	}
	for _, tc := range fails {
		t.Run(tc.name, func(t *testing.T) {
			r := c.ValidateIDToken(ctx, rs256(t, tc.claims), Expect{})
			iss := mustCheck(t, r, "iss")
			if iss.Status != CheckFail || iss.Kind != KindIssMismatch || !strings.Contains(iss.Detail, tc.want) {
				t.Errorf("iss = %+v, want a failure saying %q", iss, tc.want)
			}
			if sig := mustCheck(t, r, "signature"); sig.Status != CheckPass {
				t.Errorf("the signature is still checked: %+v", sig)
			}
		})
	}
}

// A template given as the expected issuer (tokenbench jwt --issuer) is used the same way, with no
// discovery.
func TestVerifyIssuerTemplateGivenDirectly(t *testing.T) {
	const tmpl = "https://login.microsoftonline.com/{tenantid}/v2.0"
	exp := goodExpect()
	exp.Issuer = tmpl
	claims := goodClaims()
	claims["iss"] = "https://login.microsoftonline.com/" + homeTenant + "/v2.0"
	claims["tid"] = homeTenant
	r := verifyTest(t, rs256(t, claims), NewStaticKeys(testJWKS()), exp)
	if iss := mustCheck(t, r, "iss"); iss.Status != CheckPass || !strings.Contains(iss.Detail, "with tid \""+homeTenant+"\"") {
		t.Errorf("iss = %+v", iss)
	}
	// A concrete expected issuer is compared exactly, tid or not.
	exp.Issuer = "https://login.microsoftonline.com/common/v2.0"
	r = verifyTest(t, rs256(t, claims), NewStaticKeys(testJWKS()), exp)
	if iss := mustCheck(t, r, "iss"); iss.Status != CheckFail {
		t.Errorf("iss against the alias issuer = %+v", iss)
	}
}

func TestMatchIssuerTemplate(t *testing.T) {
	const tmpl = "https://login.microsoftonline.com/{tenantid}/v2.0"
	cases := []struct {
		issuer, tenant string
		ok             bool
	}{
		{"https://login.microsoftonline.com/common/v2.0", "common", true},
		{"https://login.microsoftonline.com/organizations/v2.0/", "organizations", true},
		{"https://login.microsoftonline.com/" + homeTenant + "/v2.0", homeTenant, true},
		{"https://login.microsoftonline.com//v2.0", "", false},
		{"https://login.microsoftonline.com/a/b/v2.0", "", false},
		{"https://login.microsoftonline.com/common/v2.0?x=1", "", false},
		{"https://login.microsoftonline.com.evil.example/common/v2.0", "", false},
		{"https://login.microsoftonline.com/common/v2", "", false},
		{"https://login.microsoftonline.com/v2.0", "", false},
		{"https://login.microsoftonline.com/com mon/v2.0", "", false},
	}
	for _, tc := range cases {
		tenant, ok := matchIssuerTemplate(tmpl, tc.issuer)
		if ok != tc.ok || tenant != tc.tenant {
			t.Errorf("matchIssuerTemplate(%q) = %q, %v; want %q, %v", tc.issuer, tenant, ok, tc.tenant, tc.ok)
		}
	}
	if _, ok := matchIssuerTemplate("https://login.microsoftonline.com/common/v2.0", "https://login.microsoftonline.com/common/v2.0"); ok {
		t.Error("a plain issuer is not a template")
	}
}
