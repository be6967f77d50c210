package profiles

import (
	"context"
	"net/url"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
)

// TestClientCarriesThePresetQuirks: a preset's userinfo_subject, logout_redirect_param,
// logout_id_token_hint and direct_authorize reach the
// client configuration where they differ from the standard names, and stay empty (the standard)
// where they do not.
func TestClientCarriesThePresetQuirks(t *testing.T) {
	for _, tc := range []struct {
		preset             string
		params             map[string]string
		subject, logoutKey string
		noHint, direct     bool
	}{
		{"oneaccess", map[string]string{"domain": "acme.huaweioneaccess.com"}, "id", "", false, false},
		{"bamboo", map[string]string{"domain": "acme.bccastle.com"}, "id", "", false, false},
		{"cognito", map[string]string{"region": "eu-west-1", "pool": "eu-west-1_AbCdEf123", "domain": "acme.auth.eu-west-1.amazoncognito.com"}, "", "logout_uri", true, false},
		{"okta", map[string]string{"domain": "acme.okta.com"}, "", "", false, false},
		{"blockid", map[string]string{"dns": "acme.1kosmos.net", "community": "default"}, "", "", false, true},
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
			if cfg.LogoutWithoutIDTokenHint != tc.noHint {
				t.Errorf("LogoutWithoutIDTokenHint %v, want %v", cfg.LogoutWithoutIDTokenHint, tc.noHint)
			}
			if cfg.DirectAuthorize != tc.direct {
				t.Errorf("DirectAuthorize %v, want %v", cfg.DirectAuthorize, tc.direct)
			}
		})
	}
}

// TestCognitoProfileLogoutURL builds the logout URL of a Cognito profile (the preset's end
// session endpoint; building it sends nothing): the redirect goes in logout_uri, as Cognito wants,
// not post_logout_redirect_uri, and no id_token_hint is sent, which Cognito's /logout does not take.
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
	raw, err := c.LogoutURL(context.Background(), "eyJhbGciOiJSUzI1NiJ9.e30.sig", "https://app.example/signed-out", "")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "acme.auth.eu-west-1.amazoncognito.com" || q.Get("logout_uri") != "https://app.example/signed-out" || q.Has("post_logout_redirect_uri") || q.Get("client_id") != "app" || q.Has("id_token_hint") {
		t.Errorf("logout URL %s: want logout_uri and client_id, no post_logout_redirect_uri, no id_token_hint", raw)
	}
}
