package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// Environment variables that hold secrets, so they stay out of shell history and ps output.
const (
	envClientSecret = "TOKENBENCH_CLIENT_SECRET"
	envPassword     = "TOKENBENCH_PASSWORD"
)

// providerFlags name the provider: an issuer to discover, and endpoints that override or replace
// discovery, one flag for each endpoint of the profile field registry.
type providerFlags struct {
	issuer    string
	endpoints map[string]*string // by endpoint name (flows.EndpointNames)
}

func (f *providerFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.issuer, "issuer", "", "the provider's issuer URL; its discovery document supplies the endpoints")
	f.endpoints = map[string]*string{}
	for _, fd := range profiles.Fields() {
		if name, ok := strings.CutPrefix(fd.Key, "endpoints."); ok {
			f.endpoints[name] = fs.String(fd.Flag, "", fd.Help+" (overrides discovery, or replaces it without --issuer)")
		}
	}
}

// given returns the endpoints the flags give.
func (f *providerFlags) given() flows.Endpoints {
	var e flows.Endpoints
	for name, v := range f.endpoints {
		e.Set(name, strings.TrimSpace(*v))
	}
	return e
}

// credentialFlags identify and authenticate the client.
type credentialFlags struct {
	clientID   string
	secret     string
	secretFile string
	authMethod string
	signingKey string
	// signingKeyID is the kid sent with the signing key (none for a PEM key otherwise).
	signingKeyID string
	// assertionAud is the aud of client assertions: token_endpoint or issuer.
	assertionAud string
	signingAlg   string
	// decryptionKey is the file of the private key that decrypts encrypted tokens (JWE).
	decryptionKey string
	// headers are the token_headers field's flag: "Name: value", repeatable.
	headers []string
}

func (f *credentialFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.clientID, "client-id", "", "the client_id")
	fs.StringVar(&f.secret, "client-secret", "", "the client secret (prefer --client-secret-file or $"+envClientSecret+": a flag shows in ps and shell history)")
	fs.StringVar(&f.secretFile, "client-secret-file", "", "read the client secret from this file")
	fs.StringVar(&f.authMethod, "auth-method", "", "client authentication: "+authMethodList()+" (default: client_secret_basic with a secret, private_key_jwt with --signing-key, else none)")
	fs.StringVar(&f.signingKey, "signing-key", "", "private key for private_key_jwt, as a PEM or JWK file")
	fs.StringVar(&f.assertionAud, "client-assertion-aud", "", "aud of client assertions (client_secret_jwt, private_key_jwt): token_endpoint (default, OpenID Connect Core §9) or issuer (RFC 7523 §3)")
	fs.StringVar(&f.signingKeyID, "signing-key-id", "", "the kid the provider registered for --signing-key (default: the JWK's own kid; none for a PEM key)")
	fs.StringVar(&f.decryptionKey, "decryption-key", "", "private key (PEM or JWK file, RSA or EC) that decrypts encrypted id_tokens, JARM responses and userinfo (JWE)")
	fs.StringVar(&f.signingAlg, "signing-alg", "", "JWS algorithm of client assertions (RS256, PS256, ES256, HS256 …; default from the key)")
	headers, _ := profiles.LookupField("token_headers")
	fs.StringArrayVar(&f.headers, headers.Flag, nil, headers.Help+" (repeatable; replaces the profile's)")
}

// transportFlags configure the HTTP client.
type transportFlags struct {
	timeout  time.Duration
	caFile   string
	insecure bool
	// allowHTTP accepts http:// endpoints in an https issuer's metadata.
	allowHTTP bool
	maxBody   int64
	// clientCert and clientKey are the mutual TLS client certificate and key (RFC 8705).
	clientCert, clientKey string
}

func (f *transportFlags) register(fs *pflag.FlagSet) {
	fs.DurationVar(&f.timeout, "timeout", flows.DefaultTimeout, "time limit of each HTTP request")
	fs.StringVar(&f.caFile, "ca-file", "", "PEM file of CA certificates to trust besides the system's")
	fs.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification (dangerous: for debugging only)")
	fs.BoolVar(&f.allowHTTP, "allow-http-endpoints", false, "accept http:// endpoints in an https issuer's metadata (dangerous: secrets and tokens then cross the network in clear)")
	fs.Int64Var(&f.maxBody, "max-body", flows.DefaultMaxBody, "largest response body accepted, in bytes")
	fs.StringVar(&f.clientCert, "client-cert", "", "PEM client certificate for mutual TLS (RFC 8705: tls_client_auth, self_signed_tls_client_auth, certificate-bound tokens); needs --client-key")
	fs.StringVar(&f.clientKey, "client-key", "", "PEM private key of --client-cert")
}

// options turns the flags into transport options, warning about --insecure every time.
func (f *transportFlags) options(e *env) (flows.TransportOptions, error) {
	opts := flows.TransportOptions{Timeout: f.timeout, MaxBody: f.maxBody, Insecure: f.insecure, AllowHTTPEndpoints: f.allowHTTP}
	if f.timeout <= 0 {
		return opts, usagef("--timeout must be positive")
	}
	if f.maxBody <= 0 {
		return opts, usagef("--max-body must be positive")
	}
	if f.caFile != "" {
		pem, err := os.ReadFile(f.caFile)
		if err != nil {
			return opts, usagef("--ca-file: %v", err)
		}
		opts.CABundle = pem
	}
	if err := f.loadClientCertificate(&opts); err != nil {
		return opts, err
	}
	if f.insecure {
		fmt.Fprintln(e.stderr, "warning: --insecure: TLS certificates are not verified; anyone on the network path can read and change this traffic")
	}
	if f.allowHTTP {
		fmt.Fprintln(e.stderr, "warning: --allow-http-endpoints: http:// endpoints named by an https issuer's metadata are used; the client secret and tokens sent to them cross the network in clear")
	}
	return opts, nil
}

// traceFlags ask for the HTTP trace on stderr.
type traceFlags struct {
	verbose     bool
	curl        bool
	showSecrets bool
	save        string
}

func (f *traceFlags) register(fs *pflag.FlagSet) {
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "print every HTTP exchange on stderr, secrets masked")
	fs.BoolVar(&f.curl, "curl", false, "print every request as a curl command on stderr, secrets masked (implies -v)")
	fs.BoolVar(&f.showSecrets, "show-secrets", false, "print the trace with secrets and tokens in clear (implies -v)")
	fs.StringVar(&f.save, "save-trace", "", "write every HTTP exchange to this file, secrets redacted, to attach to a ticket: HAR 1.2 when it ends in .har, else Markdown")
}

// printer returns the trace printer, warning when secrets will show.
func (f *traceFlags) printer(e *env) *tracePrinter {
	if f.showSecrets {
		fmt.Fprintln(e.stderr, "warning: --show-secrets: the trace shows client secrets and tokens in clear; do not paste it anywhere")
	}
	p := &tracePrinter{w: e.stderr, enabled: f.verbose || f.curl || f.showSecrets, curl: f.curl, showSecrets: f.showSecrets, save: f.save}
	if p.enabled || p.save != "" {
		// A request interrupted at a slow provider is the trace a ticket needs.
		e.cancelOnInterrupt()
	}
	return p
}

// clientFlags are the flags shared by every command that acts as a client of a provider: token,
// userinfo, introspect and revoke.
type clientFlags struct {
	provider  providerFlags
	creds     credentialFlags
	transport transportFlags
	trace     traceFlags
	// profile names a saved profile (--profile); the other flags given override it.
	profile string
	// noClientAuth says the command never authenticates the client (userinfo), so a profile's
	// secret is not resolved.
	noClientAuth bool
	// loaded is the profile, once read.
	loaded *profiles.Profile
	// run is what the command lays over the profile, or over the flags alone: its grant and the
	// scopes asked for (profiles.Run).
	run profiles.Run
}

func (f *clientFlags) register(fs *pflag.FlagSet) {
	f.registerProvider(fs)
	f.creds.register(fs)
}

// registerProvider registers what reaches a provider with no client: the profile, the provider,
// transport and trace flags (discover).
func (f *clientFlags) registerProvider(fs *pflag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "use a saved profile (tokenbench profile list); the flags given beside it override it for this run")
	f.provider.register(fs)
	f.transport.register(fs)
	f.trace.register(fs)
}

// config builds the client configuration from the flags; the caller adds what its command needs.
func (f *clientFlags) config(e *env, fs *pflag.FlagSet) (flows.ClientConfig, error) {
	cfg := flows.ClientConfig{
		Issuer:     strings.TrimSpace(f.provider.issuer),
		Endpoints:  f.provider.given(),
		ClientID:   f.creds.clientID,
		SigningAlg: f.creds.signingAlg,
	}
	if cfg.Issuer == "" && cfg.Endpoints == (flows.Endpoints{}) {
		return cfg, usagef("no provider: give --issuer, or the endpoints (--token-endpoint …)")
	}
	secret, err := f.creds.clientSecret(e, fs)
	if err != nil {
		return cfg, err
	}
	cfg.ClientSecret = secret
	if m := f.creds.authMethod; m != "" {
		am, ok := flows.ParseAuthMethod(m)
		if !ok {
			return cfg, usagef("unknown --auth-method %q; valid methods: %s", m, authMethodList())
		}
		cfg.AuthMethod = am
	}
	if cfg.TokenHeaders, err = profiles.ParseHeaders(f.creds.headers); err != nil {
		return cfg, usagef("--token-header %v", err)
	}
	if cfg.SigningKey, err = readKeyFlag("signing-key", f.creds.signingKey, flows.ParsePrivateKey); err != nil {
		return cfg, err
	}
	switch a := f.creds.assertionAud; a {
	case "", flows.AssertionAudTokenEndpoint, flows.AssertionAudIssuer:
		cfg.ClientAssertionAudience = a
	default:
		return cfg, usagef("--client-assertion-aud %q: use %s or %s", a, flows.AssertionAudTokenEndpoint, flows.AssertionAudIssuer)
	}
	if id := f.creds.signingKeyID; id != "" {
		if cfg.SigningKey == nil {
			return cfg, usagef("--signing-key-id names the kid of --signing-key, which is not given")
		}
		cfg.SigningKey.KeyID = id
	}
	cfg.DecryptionKey, err = readKeyFlag("decryption-key", f.creds.decryptionKey, flows.ParseSigningKey)
	return cfg, err
}

// readKeyFlag reads the private key file a flag names (PEM or JWK) with parse; nil when the flag is
// empty.
func readKeyFlag(flag, path string, parse func([]byte) (*jose.JSONWebKey, error)) (*jose.JSONWebKey, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--%s: %v", flag, err)
	}
	k, err := parse(data)
	if err != nil {
		return nil, usagef("--%s %s: %v", flag, path, err)
	}
	return k, nil
}

// clientSecret applies the precedence --client-secret > --client-secret-file > $TOKENBENCH_CLIENT_SECRET.
func (f *credentialFlags) clientSecret(e *env, fs *pflag.FlagSet) (string, error) {
	switch {
	case fs.Changed("client-secret"):
		return f.secret, nil
	case f.secretFile != "":
		data, err := os.ReadFile(f.secretFile)
		if err != nil {
			return "", usagef("--client-secret-file: %v", err)
		}
		return strings.TrimRight(string(data), "\r\n"), nil
	}
	return e.getenv(envClientSecret), nil
}

// newClient builds the client: the flags laid over the profile through profiles.Resolve, or the
// flags alone with the same defaults (profiles.Defaults), then adjust (the command's own settings),
// then the transport.
func (f *clientFlags) newClient(ctx context.Context, e *env, fs *pflag.FlagSet, adjust func(*flows.ClientConfig)) (*flows.Client, error) {
	var (
		cfg  flows.ClientConfig
		opts flows.TransportOptions
		err  error
	)
	if f.profile != "" {
		cfg, opts, err = f.profileClient(ctx, e, fs)
	} else {
		cfg, err = f.config(e, fs)
		if err == nil {
			profiles.Defaults(&cfg, f.run)
			opts, err = f.transport.options(e)
		}
	}
	if err != nil {
		return nil, err
	}
	if adjust != nil {
		adjust(&cfg)
	}
	c, err := flows.NewClient(cfg, opts)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return c, nil
}

func authMethodList() string {
	names := make([]string, 0, len(flows.AuthMethods()))
	for _, m := range flows.AuthMethods() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}
