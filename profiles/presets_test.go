package profiles

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

func TestPresetsLoadAllSorted(t *testing.T) {
	ps, err := Presets()
	if err != nil {
		t.Fatalf("Presets: %v", err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	want := []string{"auth0", "bamboo", "blockid", "cognito", "connect2id", "entra", "generic", "google", "keycloak", "okta", "oneaccess", "pingone"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("preset names = %v, want %v", names, want)
	}
	for _, p := range ps {
		if p.Title == "" || p.Description == "" || !strings.HasPrefix(p.Docs, "https://") {
			t.Errorf("%s: title %q, description %q, docs %q", p.Name, p.Title, p.Description, p.Docs)
		}
		if p.Quirks.UserInfoSubject == "" || p.Quirks.LogoutRedirectParam == "" {
			t.Errorf("%s: quirk defaults not applied: %+v", p.Name, p.Quirks)
		}
		if _, ok := flows.ParseAuthMethod(p.AuthMethod); !ok {
			t.Errorf("%s: auth method %q", p.Name, p.AuthMethod)
		}
	}
}

func TestLookupPreset(t *testing.T) {
	p, ok := LookupPreset(" Keycloak ")
	if !ok || p.Name != "keycloak" || p.Title != "Keycloak" {
		t.Fatalf("LookupPreset(Keycloak) = %q, %v", p.Name, ok)
	}
	for _, name := range []string{"nosuchvendor", "../presets/okta", "presets/okta", "okta.yaml", ""} {
		if _, ok := LookupPreset(name); ok {
			t.Fatalf("LookupPreset(%q) found something", name)
		}
	}
	// A preset parsed from its own file is the one parsed with all the others.
	all, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range all {
		if got, ok := LookupPreset(strings.ToUpper(want.Name)); !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("LookupPreset(%s) = %+v, %v; Presets has %+v", want.Name, got, ok, want)
		}
	}
	// The caller's copy is its own: changing it does not change the next lookup.
	p.Params[0].Name = "changed"
	p.Endpoints["token"] = "https://evil.example/token"
	p.Scopes[0] = "changed"
	again, _ := LookupPreset("keycloak")
	if again.Params[0].Name != "host" || again.Endpoints["token"] != "{issuer}/protocol/openid-connect/token" || again.Scopes[0] != "openid" {
		t.Fatalf("a caller changed the loaded preset: %+v", again)
	}
}

// endpoints is a shorthand for the expected endpoints of a table row.
type endpoints = flows.Endpoints

func TestPresetExpandVendorURLs(t *testing.T) {
	tests := []struct {
		preset    string
		params    map[string]string
		issuer    string
		discovery string
		endpoints endpoints
		method    flows.AuthMethod
		scopes    []string
	}{
		{
			preset:    "generic",
			params:    map[string]string{"issuer": "https://login.acme.com"},
			issuer:    "https://login.acme.com",
			discovery: "https://login.acme.com/.well-known/openid-configuration",
			method:    flows.AuthClientSecretBasic,
			scopes:    []string{"openid", "profile", "email"},
		},
		{
			preset: "blockid",
			params: map[string]string{"dns": "acme.1kosmos.net", "community": "default"},
			issuer: "https://acme.1kosmos.net/oauth2/community/default",
			endpoints: endpoints{
				Authorization: "https://acme.1kosmos.net/oauth2/community/default/v1/authorize",
				Token:         "https://acme.1kosmos.net/oauth2/community/default/v1/token",
			},
			method: flows.AuthClientSecretBasic,
			scopes: []string{"openid", "email", "profile"},
		},
		{
			preset:    "oneaccess",
			params:    map[string]string{"domain": "acme.huaweioneaccess.com"},
			issuer:    "https://acme.huaweioneaccess.com/api/v1/oauth2",
			discovery: "https://acme.huaweioneaccess.com/api/v1/oauth2/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization: "https://acme.huaweioneaccess.com/api/v1/oauth2/authorize",
				Token:         "https://acme.huaweioneaccess.com/api/v1/oauth2/token",
				UserInfo:      "https://acme.huaweioneaccess.com/api/v1/oauth2/userinfo",
			},
			method: flows.AuthClientSecretPost,
			scopes: []string{"openid"},
		},
		{
			preset:    "bamboo",
			params:    map[string]string{"domain": "acme.bccastle.com"},
			issuer:    "https://acme.bccastle.com/api/v1/oauth2",
			discovery: "https://acme.bccastle.com/api/v1/oauth2/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization: "https://acme.bccastle.com/api/v1/oauth2/authorize",
				Token:         "https://acme.bccastle.com/api/v1/oauth2/token",
				UserInfo:      "https://acme.bccastle.com/api/v1/oauth2/userinfo",
			},
			method: flows.AuthClientSecretBasic,
			scopes: []string{"openid"},
		},
		{
			preset:    "connect2id",
			params:    map[string]string{"issuer": "https://demo.c2id.com"},
			issuer:    "https://demo.c2id.com",
			discovery: "https://demo.c2id.com/.well-known/openid-configuration",
			endpoints: endpoints{
				Token:         "https://demo.c2id.com/token",
				UserInfo:      "https://demo.c2id.com/userinfo",
				Introspection: "https://demo.c2id.com/token/introspect",
				Revocation:    "https://demo.c2id.com/token/revoke",
				JWKS:          "https://demo.c2id.com/jwks.json",
			},
			method: flows.AuthClientSecretBasic,
			scopes: []string{"openid", "profile", "email"},
		},
		{
			preset:    "keycloak",
			params:    map[string]string{"host": "sso.acme.com", "realm": "acme"},
			issuer:    "https://sso.acme.com/realms/acme",
			discovery: "https://sso.acme.com/realms/acme/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization:       "https://sso.acme.com/realms/acme/protocol/openid-connect/auth",
				Token:               "https://sso.acme.com/realms/acme/protocol/openid-connect/token",
				UserInfo:            "https://sso.acme.com/realms/acme/protocol/openid-connect/userinfo",
				Introspection:       "https://sso.acme.com/realms/acme/protocol/openid-connect/token/introspect",
				Revocation:          "https://sso.acme.com/realms/acme/protocol/openid-connect/revoke",
				EndSession:          "https://sso.acme.com/realms/acme/protocol/openid-connect/logout",
				DeviceAuthorization: "https://sso.acme.com/realms/acme/protocol/openid-connect/auth/device",
				JWKS:                "https://sso.acme.com/realms/acme/protocol/openid-connect/certs",
			},
			method: flows.AuthClientSecretBasic,
			scopes: []string{"openid", "profile", "email"},
		},
		{
			preset:    "keycloak (default realm, host with port)",
			params:    map[string]string{"host": "localhost:8443"},
			issuer:    "https://localhost:8443/realms/master",
			discovery: "https://localhost:8443/realms/master/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization:       "https://localhost:8443/realms/master/protocol/openid-connect/auth",
				Token:               "https://localhost:8443/realms/master/protocol/openid-connect/token",
				UserInfo:            "https://localhost:8443/realms/master/protocol/openid-connect/userinfo",
				Introspection:       "https://localhost:8443/realms/master/protocol/openid-connect/token/introspect",
				Revocation:          "https://localhost:8443/realms/master/protocol/openid-connect/revoke",
				EndSession:          "https://localhost:8443/realms/master/protocol/openid-connect/logout",
				DeviceAuthorization: "https://localhost:8443/realms/master/protocol/openid-connect/auth/device",
				JWKS:                "https://localhost:8443/realms/master/protocol/openid-connect/certs",
			},
			method: flows.AuthClientSecretBasic,
			scopes: []string{"openid", "profile", "email"},
		},
		{
			preset:    "okta (default server)",
			params:    map[string]string{"domain": "acme.okta.com"},
			issuer:    "https://acme.okta.com/oauth2/default",
			discovery: "https://acme.okta.com/oauth2/default/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization:       "https://acme.okta.com/oauth2/default/v1/authorize",
				Token:               "https://acme.okta.com/oauth2/default/v1/token",
				UserInfo:            "https://acme.okta.com/oauth2/default/v1/userinfo",
				Introspection:       "https://acme.okta.com/oauth2/default/v1/introspect",
				Revocation:          "https://acme.okta.com/oauth2/default/v1/revoke",
				EndSession:          "https://acme.okta.com/oauth2/default/v1/logout",
				DeviceAuthorization: "https://acme.okta.com/oauth2/default/v1/device/authorize",
				JWKS:                "https://acme.okta.com/oauth2/default/v1/keys",
			},
			method: flows.AuthClientSecretBasic,
			scopes: []string{"openid", "profile", "email"},
		},
		{
			preset:    "okta",
			params:    map[string]string{"domain": "login.acme.com", "server": "aus1abcd2EFGH3ijk4l5"},
			issuer:    "https://login.acme.com/oauth2/aus1abcd2EFGH3ijk4l5",
			discovery: "https://login.acme.com/oauth2/aus1abcd2EFGH3ijk4l5/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization:       "https://login.acme.com/oauth2/aus1abcd2EFGH3ijk4l5/v1/authorize",
				Token:               "https://login.acme.com/oauth2/aus1abcd2EFGH3ijk4l5/v1/token",
				UserInfo:            "https://login.acme.com/oauth2/aus1abcd2EFGH3ijk4l5/v1/userinfo",
				Introspection:       "https://login.acme.com/oauth2/aus1abcd2EFGH3ijk4l5/v1/introspect",
				Revocation:          "https://login.acme.com/oauth2/aus1abcd2EFGH3ijk4l5/v1/revoke",
				EndSession:          "https://login.acme.com/oauth2/aus1abcd2EFGH3ijk4l5/v1/logout",
				DeviceAuthorization: "https://login.acme.com/oauth2/aus1abcd2EFGH3ijk4l5/v1/device/authorize",
				JWKS:                "https://login.acme.com/oauth2/aus1abcd2EFGH3ijk4l5/v1/keys",
			},
			method: flows.AuthClientSecretBasic,
			scopes: []string{"openid", "profile", "email"},
		},
		{
			preset:    "auth0",
			params:    map[string]string{"domain": "acme.eu.auth0.com"},
			issuer:    "https://acme.eu.auth0.com/",
			discovery: "https://acme.eu.auth0.com/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization:       "https://acme.eu.auth0.com/authorize",
				Token:               "https://acme.eu.auth0.com/oauth/token",
				UserInfo:            "https://acme.eu.auth0.com/userinfo",
				Revocation:          "https://acme.eu.auth0.com/oauth/revoke",
				EndSession:          "https://acme.eu.auth0.com/oidc/logout",
				DeviceAuthorization: "https://acme.eu.auth0.com/oauth/device/code",
				JWKS:                "https://acme.eu.auth0.com/.well-known/jwks.json",
			},
			method: flows.AuthClientSecretPost,
			scopes: []string{"openid", "profile", "email"},
		},
		{
			preset:    "entra (default tenant)",
			params:    nil,
			issuer:    "https://login.microsoftonline.com/common/v2.0",
			discovery: "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization:       "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
				Token:               "https://login.microsoftonline.com/common/oauth2/v2.0/token",
				UserInfo:            "https://graph.microsoft.com/oidc/userinfo",
				EndSession:          "https://login.microsoftonline.com/common/oauth2/v2.0/logout",
				DeviceAuthorization: "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode",
				JWKS:                "https://login.microsoftonline.com/common/discovery/v2.0/keys",
			},
			method: flows.AuthClientSecretPost,
			scopes: []string{"openid", "profile", "email", "offline_access"},
		},
		{
			preset:    "entra",
			params:    map[string]string{"tenant": "72f988bf-86f1-41af-91ab-2d7cd011db47"},
			issuer:    "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
			discovery: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization:       "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize",
				Token:               "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
				UserInfo:            "https://graph.microsoft.com/oidc/userinfo",
				EndSession:          "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/logout",
				DeviceAuthorization: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/devicecode",
				JWKS:                "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/discovery/v2.0/keys",
			},
			method: flows.AuthClientSecretPost,
			scopes: []string{"openid", "profile", "email", "offline_access"},
		},
		{
			preset:    "google",
			issuer:    "https://accounts.google.com",
			discovery: "https://accounts.google.com/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization:       "https://accounts.google.com/o/oauth2/v2/auth",
				Token:               "https://oauth2.googleapis.com/token",
				UserInfo:            "https://openidconnect.googleapis.com/v1/userinfo",
				Revocation:          "https://oauth2.googleapis.com/revoke",
				DeviceAuthorization: "https://oauth2.googleapis.com/device/code",
				JWKS:                "https://www.googleapis.com/oauth2/v3/certs",
			},
			method: flows.AuthClientSecretPost,
			scopes: []string{"openid", "email", "profile"},
		},
		{
			preset:    "cognito",
			params:    map[string]string{"region": "eu-west-1", "pool": "eu-west-1_AbCdEf123", "domain": "acme.auth.eu-west-1.amazoncognito.com"},
			issuer:    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
			discovery: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization: "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/authorize",
				Token:         "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token",
				UserInfo:      "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/userInfo",
				Revocation:    "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/revoke",
				EndSession:    "https://acme.auth.eu-west-1.amazoncognito.com/logout",
				JWKS:          "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json",
			},
			method: flows.AuthClientSecretBasic,
			scopes: []string{"openid", "email", "profile"},
		},
		{
			preset:    "pingone",
			params:    map[string]string{"region": "eu", "env": "9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41"},
			issuer:    "https://auth.pingone.eu/9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41/as",
			discovery: "https://auth.pingone.eu/9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41/as/.well-known/openid-configuration",
			endpoints: endpoints{
				Authorization:       "https://auth.pingone.eu/9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41/as/authorize",
				Token:               "https://auth.pingone.eu/9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41/as/token",
				UserInfo:            "https://auth.pingone.eu/9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41/as/userinfo",
				Introspection:       "https://auth.pingone.eu/9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41/as/introspect",
				Revocation:          "https://auth.pingone.eu/9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41/as/revoke",
				EndSession:          "https://auth.pingone.eu/9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41/as/signoff",
				DeviceAuthorization: "https://auth.pingone.eu/9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41/as/device_authorization",
				JWKS:                "https://auth.pingone.eu/9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41/as/jwks",
			},
			method: flows.AuthClientSecretBasic,
			scopes: []string{"openid", "profile", "email"},
		},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			name, _, _ := strings.Cut(tt.preset, " ")
			covered[name] = true
			p, ok := LookupPreset(name)
			if !ok {
				t.Fatalf("no preset %q", name)
			}
			x, err := p.Expand(tt.params)
			if err != nil {
				t.Fatalf("Expand(%v): %v", tt.params, err)
			}
			if x.Issuer != tt.issuer {
				t.Errorf("issuer = %q, want %q", x.Issuer, tt.issuer)
			}
			if x.DiscoveryURL != tt.discovery {
				t.Errorf("discovery = %q, want %q", x.DiscoveryURL, tt.discovery)
			}
			if x.Endpoints != tt.endpoints {
				t.Errorf("endpoints:\n got %+v\nwant %+v", x.Endpoints, tt.endpoints)
			}
			if x.AuthMethod != tt.method {
				t.Errorf("auth method = %q, want %q", x.AuthMethod, tt.method)
			}
			if !reflect.DeepEqual(x.Scopes, tt.scopes) {
				t.Errorf("scopes = %v, want %v", x.Scopes, tt.scopes)
			}
		})
	}
	ps, _ := Presets()
	for _, p := range ps {
		if !covered[p.Name] {
			t.Errorf("preset %s has no row in the table", p.Name)
		}
	}
}

func TestPresetQuirks(t *testing.T) {
	expand := func(t *testing.T, name string, params map[string]string) Expansion {
		t.Helper()
		p, ok := LookupPreset(name)
		if !ok {
			t.Fatalf("no preset %q", name)
		}
		x, err := p.Expand(params)
		if err != nil {
			t.Fatalf("%s.Expand(%v): %v", name, params, err)
		}
		return x
	}

	t.Run("blockid has no discovery and a direct authorize", func(t *testing.T) {
		x := expand(t, "blockid", map[string]string{"dns": "acme.1kosmos.net", "community": "default"})
		if !x.Quirks.NoDiscovery || !x.Quirks.DirectAuthorize || x.DiscoveryURL != "" {
			t.Errorf("quirks %+v, discovery %q", x.Quirks, x.DiscoveryURL)
		}
		for _, other := range []string{"keycloak", "okta", "oneaccess"} {
			p, _ := LookupPreset(other)
			if p.Quirks.NoDiscovery || p.Quirks.DirectAuthorize {
				t.Errorf("%s has BlockID's quirks: %+v", other, p.Quirks)
			}
		}
	})
	t.Run("oneaccess posts the secret, bamboo uses basic; both name the subject id and keep codes 5 minutes", func(t *testing.T) {
		oa := expand(t, "oneaccess", map[string]string{"domain": "acme.huaweioneaccess.com"})
		bb := expand(t, "bamboo", map[string]string{"domain": "acme.bccastle.com"})
		if oa.AuthMethod != flows.AuthClientSecretPost || bb.AuthMethod != flows.AuthClientSecretBasic {
			t.Errorf("oneaccess %q, bamboo %q", oa.AuthMethod, bb.AuthMethod)
		}
		for _, x := range []Expansion{oa, bb} {
			if x.Quirks.UserInfoSubject != "id" || x.Quirks.CodeLifetime != 5*time.Minute || x.Quirks.RefreshNeedsOptIn == "" {
				t.Errorf("%s quirks: %+v", x.Issuer, x.Quirks)
			}
		}
	})
	t.Run("defaults: sub and post_logout_redirect_uri", func(t *testing.T) {
		x := expand(t, "keycloak", map[string]string{"host": "sso.acme.com"})
		if x.Quirks.UserInfoSubject != "sub" || x.Quirks.LogoutRedirectParam != "post_logout_redirect_uri" || x.Quirks.CodeLifetime != 0 {
			t.Errorf("quirks %+v", x.Quirks)
		}
	})
	t.Run("cognito logs out with logout_uri", func(t *testing.T) {
		x := expand(t, "cognito", map[string]string{"region": "us-east-1", "pool": "us-east-1_Ab12", "domain": "auth.acme.com"})
		if x.Quirks.LogoutRedirectParam != "logout_uri" {
			t.Errorf("logout param %q", x.Quirks.LogoutRedirectParam)
		}
	})
	t.Run("google asks for offline access with consent", func(t *testing.T) {
		x := expand(t, "google", nil)
		want := url.Values{"access_type": {"offline"}, "prompt": {"consent"}}
		if !reflect.DeepEqual(x.AuthParams, want) {
			t.Errorf("auth params %v, want %v", x.AuthParams, want)
		}
		if !strings.Contains(x.Quirks.RefreshNeedsOptIn, "access_type=offline") {
			t.Errorf("refresh opt-in %q", x.Quirks.RefreshNeedsOptIn)
		}
	})
	t.Run("entra sends Origin only for a SPA", func(t *testing.T) {
		web := expand(t, "entra", map[string]string{"tenant": "contoso.onmicrosoft.com"})
		if web.TokenHeaders != nil {
			t.Errorf("web app token headers %v, want none", web.TokenHeaders)
		}
		spa := expand(t, "entra", map[string]string{"tenant": "contoso.onmicrosoft.com", "spa_origin": "https://app.contoso.com"})
		if want := (http.Header{"Origin": {"https://app.contoso.com"}}); !reflect.DeepEqual(spa.TokenHeaders, want) {
			t.Errorf("SPA token headers %v, want %v", spa.TokenHeaders, want)
		}
		if spa.Params["spa_origin"] != "https://app.contoso.com" || web.Params["spa_origin"] != "" {
			t.Errorf("params %v / %v", spa.Params, web.Params)
		}
		if _, ok := web.Params["spa_origin"]; ok {
			t.Error("an optional parameter left empty is listed in Params")
		}
	})
	t.Run("auth0 sends audience only when given", func(t *testing.T) {
		plain := expand(t, "auth0", map[string]string{"domain": "acme.auth0.com"})
		if plain.AuthParams.Has("audience") {
			t.Errorf("auth params %v", plain.AuthParams)
		}
		api := expand(t, "auth0", map[string]string{"domain": "acme.auth0.com", "audience": "https://api.acme.com/"})
		if got := api.AuthParams.Get("audience"); got != "https://api.acme.com/" {
			t.Errorf("audience %q", got)
		}
	})
	t.Run("values are trimmed and defaults applied", func(t *testing.T) {
		x := expand(t, "okta", map[string]string{"domain": "  acme.okta.com\n", "server": "   "})
		if x.Issuer != "https://acme.okta.com/oauth2/default" {
			t.Errorf("issuer %q", x.Issuer)
		}
		if want := map[string]string{"domain": "acme.okta.com", "server": "default"}; !reflect.DeepEqual(x.Params, want) {
			t.Errorf("params %v, want %v", x.Params, want)
		}
	})
	t.Run("a trailing slash on a URL issuer makes no double slash", func(t *testing.T) {
		x := expand(t, "generic", map[string]string{"issuer": "https://idp.acme.com/tenant/"})
		if x.Issuer != "https://idp.acme.com/tenant/" || x.DiscoveryURL != "https://idp.acme.com/tenant/.well-known/openid-configuration" {
			t.Errorf("issuer %q, discovery %q", x.Issuer, x.DiscoveryURL)
		}
	})
	t.Run("http is allowed on loopback only", func(t *testing.T) {
		x := expand(t, "generic", map[string]string{"issuer": "http://127.0.0.1:9000"})
		if x.DiscoveryURL != "http://127.0.0.1:9000/.well-known/openid-configuration" {
			t.Errorf("discovery %q", x.DiscoveryURL)
		}
		expand(t, "generic", map[string]string{"issuer": "http://localhost:8080/realms/dev"})
	})
}

// fieldError asserts that err is a *FieldError for field whose message contains every part.
func fieldError(t *testing.T, err error, field string, parts ...string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T), want a *FieldError", err, err)
	}
	if fe.Field != field {
		t.Errorf("field %q, want %q (%v)", fe.Field, field, err)
	}
	for _, p := range parts {
		if !strings.Contains(fe.Message, p) {
			t.Errorf("message %q does not contain %q", fe.Message, p)
		}
	}
}

func TestPresetExpandErrors(t *testing.T) {
	lookup := func(name string) Preset {
		p, ok := LookupPreset(name)
		if !ok {
			t.Fatalf("no preset %q", name)
		}
		return p
	}
	keycloak, okta, pingone, generic, google, entra := lookup("keycloak"), lookup("okta"), lookup("pingone"), lookup("generic"), lookup("google"), lookup("entra")

	t.Run("missing parameter", func(t *testing.T) {
		_, err := keycloak.Expand(map[string]string{"realm": "acme"})
		fieldError(t, err, "param host")
		if want := "the Keycloak preset needs host (the Keycloak host name, with a port if it is not 443), e.g. sso.example.com"; err.(*FieldError).Message != want {
			t.Errorf("message %q\n      want %q", err.(*FieldError).Message, want)
		}
		_, err = okta.Expand(map[string]string{"domain": "   "})
		fieldError(t, err, "param domain", "the Okta preset needs domain", "e.g. acme.okta.com")
	})
	t.Run("value not matching the pattern", func(t *testing.T) {
		_, err := pingone.Expand(map[string]string{"region": "us", "env": "9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41"})
		fieldError(t, err, "param region", `"us" is not a valid region`, "com (North America), eu, asia or ca")
		_, err = pingone.Expand(map[string]string{"region": "eu", "env": "not-a-uuid"})
		fieldError(t, err, "param env", `"not-a-uuid"`)
		// Patterns are anchored: a valid region inside a longer value is still refused.
		_, err = pingone.Expand(map[string]string{"region": "eu.evil", "env": "9f4c2d1a-6b3e-4c8d-a1f0-2b7e5d9c3a41"})
		fieldError(t, err, "param region")
	})
	t.Run("unknown parameter", func(t *testing.T) {
		_, err := keycloak.Expand(map[string]string{"host": "sso.acme.com", "realm": "acme", "tenant": "x"})
		fieldError(t, err, "param tenant", `the Keycloak preset has no parameter "tenant"; its parameters are host, realm`)
		_, err = google.Expand(map[string]string{"domain": "acme.com"})
		fieldError(t, err, "param domain", "the Google preset takes no parameters")
	})
	t.Run("value breaking out of its URL slot", func(t *testing.T) {
		for _, tc := range []struct{ param, value, says string }{
			{"realm", "acme/../master", `'/'`},
			{"realm", "acme?x=1", `'?'`},
			{"realm", "acme#frag", `'#'`},
			{"host", "evil.com@sso.acme.com", `'@'`},
			{"host", "sso.acme.com/evil", `'/'`},
			{"realm", "ac me", "white space"},
			{"realm", "acme%2F..", `'%'`},
		} {
			params := map[string]string{"host": "sso.acme.com", "realm": "acme"}
			params[tc.param] = tc.value
			_, err := keycloak.Expand(params)
			fieldError(t, err, "param "+tc.param, "would change the structure of the URL", tc.says)
		}
		// Even a parameter without a pattern is guarded.
		noPattern := keycloak
		noPattern.Params = slices.Clone(keycloak.Params)
		for i := range noPattern.Params {
			noPattern.Params[i].Pattern = ""
		}
		_, err := noPattern.Expand(map[string]string{"host": "sso.acme.com", "realm": "a/b"})
		fieldError(t, err, "param realm", "would change the structure")
	})
	t.Run("a URL parameter must be an https URL", func(t *testing.T) {
		for _, tc := range []struct{ value, says string }{
			{"http://idp.acme.com", "https"},
			{"idp.acme.com", ""},
			{"https://idp.acme.com?x=1", "query"},
			{"https://user@idp.acme.com", "user info"},
			{"ftp://idp.acme.com", ""},
		} {
			_, err := generic.Expand(map[string]string{"issuer": tc.value})
			fieldError(t, err, "param issuer", tc.says)
		}
		_, err := entra.Expand(map[string]string{"spa_origin": "https://app.contoso.com/path"})
		fieldError(t, err, "param spa_origin")
	})
	t.Run("an expanded URL must be absolute https", func(t *testing.T) {
		bad := keycloak
		bad.Endpoints = map[string]string{"token": "http://{host}/token"}
		_, err := bad.Expand(map[string]string{"host": "sso.acme.com"})
		fieldError(t, err, "endpoints.token", "https")
		bad.Endpoints = map[string]string{"token": "{realm}/token"}
		_, err = bad.Expand(map[string]string{"host": "sso.acme.com"})
		fieldError(t, err, "endpoints.token", "absolute")
	})
}

// validPreset is a minimal valid preset file; the validation tests break it one way at a time.
const validPreset = `name: acme
title: Acme IdP
description: A test preset.
docs: https://docs.acme.com/oidc
params:
  - name: host
    description: the host
    example: idp.acme.com
    pattern: '[a-z.]+'
  - name: tenant
    description: the tenant
    example: t1
    default: main
issuer: "https://{host}/t/{tenant}"
discovery: "{issuer}/.well-known/openid-configuration"
endpoints:
  token: "{issuer}/token"
auth_method: client_secret_basic
scopes: [openid]
quirks:
  code_lifetime: 90s
  notes: ["a note"]
`

// parseOne parses data as presets/name.yaml.
func parseOne(name, data string) ([]Preset, error) {
	return parsePresets(fstest.MapFS{"presets/" + name + ".yaml": {Data: []byte(data)}}, "presets")
}

func TestParsePresetsValid(t *testing.T) {
	ps, err := parsePresets(fstest.MapFS{
		"presets/zeta.yaml":  {Data: []byte(strings.Replace(validPreset, "name: acme", "name: zeta", 1))},
		"presets/acme.yaml":  {Data: []byte(validPreset)},
		"presets/README.md":  {Data: []byte("not a preset")},
		"presets/other.json": {Data: []byte("{}")},
	}, "presets")
	if err != nil {
		t.Fatalf("parsePresets: %v", err)
	}
	if len(ps) != 2 || ps[0].Name != "acme" || ps[1].Name != "zeta" {
		t.Fatalf("presets %+v", ps)
	}
	p := ps[0]
	if p.Quirks.CodeLifetime != 90*time.Second || p.Quirks.UserInfoSubject != "sub" || p.Params[0].Kind != ParamSegment {
		t.Errorf("parsed %+v", p)
	}
	x, err := p.Expand(map[string]string{"host": "idp.acme.com"})
	if err != nil || x.Endpoints.Token != "https://idp.acme.com/t/main/token" {
		t.Errorf("Expand: %+v, %v", x.Endpoints, err)
	}
}

func TestParsePresetsRejectsBadData(t *testing.T) {
	tests := []struct {
		name   string
		file   string // file name without .yaml; "acme" when empty
		change func(string) string
		want   []string // parts of the error
	}{
		{name: "name does not match the file", file: "other", want: []string{"presets/other.yaml:1: name:", `"acme" does not match the file name`}},
		{name: "unknown field", change: add("colour: blue\n"), want: []string{"presets/acme.yaml:23: unknown field \"colour\""}},
		{name: "unknown field in a param", change: repl("    example: t1\n", "    example: t1\n    hint: x\n"), want: []string{"presets/acme.yaml:13: unknown field \"hint\""}},
		{name: "unknown endpoint", change: repl(`  token: "{issuer}/token"`, "  token: \"{issuer}/token\"\n  tokens: \"{issuer}/t\""), want: []string{"presets/acme.yaml:18: unknown field \"tokens\""}},
		{name: "unknown quirk", change: repl("  code_lifetime: 90s", "  code_lifetime: 90s\n  no_discvery: true"), want: []string{"unknown field \"no_discvery\""}},
		{name: "placeholder naming no parameter", change: repl(`"{issuer}/token"`, `"{issuer}/{realm}/token"`), want: []string{"presets/acme.yaml:17: endpoints.token: {realm} names no parameter (declared: host, tenant)"}},
		{name: "issuer placeholder in the issuer template", change: repl(`issuer: "https://{host}/t/{tenant}"`, `issuer: "https://{host}/{issuer}/{tenant}"`), want: []string{"issuer: {issuer} names no parameter"}},
		{name: "malformed placeholder", change: repl(`"{issuer}/token"`, `"{issuer}/{Bad-Name}"`), want: []string{"placeholder {Bad-Name} is not a name"}},
		{name: "unmatched brace", change: repl(`"{issuer}/token"`, `"{issuer}/token}"`), want: []string{"unmatched brace"}},
		{name: "unknown auth method", change: repl("client_secret_basic", "client_secret_basik"), want: []string{"auth_method:", `"client_secret_basik" is not one of client_secret_basic, client_secret_post`}},
		{name: "pattern does not compile", change: repl("'[a-z.]+'", "'[a-z.+'"), want: []string{"presets/acme.yaml:9: params[0].pattern: does not compile"}},
		{name: "example not matching the pattern", change: repl("example: idp.acme.com", "example: IDP.acme.com"), want: []string{"params[0].example:", `"IDP.acme.com" is not a valid host`}},
		{name: "default breaking out of its slot", change: repl("default: main", "default: a/b"), want: []string{"params[1].default:", "would change the structure"}},
		{name: "duplicate parameter", change: repl("  - name: tenant", "  - name: host"), want: []string{`parameter "host" is declared twice`}},
		{name: "unknown parameter kind", change: repl("    default: main", "    default: main\n    kind: path"), want: []string{`"path" is not a parameter kind`}},
		{name: "parameter used by no template", change: repl(`issuer: "https://{host}/t/{tenant}"`, `issuer: "https://{host}/t"`), want: []string{`parameter "tenant" is used by no template`}},
		{name: "missing example", change: repl("    example: t1\n", ""), want: []string{"params[1].example: missing"}},
		{name: "optional parameter in a URL", change: repl("    default: main", "    optional: true"), want: []string{"{tenant} is optional and cannot be part of a URL"}},
		{name: "text parameter in a URL", change: repl("    default: main", "    default: main\n    kind: text"), want: []string{"{tenant} is a text parameter and cannot be part of a URL"}},
		{name: "template expanding to http", change: repl(`"{issuer}/token"`, `"http://{host}/token"`), want: []string{"endpoints.token:", "must use https"}},
		{name: "no_discovery with a discovery template", change: repl("  code_lifetime: 90s", "  code_lifetime: 90s\n  no_discovery: true"), want: []string{"quirks.no_discovery is set: drop the discovery template"}},
		{name: "no discovery and no no_discovery", change: repl("discovery: \"{issuer}/.well-known/openid-configuration\"\n", ""), want: []string{"set quirks.no_discovery", "authorization and token endpoints are required"}},
		{name: "bad code lifetime", change: repl("90s", "5 minutes"), want: []string{"quirks.code_lifetime:", `"5 minutes" is not a positive Go duration`}},
		{name: "reserved authorize parameter", change: add("auth_params:\n  redirect_uri: https://x\n"), want: []string{"auth_params.redirect_uri: redirect_uri is set by the flow itself"}},
		{name: "reserved header", change: add("token_headers:\n  authorization: Basic x\n"), want: []string{"is set by the HTTP client"}},
		{name: "no scopes", change: repl("scopes: [openid]", "scopes: []"), want: []string{"scopes: missing"}},
		{name: "docs not https", change: repl("https://docs.acme.com/oidc", "http://docs.acme.com/oidc"), want: []string{"docs:", "is not an https URL"}},
		{name: "two documents", change: add("---\nname: acme\n"), want: []string{"more than one YAML document"}},
		{name: "empty file", change: func(string) string { return "" }, want: []string{"presets/acme.yaml: the file is empty"}},
		{name: "not YAML", change: func(string) string { return "name: [acme\n" }, want: []string{"presets/acme.yaml:"}},
		{name: "duplicate key", change: add("title: Again\n"), want: []string{`"title" already defined`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, data := tt.file, validPreset
			if file == "" {
				file = "acme"
			}
			if tt.change != nil {
				data = tt.change(data)
				if data == validPreset {
					t.Fatal("the change did not apply")
				}
			}
			_, err := parseOne(file, data)
			if err == nil {
				t.Fatal("parsed without error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestParsePresetsReportsEveryFile(t *testing.T) {
	_, err := parsePresets(fstest.MapFS{
		"presets/acme.yaml": {Data: []byte(validPreset)},
		"presets/bad1.yaml": {Data: []byte(strings.Replace(validPreset, "name: acme", "name: bad1\ncolour: x", 1))},
		"presets/bad2.yaml": {Data: []byte(strings.Replace(validPreset, "name: acme", "name: bad2", 1) + "auth_params:\n  x: \"{nope}\"\n")},
	}, "presets")
	if err == nil {
		t.Fatal("parsed without error")
	}
	for _, w := range []string{"presets/bad1.yaml:2: unknown field \"colour\"", "presets/bad2.yaml:", "{nope} names no parameter"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
	if _, err := parsePresets(fstest.MapFS{"presets/README.md": {Data: []byte("x")}}, "presets"); err == nil {
		t.Error("a directory without presets parsed")
	}
}

// add returns a change appending s to the file.
func add(s string) func(string) string { return func(d string) string { return d + s } }

// repl returns a change replacing old with new once.
func repl(old, new string) func(string) string {
	return func(d string) string { return strings.Replace(d, old, new, 1) }
}

// TestIssuerAndPathNeedsNoCheck: a template that is the issuer and a plain path, filled from any
// issuer that passes the check and has no query or fragment, passes the check too (Expand does
// not parse it again); the templates of the shipped presets take that way.
func TestIssuerAndPathNeedsNoCheck(t *testing.T) {
	issuers := []string{"https://h", "https://h/", "https://h//", "https://h:8443/realms/x", "http://127.0.0.1:9/a/",
		"https://[::1]/", "http://localhost", "https://xn--bcher-kva.example/t/", "https://h/%7Euser/"}
	presets, err := Presets()
	if err != nil {
		t.Fatal(err)
	}
	var tmpls []string
	for _, p := range presets {
		tmpls = append(tmpls, p.Discovery)
		for _, u := range p.Endpoints {
			tmpls = append(tmpls, u)
		}
	}
	tmpls = append(tmpls, "{issuer}/a-b.c_d~e/", "{issuer}/")
	short := 0
	for _, tmpl := range tmpls {
		if !issuerAndPath(tmpl) {
			continue
		}
		short++
		for _, iss := range issuers {
			if _, err := checkAbsURL(iss); err != nil {
				t.Fatalf("issuer %s: %v", iss, err)
			}
			if _, err := expandURL("x", tmpl, map[string]string{"issuer": iss}); err != nil {
				t.Errorf("%s from %s: %v", tmpl, iss, err)
			}
		}
	}
	if short < 10 {
		t.Errorf("only %d templates take the short way", short)
	}
	for _, tmpl := range []string{"{issuer}", "{issuer}/a?b", "{issuer}/a#b", "{issuer}/{tenant}", "{issuer}.x/a", "https://h/{issuer}/a", "{issuer}/a b"} {
		if issuerAndPath(tmpl) {
			t.Errorf("%s takes the short way", tmpl)
		}
	}
}
