package flows_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// vdTokens holds what a token response carried.
type vdTokens struct {
	idToken, accessToken string
	date                 time.Time
	received             time.Time
}

// vdPasswordTokens gets an id_token straight from the token endpoint with the password grant, so
// that these tests need no browser step.
func vdPasswordTokens(t *testing.T, p *demoidp.Provider) vdTokens {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {"demo"}, "password": {"demo"}, "scope": {"openid profile"}}
	req, err := http.NewRequest(http.MethodPost, p.Issuer()+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-basic", "demo-basic-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		IDToken     string `json:"id_token"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.IDToken == "" {
		t.Fatalf("token endpoint: HTTP %d, %+v, %v", resp.StatusCode, body, err)
	}
	date, _ := http.ParseTime(resp.Header.Get("Date"))
	return vdTokens{idToken: body.IDToken, accessToken: body.AccessToken, date: date, received: time.Now()}
}

func vdClient(t *testing.T, p *demoidp.Provider) *flows.Client {
	t.Helper()
	c, err := flows.NewClient(flows.ClientConfig{Issuer: p.Issuer(), ClientID: "demo-basic", ClientSecret: "demo-basic-secret"}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func vdValidate(t *testing.T, c *flows.Client, tok vdTokens) flows.Report {
	t.Helper()
	return c.ValidateIDToken(context.Background(), tok.idToken, flows.Expect{AccessToken: tok.accessToken, ServerDate: tok.date, ReceivedAt: tok.received})
}

// vdJWKSFetches counts the JWKS exchanges in the client's trace.
func vdJWKSFetches(c *flows.Client) int {
	n := 0
	for _, x := range c.Trace.Exchanges() {
		if x.Step == "jwks" {
			n++
		}
	}
	return n
}

func TestDemoIDTokenValidates(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	c := vdClient(t, p)
	r := vdValidate(t, c, vdPasswordTokens(t, p))
	if !r.OK() {
		t.Fatalf("a good demo id_token failed: %+v", r.Failed())
	}
	for _, name := range []string{"signature", "iss", "aud", "azp", "exp", "iat", "at_hash", "alg", "clock_skew"} {
		c, ok := r.Find(name)
		if !ok || c.Status != flows.CheckPass {
			t.Errorf("%s = %+v, want pass", name, c)
		}
	}
}

func TestDemoFaultsCaught(t *testing.T) {
	cases := []struct {
		fault string
		check string
		kind  flows.Kind
	}{
		{"bad-signature", "signature", flows.KindSignatureInvalid},
		{"unknown-kid", "signature", flows.KindUnknownKID},
		{"alg-none", "alg", flows.KindAlgNone},
		{"expired-id-token", "exp", flows.KindTokenExpired},
		{"wrong-iss", "iss", flows.KindIssMismatch},
		{"clock-skew=5m", "clock_skew", flows.KindClockSkew},
		{"clock-skew=5m", "iat", flows.KindIssuedInFuture},
	}
	for _, tc := range cases {
		t.Run(tc.fault+"/"+tc.check, func(t *testing.T) {
			p := demoidptest.StartWith(t, demoidp.Options{})
			c := vdClient(t, p)
			// A good token first, so the JWKS is cached and an unknown kid has to refetch it.
			if r := vdValidate(t, c, vdPasswordTokens(t, p)); !r.OK() {
				t.Fatalf("good token failed: %+v", r.Failed())
			}
			demoidptest.SetFaults(t, p, tc.fault)
			r := vdValidate(t, c, vdPasswordTokens(t, p))
			got, ok := r.Find(tc.check)
			if !ok || got.Status != flows.CheckFail || got.Kind != tc.kind {
				t.Fatalf("%s = %+v, want a %s failure; all: %+v", tc.check, got, tc.kind, r.Checks)
			}
			if r.OK() {
				t.Error("report OK despite the fault")
			}
			if tc.fault == "unknown-kid" {
				if n := vdJWKSFetches(c); n != 2 {
					t.Errorf("%d JWKS fetches, want 2 (one refetch for the unknown kid)", n)
				}
				if !strings.Contains(got.Detail, "even after fetching the JWKS again") {
					t.Errorf("detail %q does not say the JWKS was refetched", got.Detail)
				}
			}
		})
	}
}

func TestDemoKeyRotationRefetchesJWKS(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	c := vdClient(t, p)
	if r := vdValidate(t, c, vdPasswordTokens(t, p)); !r.OK() {
		t.Fatalf("before rotation: %+v", r.Failed())
	}
	p.RotateKeys()
	r := vdValidate(t, c, vdPasswordTokens(t, p))
	if !r.OK() {
		t.Fatalf("after rotation: %+v", r.Failed())
	}
	sig, _ := r.Find("signature")
	if !strings.Contains(sig.Detail, "fetched again") {
		t.Errorf("signature detail %q does not say the JWKS was refetched", sig.Detail)
	}
	if n := vdJWKSFetches(c); n != 2 {
		t.Errorf("%d JWKS fetches, want 2", n)
	}
}
