package demoidp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestResponseTypeAndModeErrors(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	cases := []struct {
		name   string
		modify func(url.Values)
		code   string
		where  string // query or fragment: where the error goes
	}{
		{"unknown response_mode", func(v url.Values) { v.Set("response_mode", "web_message") }, "invalid_request", "query"},
		{"implicit without nonce", func(v url.Values) { v.Set("response_type", "id_token token"); v.Del("nonce") }, "invalid_request", "fragment"},
		{"implicit without openid", func(v url.Values) { v.Set("response_type", "id_token"); v.Set("scope", "profile") }, "invalid_scope", "fragment"},
		{"tokens in the query", func(v url.Values) { v.Set("response_type", "code id_token token"); v.Set("response_mode", "query") }, "invalid_request", "fragment"},
		{"unsupported response_type", func(v url.Values) { v.Set("response_type", "code none") }, "unsupported_response_type", "query"},
	}
	for _, tc := range cases {
		params := authParams(demoidptest.BasicID, "openid", "")
		tc.modify(params)
		loc := authorize(t, p, params)
		q := loc.Query()
		if tc.where == "fragment" {
			q, _ = url.ParseQuery(loc.EscapedFragment())
		}
		if q.Get("error") != tc.code || q.Get("state") != "st-123" || q.Get("iss") != p.Issuer() {
			t.Errorf("%s: %s, want error %s in the %s", tc.name, loc, tc.code, tc.where)
		}
	}
}

func TestHybridFragmentHashes(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	params := authParams(demoidptest.BasicID, "openid profile", "")
	params.Set("response_type", "id_token code token") // any order
	loc := authorize(t, p, params)
	if loc.RawQuery != "" {
		t.Fatalf("tokens in the query: %s", loc)
	}
	f, err := url.ParseQuery(loc.EscapedFragment())
	if err != nil {
		t.Fatal(err)
	}
	code, at := f.Get("code"), f.Get("access_token")
	_, claims := mustVerify(t, p, f.Get("id_token"))
	if code == "" || at == "" || claims["c_hash"] != atHash(code) || claims["at_hash"] != atHash(at) || claims["nonce"] != "n-456" || f.Get("token_type") != "Bearer" {
		t.Errorf("fragment %v, id_token claims %v", f, claims)
	}
	// The front-channel access token works at userinfo.
	req, _ := http.NewRequest(http.MethodGet, p.Issuer()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	if r := do(t, req); r.status != http.StatusOK {
		t.Errorf("userinfo: %d %s", r.status, r.body)
	}
}

func TestFormPostAndJARM(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	params := authParams(demoidptest.BasicID, "openid", "")
	params.Set("response_mode", "form_post.jwt")
	r := get(t, p.Issuer()+"/authorize?"+params.Encode())
	body := string(r.body)
	if r.status != http.StatusOK || !strings.Contains(body, `<form method="post" action="`+redirectURI+`">`) || !strings.Contains(body, `name="response"`) || !strings.Contains(body, "document.forms[0].submit()") {
		t.Fatalf("form_post.jwt answer %d:\n%s", r.status, body)
	}
	_, val, _ := strings.Cut(body, `name="response" value="`)
	jwt, _, _ := strings.Cut(val, `"`)
	hdr, claims := mustVerify(t, p, jwt)
	if hdr.KeyID == "" || claims["iss"] != p.Issuer() || claims["aud"] != demoidptest.BasicID || claims["state"] != "st-123" || claims["code"] == nil || claims["exp"] == nil {
		t.Errorf("JARM claims %v", claims)
	}
	m := wantOK(t, get(t, p.Issuer()+"/.well-known/openid-configuration"))
	if got := strs(m["authorization_signing_alg_values_supported"]); len(got) != 1 || got[0] != "RS256" {
		t.Errorf("authorization_signing_alg_values_supported = %v", got)
	}
}

func TestJARMBadSignatureFault(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	var f demoidp.Faults
	if err := f.Set("jarm-bad-signature"); err != nil {
		t.Fatal(err)
	}
	p.SetFaults(f)
	params := authParams(demoidptest.BasicID, "openid", "")
	params.Set("response_mode", "query.jwt")
	jwt := authorize(t, p, params).Query().Get("response")
	if _, _, err := verify(t, p, jwt); err == nil {
		t.Error("the jarm-bad-signature fault left the JARM response's signature valid")
	}
}
