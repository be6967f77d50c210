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

// FuzzRedact plants a secret value in a nested JSON answer, a form body and a URL's userinfo and
// query, and checks that redaction hides it; and that redacting any body twice changes nothing more.
func FuzzRedact(f *testing.F) {
	f.Add("tok-1234567890", "access_token", "junk")
	f.Add("a&b=c", "Refresh_Token", `{"x":`)
	f.Add("eyJhbGciOi.x.y", "id_token", "code=1&")
	f.Fuzz(func(t *testing.T, secret, member, extra string) {
		if !isSecretName(member, false) {
			member = "access_token"
		}
		plant := func(secret string) (nested []byte, form, link string) {
			nested, _ = json.Marshal(map[string]any{"x": []any{map[string]any{"y": map[string]any{member: secret}}}, "e": extra})
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
