package profiles

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"os"
	"slices"

	"github.com/go-jose/go-jose/v4"
	"github.com/tokenbench/tokenbench/flows"
)

// Client turns the profile into the flows package's client configuration and transport options:
// it validates the profile, expands its preset (the profile's fields override the preset's),
// resolves the client secret through secrets, and reads the signing key, the DPoP key, the
// authorization_details file (placed with the resources for the profile's grant, as
// flows.RequestExtras.Apply does for `tokenbench token`), the CA bundle and the client certificate. Errors name the field at fault (*FieldError), or the secret reference
// (*SecretError).
//
// The secret is resolved only when the client authentication needs one. With a nil secrets it is
// not resolved at all, and a missing reference is no error: for uses that do not authenticate the
// client, such as verifying a token against the provider's keys. The caller shows p.Warnings()
// and secrets.Warnings().
func (p Profile) Client(ctx context.Context, secrets *Secrets) (flows.ClientConfig, flows.TransportOptions, error) {
	var (
		cfg  flows.ClientConfig
		opts flows.TransportOptions
	)
	if err := p.validate(secrets != nil); err != nil {
		return cfg, opts, err
	}
	set, err := p.Settings()
	if err != nil {
		return cfg, opts, err
	}
	cfg = flows.ClientConfig{
		Issuer:        set.Issuer,
		Endpoints:     set.Endpoints,
		ClientID:      p.ClientID,
		AuthMethod:    set.AuthMethod,
		SigningAlg:    p.SigningAlg,
		RedirectURI:   p.RedirectURI,
		Scopes:        set.Scopes,
		PKCE:          p.PKCE,
		AuthParams:    set.AuthParams,
		TokenParams:   set.TokenParams,
		TokenHeaders:  set.TokenHeaders,
		PAR:           p.PAR,
		RequestObject: p.RequestObject,
		ResponseMode:  p.ResponseMode,
		DPoP:          p.DPoP || p.DPoPKey != "",
	}
	if p.ResponseType != "" {
		cfg.ResponseType, _ = flows.NormalizeResponseType(p.ResponseType)
	}
	if x := set.Preset; x != nil {
		// The vendor's quirks, where they differ from the standard names flows uses when these
		// are empty: the userinfo member naming the subject (OpenID Connect Core §5.3.2: sub),
		// and the logout URL's redirect parameter (RP-Initiated Logout 1.0 §2:
		// post_logout_redirect_uri).
		if q := x.Quirks.UserInfoSubject; q != defaultUserInfoSubject {
			cfg.UserInfoSubjectClaim = q
		}
		if q := x.Quirks.LogoutRedirectParam; q != defaultLogoutRedirectParam {
			cfg.LogoutRedirectParam = q
		}
		cfg.LogoutWithoutIDTokenHint = !x.Quirks.LogoutIDTokenHint
		cfg.DirectAuthorize = x.Quirks.DirectAuthorize
	}
	cfg.ClientAssertionAudience = p.ClientAssertionAud
	if err := p.applyExtras(&cfg); err != nil {
		return cfg, opts, err
	}
	if p.DPoPKey != "" {
		data, err := readProfileFile("dpop_key", p.DPoPKey)
		if err != nil {
			return cfg, opts, err
		}
		if cfg.DPoPKey, err = flows.ParseSigningKey(data); err != nil {
			return cfg, opts, &FieldError{Field: "dpop_key", Message: fmt.Sprintf("%s: %v", p.DPoPKey, err)}
		}
	}
	if secrets != nil && p.ClientSecret != "" && set.AuthMethod.UsesSecret() {
		if cfg.ClientSecret, err = secrets.Resolve(ctx, p.ClientSecret, p.Name); err != nil {
			return cfg, opts, err
		}
	}
	if p.SigningKey != "" && set.AuthMethod == flows.AuthPrivateKeyJWT {
		if cfg.SigningKey, err = readKeyFile("signing_key", p.SigningKey, flows.ParsePrivateKey); err != nil {
			return cfg, opts, err
		}
		if p.SigningKeyID != "" {
			cfg.SigningKey.KeyID = p.SigningKeyID
		}
	}
	if p.DecryptionKey != "" {
		if cfg.DecryptionKey, err = readKeyFile("decryption_key", p.DecryptionKey, flows.ParseSigningKey); err != nil {
			return cfg, opts, err
		}
	}
	opts, err = p.TLS.options()
	return cfg, opts, err
}

// Extras reads the profile's resources and authorization_details file (checked with
// flows.ParseAuthorizationDetails); an error names the field.
func (p Profile) Extras() (flows.RequestExtras, error) {
	x := flows.RequestExtras{Resources: slices.Clone(p.Resources)}
	if p.AuthorizationDetails == "" {
		return x, nil
	}
	data, err := readProfileFile("authorization_details", p.AuthorizationDetails)
	if err != nil {
		return x, err
	}
	if x.AuthorizationDetails, err = flows.ParseAuthorizationDetails(data); err != nil {
		return x, &FieldError{Field: "authorization_details", Message: fmt.Sprintf("%s: %v", p.AuthorizationDetails, err)}
	}
	return x, nil
}

// applyExtras adds the resources and authorization_details to the parameters of the profile's
// grant (authorization_code when it names none), as `tokenbench token` does for its flags.
func (p Profile) applyExtras(cfg *flows.ClientConfig) error {
	x, err := p.Extras()
	if err != nil || (len(x.Resources) == 0 && x.AuthorizationDetails == "") {
		return err
	}
	grant := flows.GrantAuthorizationCode
	if gt, ok := GrantType(p.Grant); ok {
		grant = gt
	}
	if cfg.AuthParams == nil {
		cfg.AuthParams = url.Values{}
	}
	if cfg.TokenParams == nil {
		cfg.TokenParams = url.Values{}
	}
	if err := x.Apply(grant, cfg.AuthParams, cfg.TokenParams); err != nil {
		return &FieldError{Field: "authorization_details", Message: err.Error()}
	}
	return nil
}

// options reads the TLS files into transport options.
func (t TLS) options() (flows.TransportOptions, error) {
	opts := flows.TransportOptions{Insecure: t.Insecure}
	if t.CAFile != "" {
		pem, err := readProfileFile("tls.ca_file", t.CAFile)
		if err != nil {
			return opts, err
		}
		opts.CABundle = pem
	}
	if t.ClientCert != "" {
		cert, err := tls.LoadX509KeyPair(ExpandHome(t.ClientCert), ExpandHome(t.ClientKey))
		if err != nil {
			return opts, &FieldError{Field: "tls.client_cert", Message: fmt.Sprintf("%s with key %s: %v", t.ClientCert, t.ClientKey, err)}
		}
		opts.ClientCertificates = []tls.Certificate{cert}
	}
	return opts, nil
}

// readKeyFile reads the private key file (PEM or JWK) a profile field names with parse.
func readKeyFile(field, path string, parse func([]byte) (*jose.JSONWebKey, error)) (*jose.JSONWebKey, error) {
	data, err := readProfileFile(field, path)
	if err != nil {
		return nil, err
	}
	k, err := parse(data)
	if err != nil {
		return nil, &FieldError{Field: field, Message: fmt.Sprintf("%s: %v", path, err)}
	}
	return k, nil
}

// readProfileFile reads a file a profile names, with ~/ expanded; an error names the field.
func readProfileFile(field, path string) ([]byte, error) {
	data, err := os.ReadFile(ExpandHome(path))
	if err != nil {
		return nil, &FieldError{Field: field, Message: err.Error()}
	}
	return data, nil
}
