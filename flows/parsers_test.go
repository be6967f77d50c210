package flows

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func TestParseTokenResponseLenient(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		header http.Header
		body   string
		check  func(*testing.T, *Token)
	}{
		{"expires_in as string", jsonHeader(), `{"access_token":"a","token_type":"bearer","expires_in":"3600"}`, func(t *testing.T, tok *Token) {
			if tok.ExpiresIn != 3600 || !tok.Expiry.Equal(now.Add(time.Hour)) || !tok.IsBearer() {
				t.Fatalf("%+v", tok)
			}
		}},
		{"unknown members kept", jsonHeader(), `{"access_token":"a","token_type":"Bearer","ext_expires_in":3599,"x":{"y":1}}`, func(t *testing.T, tok *Token) {
			if tok.Members["ext_expires_in"] == nil || tok.Members["x"] == nil {
				t.Fatalf("%+v", tok.Members)
			}
		}},
		{"form encoded", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, `access_token=a&token_type=bearer&scope=repo`, func(t *testing.T, tok *Token) {
			if tok.AccessToken != "a" || tok.Scope != "repo" {
				t.Fatalf("%+v", tok)
			}
			if j := string(tok.JSON()); j != `{"access_token":"a","scope":"repo","token_type":"bearer"}` {
				t.Errorf("JSON() = %s", j)
			}
			if len(tok.Notes) != 1 || !strings.Contains(tok.Notes[0], "form-encoded") {
				t.Errorf("notes %q", tok.Notes)
			}
		}},
		{"byte-order mark", jsonHeader(), "\ufeff" + `{"access_token":"a","token_type":"Bearer"}`, func(t *testing.T, tok *Token) {
			if tok.AccessToken != "a" || len(tok.Notes) != 1 || !strings.Contains(tok.Notes[0], "byte-order mark") {
				t.Fatalf("%+v", tok)
			}
			if j := string(tok.JSON()); j != `{"access_token":"a","token_type":"Bearer"}` {
				t.Errorf("JSON() = %q", j)
			}
		}},
		{"numbers keep precision", jsonHeader(), `{"access_token":"a","n":12345678901234567890}`, func(t *testing.T, tok *Token) {
			if s := tok.Members["n"].(interface{ String() string }).String(); s != "12345678901234567890" {
				t.Fatal(s)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := ParseTokenResponse(200, tc.header, []byte(tc.body), now)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, tok)
		})
	}
}

func TestParseTokenResponseFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		header http.Header
		body   string
		kind   Kind
		code   string
	}{
		{"error on 200", 200, jsonHeader(), `{"error":"invalid_grant","error_description":"code used"}`, "", "invalid_grant"},
		{"error on 400", 400, jsonHeader(), `{"error":"invalid_client"}`, "", "invalid_client"},
		{"html page", 200, http.Header{"Content-Type": {"text/html"}}, `<html><title>Sign in</title></html>`, KindHTMLPage, ""},
		{"html without content type", 502, nil, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title>", KindHTMLPage, ""},
		{"not json", 200, jsonHeader(), `access denied`, KindNonJSON, ""},
		{"json array", 200, jsonHeader(), `[1,2]`, KindNonJSON, ""},
		{"status without error", 500, jsonHeader(), `{"message":"boom"}`, KindUnexpectedStatus, ""},
		{"no access token", 200, jsonHeader(), `{"token_type":"Bearer"}`, KindMissingAccessToken, ""},
		{"bad expires_in", 200, jsonHeader(), `{"access_token":"a","expires_in":"soon"}`, KindNonJSON, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTokenResponse(tc.status, tc.header, []byte(tc.body), time.Now())
			var oe *OAuthError
			var fe *Error
			switch {
			case tc.code != "":
				if !errors.As(err, &oe) || oe.Code != tc.code || oe.Status != tc.status {
					t.Fatalf("err = %v, want %s", err, tc.code)
				}
			case !errors.As(err, &fe) || fe.Kind != tc.kind:
				t.Fatalf("err = %v, want kind %s", err, tc.kind)
			}
		})
	}
	_, err := ParseTokenResponse(502, nil, []byte("<!DOCTYPE html><title>502 Bad Gateway</title>"), time.Now())
	if !strings.Contains(err.Error(), `"502 Bad Gateway"`) {
		t.Errorf("the HTML page's title should be named: %v", err)
	}
}

func TestParseCallback(t *testing.T) {
	for _, tc := range []struct {
		in        string
		code, st  string
		bare      bool
		wantError Kind
	}{
		{in: "http://127.0.0.1:8080/cb?code=abc&state=xyz&iss=https%3A%2F%2Fidp", code: "abc", st: "xyz"},
		{in: "  https://app.example.com/callback?code=abc&state=xyz \n", code: "abc", st: "xyz"},
		{in: "https://app.example.com/callback#code=abc&state=xyz", code: "abc", st: "xyz"},
		{in: "?code=abc&state=xyz", code: "abc", st: "xyz"},
		{in: "#code=abc&state=xyz", code: "abc", st: "xyz"},
		{in: "code=abc&state=xyz", code: "abc", st: "xyz"},
		{in: "SplxlOBeZQQYbYS6WxSbIA", code: "SplxlOBeZQQYbYS6WxSbIA", bare: true},
		{in: "https://app.example.com/callback?error=access_denied&state=xyz", st: "xyz"},
		{in: "", wantError: KindInvalidCallback},
		{in: "two words", wantError: KindInvalidCallback},
		{in: "https://app.example.com/callback?foo=bar", wantError: KindMissingCode},
		{in: "code=%zz", wantError: KindInvalidCallback},
	} {
		t.Run(tc.in, func(t *testing.T) {
			v, bare, err := ParseCallback(tc.in)
			var fe *Error
			if tc.wantError != "" {
				if !errors.As(err, &fe) || fe.Kind != tc.wantError {
					t.Fatalf("err = %v, want %s", err, tc.wantError)
				}
				return
			}
			if err != nil || v.Get("code") != tc.code || v.Get("state") != tc.st || bare != tc.bare {
				t.Fatalf("got %v bare=%v err=%v", v, bare, err)
			}
		})
	}
}

func TestParseMetadata(t *testing.T) {
	m, err := ParseMetadata([]byte(`{"issuer":"https://i","token_endpoint":"https://i/t","authorization_response_iss_parameter_supported":true,"x_vendor":1}`))
	if err != nil || m.Token != "https://i/t" || !m.IssParameterSupported || m.Raw()["x_vendor"] == nil {
		t.Fatalf("%+v %v", m, err)
	}
	if m, err := ParseMetadata([]byte("\ufeff" + `{"issuer":"https://i"}`)); err != nil || m.Issuer != "https://i" {
		t.Errorf("metadata after a byte-order mark: %+v %v", m, err)
	}
	for _, bad := range []string{`<html>`, `{}`, `{"issuer":1}`, `{"issuer":"x","scopes_supported":"openid"}`} {
		if _, err := ParseMetadata([]byte(bad)); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
	_, err = ParseMetadata([]byte(`{"issuer":"x","scopes_supported":"openid"}`))
	if !strings.Contains(err.Error(), "scopes_supported") {
		t.Errorf("the error should name the member: %v", err)
	}
}

func TestBasicAuthFormEncodesIDAndSecret(t *testing.T) {
	c := &Client{Config: ClientConfig{ClientID: "demo:special+id", ClientSecret: "se:cr/et+%&= x", AuthMethod: AuthClientSecretBasic}, Now: time.Now}
	h, err := c.authenticate(map[string][]string{}, "")
	if err != nil {
		t.Fatal(err)
	}
	req := http.Request{Header: h}
	user, pass, ok := req.BasicAuth()
	// RFC 6749 §2.3.1: application/x-www-form-urlencoded before Basic encoding.
	if !ok || user != "demo%3Aspecial%2Bid" || pass != "se%3Acr%2Fet%2B%25%26%3D+x" {
		t.Fatalf("user %q pass %q", user, pass)
	}
}

func FuzzParseCallback(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1/cb?code=a&state=b", "#code=a", "?error=x", "abc", "code=%zz", "https://h/cb?code=a#state=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, bare, err := ParseCallback(in)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if v.Get("code") == "" && v.Get("error") == "" {
			t.Fatalf("accepted %q without code or error", in)
		}
		if bare && len(v) != 1 {
			t.Fatalf("bare code with other parameters: %v", v)
		}
	})
}

func FuzzParseTokenResponse(f *testing.F) {
	for _, s := range []string{`{"access_token":"a","expires_in":"10"}`, `{"error":"x"}`, `<html>`, `access_token=a`, `[]`, `{"access_token":1,"expires_in":-1}`} {
		f.Add(200, s, "application/json")
	}
	f.Add(200, "access_token=a&error=b", "application/x-www-form-urlencoded")
	f.Fuzz(func(t *testing.T, status int, body, ctype string) {
		tok, err := ParseTokenResponse(status, http.Header{"Content-Type": {ctype}}, []byte(body), time.Now())
		if err == nil && tok.AccessToken == "" {
			t.Fatal("success without access_token")
		}
		if err != nil && tok != nil {
			t.Fatal("token returned with an error")
		}
		var oe *OAuthError
		var fe *Error
		if err != nil && !errors.As(err, &oe) && !errors.As(err, &fe) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func FuzzParseMetadata(f *testing.F) {
	for _, s := range []string{`{"issuer":"https://i","token_endpoint":"https://i/t"}`, `{}`, `<html>`, `{"issuer":"x","grant_types_supported":[1]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseMetadata(body)
		if err == nil && (m.Issuer == "" || m.Raw() == nil) {
			t.Fatalf("accepted metadata without issuer: %s", body)
		}
	})
}

func TestRedactURL(t *testing.T) {
	got := redactURL("http://127.0.0.1/cb?code=abc&state=x#access_token=tok&id_token=a.b.c&state=y")
	want := "http://127.0.0.1/cb?code=[redacted]&state=x#access_token=[redacted]&id_token=[redacted]&state=y"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// CIBA's user_code and login_hint_token are secrets the client sends; the device grant's
// user_code comes back to be shown.
func TestRedactUserCodes(t *testing.T) {
	x := Exchange{
		RequestHeader:  http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		RequestBody:    []byte("binding_message=W4SCT&login_hint_token=eyJhbGciOi.e30.sig&user_code=8137"),
		ResponseHeader: http.Header{"Content-Type": {"application/json"}},
		ResponseBody:   []byte(`{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT"}`),
	}.Redact()
	if got, want := string(x.RequestBody), "binding_message=W4SCT&login_hint_token=[redacted]&user_code=[redacted]"; got != want {
		t.Errorf("request body\n got  %s\n want %s", got, want)
	}
	if got := string(x.ResponseBody); !strings.Contains(got, `"user_code":"WDJB-MJHT"`) || !strings.Contains(got, `"device_code":"[redacted]"`) {
		t.Errorf("response body %s", got)
	}
}

func TestEndpointsByName(t *testing.T) {
	var e Endpoints
	for i, name := range EndpointNames() {
		if !e.Set(name, "https://idp.example.com/"+name) {
			t.Fatalf("Set(%q) refused", name)
		}
		if got := e.List()[i]; got.Name != name || got.URL != "https://idp.example.com/"+name {
			t.Fatalf("List()[%d] = %+v", i, got)
		}
	}
	if e.Set("nope", "x") {
		t.Fatal("an unknown name must be refused")
	}
	if e.EndSession != "https://idp.example.com/end_session" || e.JWKS != "https://idp.example.com/jwks" {
		t.Fatalf("fields %+v", e)
	}
	merged := Endpoints{Token: "mine"}.Merge(e)
	if merged.Token != "mine" || merged.Authorization != e.Authorization {
		t.Fatalf("merge kept %+v", merged)
	}
}
