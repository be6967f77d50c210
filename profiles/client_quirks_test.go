package profiles

import (
	"context"
	"net/url"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
)

// TestClientCarriesThePresetQuirks: a preset's userinfo_subject and logout_redirect_param reach the
// client configuration where they differ from the standard names, and stay empty (the standard)
// where they do not.
func TestClientCarriesThePresetQuirks(t *testing.T) {
	for _, tc := range []struct {
		preset             string
		params             map[string]string
		subject, logoutKey string
	}{
		{"oneaccess", map[string]string{"domain": "acme.huaweioneaccess.com"}, "id", ""},
		{"bamboo", map[string]string{"domain": "acme.bccastle.com"}, "id", ""},
		{"cognito", map[string]string{"region": "eu-west-1", "pool": "eu-west-1_AbCdEf123", "domain": "acme.auth.eu-west-1.amazoncognito.com"}, "", "logout_uri"},
		{"okta", map[string]string{"domain": "acme.okta.com"}, "", ""},
	} {
		t.Run(tc.preset, func(t *testing.T) {
			p := Profile{Name: "q", Preset: tc.preset, Params: tc.params, ClientID: "app", AuthMethod: flows.AuthNone}
			cfg, _, err := p.Client(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.UserInfoSubjectClaim != tc.subject || cfg.LogoutRedirectParam != tc.logoutKey {
				t.Errorf("UserInfoSubjectClaim %q, LogoutRedirectParam %q; want %q, %q", cfg.UserInfoSubjectClaim, cfg.LogoutRedirectParam, tc.subject, tc.logoutKey)
			}
		})
	}
}

// TestCognitoProfileLogoutURL builds the logout URL of a Cognito profile (the preset's end
// session endpoint; building it sends nothing): the redirect goes in logout_uri, as Cognito wants,
// not post_logout_redirect_uri.
func TestCognitoProfileLogoutURL(t *testing.T) {
	p := Profile{
		Name: "cog", Preset: "cognito", ClientID: "app", AuthMethod: flows.AuthNone,
		Params: map[string]string{"region": "eu-west-1", "pool": "eu-west-1_AbCdEf123", "domain": "acme.auth.eu-west-1.amazoncognito.com"},
	}
	cfg, opts, err := p.Client(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := flows.NewClient(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.LogoutURL(context.Background(), "", "https://app.example/signed-out", "")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "acme.auth.eu-west-1.amazoncognito.com" || q.Get("logout_uri") != "https://app.example/signed-out" || q.Has("post_logout_redirect_uri") || q.Get("client_id") != "app" {
		t.Errorf("logout URL %s: want logout_uri and client_id, no post_logout_redirect_uri", raw)
	}
}
