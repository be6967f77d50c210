package flows

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestRedactAnyDepthAndCasing: secrets are masked whatever the media type says, at any depth of a
// JSON answer, in a URL's userinfo, and in error snippets.
func TestRedactAnyDepthAndCasing(t *testing.T) {
	x := Exchange{
		URL:            "https://client:pw-sekrit@idp.example/token?state=s",
		ResponseHeader: map[string][]string{"Content-Type": {"Application/X-WWW-Form-Urlencoded"}},
		ResponseBody:   []byte("access_token=at-sekrit&token_type=bearer"),
		RequestHeader:  map[string][]string{"Content-Type": {"application/json"}, "X-Api-Key": {"key-sekrit"}},
		RequestBody:    []byte(`{"outer":[{"authed_user":{"access_token":"nested-sekrit","Refresh-Token":"rt-sekrit","scope":"chat"}}],"code":400}`),
	}.Redact()
	all := x.URL + string(x.ResponseBody) + string(x.RequestBody) + strings.Join(x.RequestHeader["X-Api-Key"], "")
	for _, s := range []string{"pw-sekrit", "at-sekrit", "nested-sekrit", "rt-sekrit", "key-sekrit"} {
		if strings.Contains(all, s) {
			t.Errorf("%q survived redaction: %s", s, all)
		}
	}
	for _, keep := range []string{"client:", "token_type=bearer", `"scope":"chat"`, `"code":400`} {
		if !strings.Contains(all, keep) {
			t.Errorf("redaction lost %q: %s", keep, all)
		}
	}
	if got := snippet([]byte(`{"refresh_token":"rt-in-error-sekrit","token_type":"Bearer"}`)); strings.Contains(got, "rt-in-error-sekrit") {
		t.Errorf("an error snippet shows a refresh token: %s", got)
	}
	if got := redactURL("https://u:p-sekrit@exa mple/x?code=c-sekrit"); strings.Contains(got, "p-sekrit") || strings.Contains(got, "c-sekrit") {
		t.Errorf("an unparsable URL kept its secrets: %s", got)
	}
}

// FuzzRedact plants a secret value in a nested JSON answer (at the top for a code), a form body and
// a URL's userinfo and query, and checks that redaction hides it; and that redacting any body twice changes nothing more.
func FuzzRedact(f *testing.F) {
	f.Add("tok-1234567890", "access_token", "junk")
	f.Add("a&b=c", "Refresh_Token", `{"x":`)
	f.Add("eyJhbGciOi.x.y", "id_token", "code=1&")
	f.Add("c0de-1234567", "Code", `{"error":{"code":"invalid_grant"}}`)
	f.Fuzz(func(t *testing.T, secret, member, extra string) {
		if !isSecretName(member, false) {
			member = "access_token"
		}
		plant := func(secret string) (nested []byte, form, link string) {
			doc := map[string]any{"x": []any{map[string]any{"y": map[string]any{member: secret}}}, "e": extra}
			if codeParams[normaliseName(member)] {
				doc = map[string]any{member: secret, "e": extra} // an authorization code is a top-level member
			}
			nested, _ = json.Marshal(doc)
			form = "e=" + url.QueryEscape(extra) + "&" + url.QueryEscape(member) + "=" + url.QueryEscape(secret)
			return nested, form, "https://u:" + url.PathEscape(secret) + "@idp.example/cb?" + form
		}
		nested, form, link := plant(secret)
		// Only a value that cannot be found in the text around it, as encoded there (extra "\x00"
		// becomes \u0000 in JSON), proves anything.
		around, aroundForm, aroundLink := plant("")
		if distinctive(secret) && !strings.Contains(string(around)+aroundForm+aroundLink, secret) {
			for _, out := range []string{string(redactBody(nested, "application/json")), string(redactBody([]byte(form), "application/x-www-form-urlencoded")), redactURL(link)} {
				if strings.Contains(out, secret) {
					t.Fatalf("secret %q survived: %s", secret, out)
				}
			}
		}
		for _, body := range [][]byte{nested, []byte(form), []byte(extra)} {
			once := redactBody(body, "")
			if twice := redactBody(once, ""); string(twice) != string(once) {
				t.Fatalf("redacting twice changed %q: %q then %q", body, once, twice)
			}
		}
	})
}

// distinctive reports whether s is long enough and plain enough (no character any encoding
// changes) to be searched for in the output.
func distinctive(s string) bool {
	if len(s) < 6 || strings.Contains(Redacted, s) {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// TestRedactKeepsNestedErrorCodes: a "code" is an authorization code at the top of a form, query or
// JSON object, and masked there; the code of an error object nested in a JSON answer, as Entra
// (Microsoft Graph) and Google APIs send them, is what a failure is read by and stays readable,
// while every other secret in such a body is still masked at any depth.
func TestRedactKeepsNestedErrorCodes(t *testing.T) {
	keeps := []struct{ name, body, want string }{
		{"Entra", `{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid.","innerError":{"code":"tokenExpired","date":"2026-12-07T18:00:00","request-id":"8d1f","client-request-id":"8d1f"}}}`,
			`"code":"InvalidAuthenticationToken"`},
		{"Entra inner error", `{"error":{"code":"InvalidAuthenticationToken","innerError":{"code":"tokenExpired"}}}`, `"code":"tokenExpired"`},
		{"Google", `{"error":{"code":401,"message":"Request had invalid authentication credentials.","errors":[{"message":"Invalid Credentials","domain":"global","reason":"authError"}],"status":"UNAUTHENTICATED"}}`,
			`"code":401`},
		{"Google, a string code in details", `{"error":{"status":"INVALID_ARGUMENT","details":[{"code":"invalid_grant","access_token":"at-sekrit"}]}}`,
			`"code":"invalid_grant"`},
		{"nested error", `{"error":{"code":"invalid_grant","refresh_token":"rt-sekrit"}}`, `"code":"invalid_grant"`},
	}
	for _, c := range keeps {
		t.Run(c.name, func(t *testing.T) {
			x := Exchange{ResponseHeader: map[string][]string{"Content-Type": {"application/json"}}, ResponseBody: []byte(c.body)}.Redact()
			got := string(x.ResponseBody)
			if !strings.Contains(got, c.want) {
				t.Errorf("redaction hid %s: %s", c.want, got)
			}
			if strings.Contains(got, "sekrit") {
				t.Errorf("a secret beside the error code survived: %s", got)
			}
		})
	}
	masked := Exchange{
		URL:            "http://127.0.0.1:5000/callback?code=qs-sekrit&state=s",
		RequestHeader:  map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}},
		RequestBody:    []byte("grant_type=authorization_code&code=form-sekrit"),
		ResponseHeader: map[string][]string{"Content-Type": {"application/json"}, "Location": {"https://app.example/cb#code=frag-sekrit"}},
		ResponseBody:   []byte(`{"Code":"json-sekrit","state":"s","error":{"code":"kept"}}`),
	}.Redact()
	all := masked.URL + string(masked.RequestBody) + string(masked.ResponseBody) + masked.ResponseHeader.Get("Location")
	if strings.Contains(all, "sekrit") {
		t.Errorf("an authorization code survived: %s", all)
	}
	if !strings.Contains(all, `"code":"kept"`) {
		t.Errorf("the nested error code was hidden: %s", all)
	}
}
