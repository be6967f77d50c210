package profiles

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"

	"github.com/tokenbench/tokenbench/flows"
)

// Client turns the profile into the flows package's client configuration and transport options:
// it validates the profile, expands its preset (the profile's fields override the preset's),
// resolves the client secret through secrets, and reads the signing key, the CA bundle and the
// client certificate. Errors name the field at fault (*FieldError), or the secret reference
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
		Issuer:       set.Issuer,
		Endpoints:    set.Endpoints,
		ClientID:     p.ClientID,
		AuthMethod:   set.AuthMethod,
		SigningAlg:   p.SigningAlg,
		RedirectURI:  p.RedirectURI,
		Scopes:       set.Scopes,
		PKCE:         p.PKCE,
		AuthParams:   set.AuthParams,
		TokenParams:  set.TokenParams,
		TokenHeaders: set.TokenHeaders,
	}
	if secrets != nil && p.ClientSecret != "" && set.AuthMethod.UsesSecret() {
		if cfg.ClientSecret, err = secrets.Resolve(ctx, p.ClientSecret, p.Name); err != nil {
			return cfg, opts, err
		}
	}
	if p.SigningKey != "" && set.AuthMethod == flows.AuthPrivateKeyJWT {
		data, err := readProfileFile("signing_key", p.SigningKey)
		if err != nil {
			return cfg, opts, err
		}
		if cfg.SigningKey, err = flows.ParseSigningKey(data); err != nil {
			return cfg, opts, &FieldError{Field: "signing_key", Message: fmt.Sprintf("%s: %v", p.SigningKey, err)}
		}
	}
	opts, err = p.TLS.options()
	return cfg, opts, err
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

// readProfileFile reads a file a profile names, with ~/ expanded; an error names the field.
func readProfileFile(field, path string) ([]byte, error) {
	data, err := os.ReadFile(ExpandHome(path))
	if err != nil {
		return nil, &FieldError{Field: field, Message: err.Error()}
	}
	return data, nil
}
