package profiles

import (
	"testing"
)

func TestValidateNamesTheField(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Profile)
		field  string
		parts  []string
	}{
		{"missing preset parameter", func(p *Profile) {
			p.Issuer = ""
			p.Preset = "keycloak"
			p.Params = map[string]string{"realm": "acme"}
		}, "params.host", []string{"needs host"}},
		{"invalid preset parameter", func(p *Profile) { p.Preset = "okta"; p.Params = map[string]string{"domain": "acme.okta.com/evil"} }, "params.domain", []string{"acme.okta.com/evil"}},
		{"unknown preset parameter", func(p *Profile) {
			p.Preset = "okta"
			p.Params = map[string]string{"domain": "a.okta.com", "realm": "x"}
		}, "params.realm", []string{"no parameter"}},
		{"unknown preset", func(p *Profile) { p.Preset = "oktaa" }, "preset", []string{`unknown preset "oktaa"`, "okta"}},
		{"parameters without a preset", func(p *Profile) { p.Params = map[string]string{"domain": "x"} }, "params", []string{"need a preset"}},
		{"malformed issuer", func(p *Profile) { p.Issuer = "htps//idp.example.com" }, "issuer", []string{"malformed URL", "http:// or https://"}},
		{"issuer without host", func(p *Profile) { p.Issuer = "https:///path" }, "issuer", []string{"no host"}},
		{"endpoint with a space", func(p *Profile) { p.Endpoints.Token = "https://idp.example.com/tok en" }, "endpoints.token", []string{"malformed URL"}},
		{"endpoint with a fragment", func(p *Profile) { p.Endpoints.JWKS = "https://idp.example.com/jwks#x" }, "endpoints.jwks", []string{"fragment"}},
		{"no provider", func(p *Profile) { p.Issuer = "" }, "issuer", []string{"no provider"}},
		{"no client id", func(p *Profile) { p.ClientID = " " }, "client_id", []string{"missing"}},
		{"unknown auth method", func(p *Profile) { p.AuthMethod = "client_secret_basik" }, "auth_method", []string{`unknown method "client_secret_basik"`, "client_secret_post"}},
		{"private_key_jwt without a key", func(p *Profile) { p.AuthMethod = "private_key_jwt" }, "signing_key", []string{"private_key_jwt needs a signing key"}},
		{"unknown response type", func(p *Profile) { p.ResponseType = "code idtoken" }, "response_type", []string{`unknown response_type "code idtoken"`, `"code id_token"`}},
		{"unknown response mode", func(p *Profile) { p.ResponseMode = "jwt.query" }, "response_mode", []string{`unknown response_mode "jwt.query"`, "query.jwt"}},
		{"relative resource", func(p *Profile) { p.Resources = []string{"https://api.example.com/", "/api"} }, "resources", []string{`"/api" is not an absolute URI`, "RFC 8707"}},
		{"resource with a fragment", func(p *Profile) { p.Resources = []string{"https://api.example.com/#v1"} }, "resources", []string{"fragment"}},
		{"tls_client_auth without a certificate", func(p *Profile) { p.AuthMethod = "tls_client_auth" }, "tls.client_cert", []string{"tls_client_auth authenticates the client with its TLS certificate", "tls.client_key"}},
		{"self_signed_tls_client_auth without a key", func(p *Profile) {
			p.AuthMethod = "self_signed_tls_client_auth"
			p.TLS.ClientCert = "/etc/ssl/client.pem"
		}, "tls.client_key", []string{"self_signed_tls_client_auth"}},
		{"authorization_details on a grant that sends none", func(p *Profile) { p.Grant = "password"; p.AuthorizationDetails = "details.json" }, "authorization_details", []string{"grant password sends no authorization_details"}},
		{"unknown grant", func(p *Profile) { p.Grant = "cibaa" }, "grant", []string{`unknown grant "cibaa"`, "jwt_bearer", "saml2_bearer", "token_exchange", "ciba"}},
		{"client_secret_post without a secret", func(p *Profile) { p.AuthMethod = "client_secret_post"; p.ClientSecret = "" }, "client_secret", []string{"client_secret_post needs a client secret", "keyring:"}},
		{"preset's secret method without a secret", func(p *Profile) {
			p.Issuer = ""
			p.Preset = "okta"
			p.Params = map[string]string{"domain": "a.okta.com"}
			p.ClientSecret = ""
		}, "client_secret", []string{"client_secret_basic (the okta preset's default) needs a client secret", "auth_method none"}},
		{"plain secret without the flag", func(p *Profile) { p.ClientSecret = "plain:x" }, "client_secret", []string{"allow_plain_secret"}},
		{"not a reference", func(p *Profile) { p.ClientSecret = "hunter2" }, "client_secret", []string{"not a secret reference"}},
		{"unknown signing alg", func(p *Profile) { p.SigningAlg = "RS1" }, "signing_alg", []string{"unknown JWS algorithm"}},
		{"HMAC alg for private_key_jwt", func(p *Profile) { p.SigningKey = "/k.pem"; p.SigningAlg = "HS256" }, "signing_alg", []string{"private key"}},
		{"RSA alg for client_secret_jwt", func(p *Profile) { p.AuthMethod = "client_secret_jwt"; p.SigningAlg = "RS256" }, "signing_alg", []string{"HS256"}},
		{"relative redirect URI", func(p *Profile) { p.RedirectURI = "/callback" }, "redirect_uri", []string{"absolute"}},
		{"scope with a space", func(p *Profile) { p.Scopes = []string{"openid profile"} }, "scopes", []string{"not a scope"}},
		{"unknown grant", func(p *Profile) { p.Grant = "implicit" }, "grant", []string{`unknown grant "implicit"`, "client_credentials"}},
		{"unknown PKCE", func(p *Profile) { p.PKCE = "S512" }, "pkce", []string{"S256, plain or none"}},
		{"certificate without key", func(p *Profile) { p.TLS.ClientCert = "/c.pem" }, "tls.client_key", []string{"both"}},
		{"bad name", func(p *Profile) { p.Name = "acme prod" }, "name", []string{"not a usable name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := simpleProfile("acme")
			tc.change(&p)
			wantField(t, p.Validate(), tc.field, tc.parts...)
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	for name, change := range map[string]func(*Profile){
		"issuer only":             func(*Profile) {},
		"discovery URL as issuer": func(p *Profile) { p.Issuer = "https://idp.example.com/.well-known/openid-configuration" },
		"endpoints only":          func(p *Profile) { p.Issuer = ""; p.Endpoints.Token = "https://idp.example.com/token" },
		"preset only": func(p *Profile) {
			p.Issuer = ""
			p.Preset = "keycloak"
			p.Params = map[string]string{"host": "sso.acme.example", "realm": "acme"}
		},
		"preset default parameter":  func(p *Profile) { p.Issuer = ""; p.Preset = "entra" },
		"public client":             func(p *Profile) { p.ClientSecret = ""; p.AuthMethod = "none" },
		"no method, no secret":      func(p *Profile) { p.ClientSecret = "" },
		"key implies private_key":   func(p *Profile) { p.ClientSecret = ""; p.SigningKey = "/k.pem" },
		"private-use redirect URI":  func(p *Profile) { p.RedirectURI = "com.example.app:/oauth2redirect" },
		"loopback http":             func(p *Profile) { p.Issuer = "http://127.0.0.1:9000" },
		"keyring reference":         func(p *Profile) { p.ClientSecret = "keyring:" },
		"every grant and PKCE":      func(p *Profile) { p.Grant = "device_code"; p.PKCE = "none" },
		"client certificate":        func(p *Profile) { p.TLS.ClientCert, p.TLS.ClientKey = "/c.pem", "/k.pem" },
		"client_secret_jwt with HS": func(p *Profile) { p.AuthMethod = "client_secret_jwt"; p.SigningAlg = "HS512" },
	} {
		p := simpleProfile("acme")
		change(&p)
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestImportedProfileMayLackItsSecret(t *testing.T) {
	p := simpleProfile("acme")
	p.AuthMethod = "client_secret_basic"
	p.ClientSecret = ""
	if err := p.validate(false); err != nil {
		t.Errorf("an imported profile without its secret: %v", err)
	}
	wantField(t, p.Validate(), "client_secret")
}
