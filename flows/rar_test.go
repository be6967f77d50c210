package flows_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

const accountDetails = `[
  {"type": "account_information", "actions": ["list_accounts", "read_balances"], "locations": ["https://example.com/accounts"]}
]`

func TestParseAuthorizationDetails(t *testing.T) {
	got, err := flows.ParseAuthorizationDetails([]byte(accountDetails))
	if err != nil || got != `[{"type":"account_information","actions":["list_accounts","read_balances"],"locations":["https://example.com/accounts"]}]` {
		t.Fatalf("got %s, %v", got, err)
	}
	for in, want := range map[string]string{
		`{"type":"account_information"}`:         "is a JSON object; RFC 9396 §2 wants an array",
		`[{"type":"a"}, "b"]`:                    "authorization_details[1] is a JSON string, not an object",
		`[{"actions":["read"]}]`:                 "authorization_details[0] has no type",
		`[{"type":""}]`:                          "authorization_details[0] has no type",
		`[{"type":"a","locations":"https://x"}]`: "locations must be an array of strings",
		`[{"type":"a","identifier":3}]`:          "identifier must be a string",
		`[]`:                                     "empty array",
		``:                                       "is empty",
		`[{"type":`:                              "is not JSON",
	} {
		if _, err := flows.ParseAuthorizationDetails([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want it to say %q", in, err, want)
		}
	}
}

func TestResourceProblem(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.example.com/":      "",
		"urn:example:api":               "",
		"https://api.example.com/#frag": "has a fragment",
		"https://api.example.com/#":     "has a fragment",
		"/relative":                     "not an absolute URI",
	} {
		if got := flows.ResourceProblem(in); (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

// accessClaims decodes a JWT access token's claims.
func accessClaims(t *testing.T, tok *flows.Token) map[string]any {
	t.Helper()
	j, err := flows.DecodeJWT(tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	return j.Claims
}

// sameJSON reports whether a decoded value and a JSON text are the same JSON.
func sameJSON(v any, text string) bool {
	a, _ := json.Marshal(v)
	var w any
	_ = json.Unmarshal([]byte(text), &w)
	b, _ := json.Marshal(w)
	return v != nil && string(a) == string(b)
}

func audList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			s, _ := x.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

func TestRARAndResourcesOnAuthorize(t *testing.T) {
	details, err := flows.ParseAuthorizationDetails([]byte(accountDetails))
	if err != nil {
		t.Fatal(err)
	}
	resources := []string{"https://api.example.com/", "https://accounts.example.com/"}
	for _, par := range []bool{false, true} {
		p := demoidptest.Start(t)
		c := demoClient(t, p, "demo-basic")
		c.Config.PAR = par
		c.Config.AuthParams = url.Values{"authorization_details": {details}, "resource": resources}
		c.Config.TokenParams = url.Values{"resource": resources}
		req, tok, err := codeFlow(t, c)
		if err != nil {
			t.Fatalf("par=%v: %v", par, err)
		}
		if par && (req.PAR == nil || req.PAR.Pushed.Get("authorization_details") != details || len(req.PAR.Pushed["resource"]) != 2) {
			t.Errorf("pushed: %+v", req.PAR)
		}
		if !par && (req.Params.Get("authorization_details") != details || len(req.Params["resource"]) != 2) {
			t.Errorf("authorization request params: %v", req.Params)
		}
		if !sameJSON(tok.AuthorizationDetails(), details) {
			t.Errorf("par=%v: token response authorization_details = %v, want %s", par, tok.AuthorizationDetails(), details)
		}
		claims := accessClaims(t, tok)
		if got := audList(claims["aud"]); !slices.Equal(got, resources) {
			t.Errorf("par=%v: access token aud = %v, want %v", par, got, resources)
		}
		if claims["authorization_details"] == nil {
			t.Errorf("par=%v: access token has no authorization_details", par)
		}
	}
}

func TestRARClientCredentialsAndResourceErrors(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	c.Config.Scopes = nil
	details, _ := flows.ParseAuthorizationDetails([]byte(accountDetails))
	c.Config.TokenParams = url.Values{"authorization_details": {details}, "resource": {"https://api.example.com/"}}
	ctx := context.Background()
	tok, err := c.ClientCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(tok.AuthorizationDetails(), details) {
		t.Errorf("authorization_details = %v", tok.AuthorizationDetails())
	}
	if aud := accessClaims(t, tok)["aud"]; aud != "https://api.example.com/" {
		t.Errorf("aud = %v", aud)
	}

	c.Config.TokenParams = url.Values{"resource": {"https://api.example.com/#section"}}
	_, err = c.ClientCredentials(ctx)
	if oauthCode(err) != "invalid_target" || !strings.Contains(err.Error(), "fragment") {
		t.Fatalf("resource with a fragment: %v", err)
	}
	c.Config.TokenParams = url.Values{"authorization_details": {`[{"type":"pizza_order"}]`}}
	if _, err := c.ClientCredentials(ctx); oauthCode(err) != "invalid_authorization_details" || !strings.Contains(err.Error(), `unknown type "pizza_order"`) {
		t.Fatalf("unknown type: %v", err)
	}
	c.Config.TokenParams = url.Values{"authorization_details": {`{"type":"account_information"}`}}
	if _, err := c.ClientCredentials(ctx); oauthCode(err) != "invalid_authorization_details" || !strings.Contains(err.Error(), "JSON array") {
		t.Fatalf("not an array: %v", err)
	}

	// Unknown type at the authorization endpoint: the error comes back in the callback.
	c2 := demoClient(t, p, "demo-basic")
	c2.Config.AuthParams = url.Values{"authorization_details": {`[{"type":"pizza_order"}]`}}
	if _, _, err := authorize(t, c2); oauthCode(err) != "invalid_authorization_details" {
		t.Fatalf("authorize with an unknown type: %v", err)
	}
}
