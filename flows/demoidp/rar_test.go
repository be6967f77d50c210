package demoidp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

const paymentDetails = `[{"type":"payment_initiation","actions":["initiate"],"locations":["https://bank.example.com/payments"],"instructedAmount":{"currency":"EUR","amount":"123.50"}}]`

// compactJSON re-encodes a JSON value, for comparing it with what came back.
func compactJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRARAndResourcesThroughAuthorize(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	verifier, challenge := newPKCE()
	params := authParams(demoidptest.BasicID, "openid", challenge)
	params.Set("authorization_details", paymentDetails)
	params["resource"] = []string{"https://api.example.com/", "https://payments.example.com/"}
	code := authorize(t, p, params).Query().Get("code")
	if code == "" {
		t.Fatal("no code")
	}
	tok := wantOK(t, exchange(t, p, code, verifier))
	var want any
	_ = json.Unmarshal([]byte(paymentDetails), &want)
	if compactJSON(t, tok["authorization_details"]) != compactJSON(t, want) {
		t.Errorf("token response authorization_details = %v, want %s", tok["authorization_details"], paymentDetails)
	}
	_, claims := mustVerify(t, p, tok["access_token"].(string))
	if got := strs(claims["aud"]); !slices.Equal(got, []string{"https://api.example.com/", "https://payments.example.com/"}) {
		t.Errorf("access token aud = %v, want both resources", claims["aud"])
	}
	if compactJSON(t, claims["authorization_details"]) != compactJSON(t, want) {
		t.Errorf("access token authorization_details = %v", claims["authorization_details"])
	}
	// The refresh keeps them.
	ref := wantOK(t, postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}))
	if _, c := mustVerify(t, p, ref["access_token"].(string)); len(strs(c["aud"])) != 2 || ref["authorization_details"] == nil {
		t.Errorf("refreshed: aud %v, authorization_details %v", c["aud"], ref["authorization_details"])
	}
}

func TestResourceNarrowedAtTokenEndpoint(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	verifier, challenge := newPKCE()
	params := authParams(demoidptest.BasicID, "openid", challenge)
	params["resource"] = []string{"https://api.example.com/", "https://payments.example.com/"}
	code := authorize(t, p, params).Query().Get("code")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "code_verifier": {verifier}, "resource": {"https://other.example.com/"}}
	m := wantError(t, postBasic(t, p.Issuer()+"/token", form), http.StatusBadRequest, "invalid_target")
	if !strings.Contains(m["error_description"].(string), "was not in the authorization request") {
		t.Errorf("error_description = %v", m["error_description"])
	}
	form.Set("resource", "https://payments.example.com/")
	tok := wantOK(t, postBasic(t, p.Issuer()+"/token", form))
	if _, claims := mustVerify(t, p, tok["access_token"].(string)); claims["aud"] != "https://payments.example.com/" {
		t.Errorf("narrowed aud = %v", claims["aud"])
	}
}

func TestRARClientCredentials(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	form := url.Values{"grant_type": {"client_credentials"}, "authorization_details": {paymentDetails}, "resource": {"https://api.example.com/"}}
	tok := wantOK(t, postBasic(t, p.Issuer()+"/token", form))
	if tok["authorization_details"] == nil {
		t.Fatalf("no authorization_details in %v", tok)
	}
	_, claims := mustVerify(t, p, tok["access_token"].(string))
	if claims["aud"] != "https://api.example.com/" || claims["authorization_details"] == nil {
		t.Errorf("access token claims = %v", claims)
	}
	// Without either, the aud is the issuer.
	tok = wantOK(t, postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"client_credentials"}}))
	if _, claims := mustVerify(t, p, tok["access_token"].(string)); claims["aud"] != p.Issuer() || tok["authorization_details"] != nil {
		t.Errorf("plain client_credentials: aud %v, authorization_details %v", claims["aud"], tok["authorization_details"])
	}
}

func TestRARAndResourceErrors(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	for name, tc := range map[string]struct {
		form       url.Values
		code, says string
	}{
		"details not an array":  {url.Values{"authorization_details": {`{"type":"payment_initiation"}`}}, "invalid_authorization_details", "must be a JSON array"},
		"details not JSON":      {url.Values{"authorization_details": {`[{"type":`}}, "invalid_authorization_details", "must be a JSON array"},
		"details without type":  {url.Values{"authorization_details": {`[{"actions":["read"]}]`}}, "invalid_authorization_details", "authorization_details[0] has no type"},
		"details unknown type":  {url.Values{"authorization_details": {`[{"type":"payment_initiation"},{"type":"pizza_order"}]`}}, "invalid_authorization_details", `authorization_details[1] has the unknown type "pizza_order"`},
		"details bad actions":   {url.Values{"authorization_details": {`[{"type":"account_information","actions":"read"}]`}}, "invalid_authorization_details", "actions must be an array of strings"},
		"details empty array":   {url.Values{"authorization_details": {`[]`}}, "invalid_authorization_details", "empty array"},
		"resource fragment":     {url.Values{"resource": {"https://api.example.com/#frag"}}, "invalid_target", "has a fragment"},
		"resource not absolute": {url.Values{"resource": {"/api"}}, "invalid_target", "not an absolute URI"},
	} {
		t.Run(name, func(t *testing.T) {
			tc.form.Set("grant_type", "client_credentials")
			m := wantError(t, postBasic(t, p.Issuer()+"/token", tc.form), http.StatusBadRequest, tc.code)
			if !strings.Contains(m["error_description"].(string), tc.says) {
				t.Errorf("error_description = %q, want it to say %q", m["error_description"], tc.says)
			}
		})
	}
	// At the authorization endpoint, the error goes back to the client.
	_, challenge := newPKCE()
	params := authParams(demoidptest.BasicID, "openid", challenge)
	params.Set("authorization_details", `[{"type":"pizza_order"}]`)
	q := authorize(t, p, params).Query()
	if q.Get("error") != "invalid_authorization_details" || !strings.Contains(q.Get("error_description"), "pizza_order") {
		t.Errorf("authorize with an unknown type: %v", q)
	}
	params = authParams(demoidptest.BasicID, "openid", challenge)
	params.Set("resource", "https://api.example.com/#x")
	if q := authorize(t, p, params).Query(); q.Get("error") != "invalid_target" {
		t.Errorf("authorize with a fragment in resource: %v", q)
	}
	m := wantOK(t, get(t, p.Issuer()+"/.well-known/openid-configuration"))
	if !slices.Contains(strs(m["authorization_details_types_supported"]), "payment_initiation") {
		t.Errorf("authorization_details_types_supported = %v", m["authorization_details_types_supported"])
	}
}
