package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// loadProfile returns the --profile profile, read once; nil without --profile.
func (f *clientFlags) loadProfile(e *env) (*profiles.Profile, error) {
	if f.profile == "" {
		return nil, nil
	}
	if f.loaded == nil {
		p, err := loadNamedProfile(e, f.profile)
		if err != nil {
			return nil, err
		}
		f.loaded = &p
	}
	return f.loaded, nil
}

// loadNamedProfile reads one profile from the store.
func loadNamedProfile(e *env, name string) (profiles.Profile, error) {
	s, err := openStore(e)
	if err != nil {
		return profiles.Profile{}, err
	}
	return getProfile(s, name)
}

// profileClient builds the configuration from the profile with the flags given laid over it, and
// the transport from the profile's TLS settings and the flags.
func (f *clientFlags) profileClient(ctx context.Context, e *env, fs *pflag.FlagSet) (flows.ClientConfig, flows.TransportOptions, error) {
	prof, err := f.loadProfile(e)
	if err != nil {
		return flows.ClientConfig{}, flows.TransportOptions{}, err
	}
	p := prof.Clone()
	if err := f.overlay(&p, e, fs); err != nil {
		return flows.ClientConfig{}, flows.TransportOptions{}, err
	}
	// Warn about the profile's own choices: not about a secret the flags replaced, nor about an
	// insecure the flags decide (the flag warns for itself).
	shown := p
	if p.ClientSecret != prof.ClientSecret || fs.Changed("client-secret") {
		shown.ClientSecret = ""
	}
	if fs.Changed("insecure") {
		shown.TLS.Insecure = false
	}
	printWarnings(e, shown.Warnings())

	var secrets *profiles.Secrets
	if !f.noClientAuth {
		secrets = newSecrets(e)
	}
	run := f.run
	if fs.Changed("client-secret") {
		run.ClientSecret = f.creds.secret
	}
	cfg, opts, err := profiles.Resolve(ctx, p, secrets, run)
	if secrets != nil {
		printWarnings(e, secrets.Warnings())
	}
	if err != nil {
		return cfg, opts, profileFieldError(p.Name, err)
	}
	flagOpts, err := f.transport.options(e)
	if err != nil {
		return cfg, opts, err
	}
	opts.Timeout, opts.MaxBody, opts.AllowHTTPEndpoints = flagOpts.Timeout, flagOpts.MaxBody, flagOpts.AllowHTTPEndpoints
	if fs.Changed("ca-file") {
		opts.CABundle = flagOpts.CABundle
	}
	if fs.Changed("insecure") {
		opts.Insecure = flagOpts.Insecure
	}
	if fs.Changed("client-cert") {
		opts.ClientCertificates = flagOpts.ClientCertificates
	}
	return cfg, opts, nil
}

// overlay lays the provider and credential flags given over the profile. The client secret's
// precedence is --client-secret (given to profiles.Resolve for this run, never as a reference),
// --client-secret-file, the profile's reference, then $TOKENBENCH_CLIENT_SECRET. A flag whose value
// its field refuses (a malformed --token-header) is a usage error; the others take any text, and
// validation names a bad one.
func (f *clientFlags) overlay(p *profiles.Profile, e *env, fs *pflag.FlagSet) error {
	for _, fd := range profiles.Fields() {
		if fd.Group == profiles.GroupProvider || fd.Group == profiles.GroupClient {
			if _, err := setField(p, fs, fd); err != nil {
				return err
			}
		}
	}
	switch {
	case fs.Changed("client-secret"):
	case f.creds.secretFile != "":
		p.ClientSecret = profiles.SecretRef("file:" + f.creds.secretFile)
	case p.ClientSecret == "" && e.getenv(envClientSecret) != "":
		p.ClientSecret = profiles.SecretRef("env:" + envClientSecret)
	}
	return nil
}

// useProfile lets the profile's PAR, request object, response type and mode, DPoP, resources and
// authorization_details hold for this run of token unless a flag is given beside --profile: a flag
// given replaces the profile's value (--par=false turns the profile's PAR off). prof is the loaded
// profile the client is built from (clientFlags.loaded); what the flags decide is taken out of it.
// The DPoP key and the extras go through token's own flags: a missing dpop_key file is generated
// there as with --dpop-key, and resources and authorization_details are placed for the grant run,
// not for the profile's default grant.
func (o *tokenOptions) useProfile(e *env, prof *profiles.Profile, fs *pflag.FlagSet, grant string) error {
	if prof == nil {
		return nil
	}
	// par.apply and response.apply set these from the flags given.
	if fs.Changed("par") {
		prof.PAR = false
	}
	if fs.Changed("request-object") || fs.Changed("request-object-by") {
		prof.RequestObject, prof.RequestObjectBy = false, ""
	}
	if fs.Changed("response-type") {
		prof.ResponseType = ""
	}
	if fs.Changed("response-mode") {
		prof.ResponseMode = ""
	}
	if !fs.Changed("dpop") && !fs.Changed("dpop-key") {
		o.dpop.on, o.dpop.keyFile = prof.DPoP, profiles.ExpandHome(prof.DPoPKey)
	}
	if !fs.Changed("resource") {
		o.rar.resources = slices.Clone(prof.Resources)
	}
	if !fs.Changed("authorization-details") && prof.AuthorizationDetails != "" {
		if !flows.SendsAuthorizationDetails(grant) {
			fmt.Fprintf(e.stderr, "note: the authorization_details of profile %s are not sent on --grant %s (%v)\n", prof.Name, o.grant, flows.ErrAuthorizationDetailsGrant)
		} else {
			x, err := profiles.Profile{AuthorizationDetails: prof.AuthorizationDetails}.Extras()
			if err != nil {
				return profileFieldError(prof.Name, err)
			}
			o.rar.details = x.AuthorizationDetails
		}
	}
	prof.DPoP, prof.DPoPKey, prof.Resources, prof.AuthorizationDetails = false, "", nil, ""
	return nil
}

// mergeValues returns base with the names in over replaced by over's values.
func mergeValues(base, over url.Values) url.Values {
	if len(base) == 0 {
		return over
	}
	out := url.Values{}
	for k, v := range base {
		out[k] = append([]string(nil), v...)
	}
	for k, v := range over {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// applyProfile fills the jwt command's issuer, client_id and JWKS from --profile where no flag
// gives them; the profile's secret is not needed to check a token.
func (o *jwtOptions) applyProfile(ctx context.Context, e *env, fs *pflag.FlagSet) error {
	if o.profile == "" {
		return nil
	}
	p, err := loadNamedProfile(e, o.profile)
	if err != nil {
		return err
	}
	q := p
	if fs.Changed("insecure") {
		q.TLS.Insecure = false
	}
	q.ClientSecret = "" // only the warnings about what is used here
	printWarnings(e, q.Warnings())
	cfg, opts, err := p.Client(ctx, nil)
	if err != nil {
		return profileFieldError(p.Name, err)
	}
	if !fs.Changed("issuer") {
		o.issuer = cfg.Issuer
		if !fs.Changed("jwks") && cfg.Endpoints.JWKS != "" {
			o.jwks = cfg.Endpoints.JWKS
		}
	}
	if !fs.Changed("client-id") {
		o.clientID = cfg.ClientID
	}
	o.profileKey = cfg.DecryptionKey // --decryption-key, when given, is read in its place
	if fs.Changed("ca-file") {
		opts.CABundle = nil
	}
	if fs.Changed("insecure") {
		opts.Insecure = false
	}
	o.profileTLS = &opts
	return nil
}
