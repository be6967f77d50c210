package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// Environment variables that hold registration credentials, so they stay out of shell history.
const (
	envInitialAccessToken      = "TOKENBENCH_INITIAL_ACCESS_TOKEN"
	envRegistrationAccessToken = "TOKENBENCH_REGISTRATION_ACCESS_TOKEN"
)

// registerOptions are the flags of `tokenbench register` and its subcommands.
type registerOptions struct {
	provider  providerFlags
	transport transportFlags
	trace     traceFlags
	// endpoint overrides discovery's registration_endpoint.
	endpoint     string
	initialToken string
	meta         metadataFlags
	// save names the profile the new client is saved as; secretRef is where its secret goes.
	save      string
	secretRef string
	// uri and regToken manage a registration (RFC 7592).
	uri, regToken string
}

// metadataFlags are the client metadata a registration asks for (RFC 7591 §2).
type metadataFlags struct {
	file         string
	redirectURIs []string
	grantTypes   []string
	authMethod   string
	name         string
	scope        string
}

func (f *metadataFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.file, "metadata", "", "a JSON file of client metadata (RFC 7591 §2) to send; the flags below replace its members")
	fs.StringArrayVar(&f.redirectURIs, "redirect-uri", nil, "a redirect URI to register (repeatable; default "+registerRedirectURI+", on which any port works, RFC 8252 §7.3)")
	fs.StringArrayVar(&f.grantTypes, "grant-type", nil, "a grant type to register (repeatable; default authorization_code and refresh_token)")
	fs.StringVar(&f.authMethod, "auth-method", "", "token_endpoint_auth_method (default client_secret_basic)")
	fs.StringVar(&f.name, "client-name", "", "client_name, shown to users on the consent page (default tokenbench)")
	fs.StringVar(&f.scope, "scope", "", "scope the client may ask for, space- or comma-separated")
}

// registerRedirectURI is the redirect URI a registration asks for by default.
const registerRedirectURI = flows.DefaultRegistrationRedirectURI

// document builds the metadata: the file's, with the flags given laid over it; with defaults
// filled in for a new registration.
func (f *metadataFlags) document(fs *pflag.FlagSet, defaults bool) (map[string]any, error) {
	meta := map[string]any{}
	if f.file != "" {
		data, err := os.ReadFile(f.file)
		if err != nil {
			return nil, usagef("--metadata: %v", err)
		}
		if err := json.Unmarshal(data, &meta); err != nil || meta == nil {
			return nil, usagef("--metadata %s: not a JSON object (%v)", f.file, err)
		}
	}
	set := func(flag, key string, v any, def any) {
		switch {
		case fs.Changed(flag):
			meta[key] = v
		case defaults && meta[key] == nil && def != nil:
			meta[key] = def
		}
	}
	def := flows.DefaultRegistration()
	if defaults && meta["redirect_uris"] == nil && !fs.Changed("redirect-uri") {
		// The loopback redirect URI asked for by default brings what goes with it.
		for k, v := range flows.LoopbackRegistration() {
			if meta[k] == nil {
				meta[k] = v
			}
		}
	}
	set("redirect-uri", "redirect_uris", f.redirectURIs, def["redirect_uris"])
	set("grant-type", "grant_types", f.grantTypes, def["grant_types"])
	set("auth-method", "token_endpoint_auth_method", f.authMethod, nil)
	set("client-name", "client_name", f.name, def["client_name"])
	set("scope", "scope", strings.Join(splitScopes(f.scope), " "), nil)
	return meta, nil
}

func newRegisterCmd(e *env) *cobra.Command {
	o := &registerOptions{}
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Register a client with a provider that allows it (dynamic client registration)",
		Long: `Register a new client (RFC 7591) at the provider's registration_endpoint (from discovery, or
--registration-endpoint), with an initial access token when the provider wants one. The answer,
client secret and registration access token included, is printed on stdout as received; what
was granted (which may differ from what was asked for) is summed up on stderr.

With --save NAME the client becomes a profile, its secret kept by reference (--client-secret-ref:
keyring: by default, or file:PATH, written 0600). Keep the registration access token and
registration_client_uri from stdout to read, update or delete the registration later (RFC 7592):
tokenbench register read|update|delete.`,
		Example: `  tokenbench register --issuer http://127.0.0.1:9000 --save demo-dyn
  tokenbench register --issuer https://idp.example.com --initial-access-token - < iat.txt \
     --redirect-uri http://127.0.0.1/callback --grant-type authorization_code --client-name "support bench"`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.create(cmd.Context(), e, cmd.Flags())
		},
	}
	fs := cmd.Flags()
	o.registerCommon(fs)
	fs.StringVar(&o.endpoint, "registration-endpoint", "", "URL of the registration endpoint (overrides discovery, or replaces it without --issuer)")
	fs.StringVar(&o.initialToken, "initial-access-token", "", "the initial access token the provider wants for registration ('-' reads it from stdin; or $"+envInitialAccessToken+")")
	fs.StringVar(&o.save, "save", "", "save the new client as a profile with this name")
	fs.StringVar(&o.secretRef, "client-secret-ref", "keyring:", "with --save: where the client secret is kept: keyring:, keyring:ACCOUNT or file:PATH")
	o.meta.register(fs)
	cmd.AddCommand(newRegisterManageCmd(e, "read", "Read a client's registration (RFC 7592 §2.1)"),
		newRegisterManageCmd(e, "update", "Replace a client's metadata (RFC 7592 §2.2)"),
		newRegisterManageCmd(e, "delete", "Delete a client's registration (RFC 7592 §2.3)"))
	return cmd
}

// registerCommon registers the provider, transport and trace flags.
func (o *registerOptions) registerCommon(fs *pflag.FlagSet) {
	o.provider.register(fs)
	o.transport.register(fs)
	o.trace.register(fs)
}

// newRegisterManageCmd is one of register read, update and delete.
func newRegisterManageCmd(e *env, verb, short string) *cobra.Command {
	m := &registerOptions{}
	cmd := &cobra.Command{
		Use:   verb,
		Short: short,
		Long: short + `, at its registration_client_uri with its registration access token,
both from the registration's answer. update sends the whole metadata document (--metadata and
the flags), with the client_id; read and update print the answer on stdout as received.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return m.manage(cmd.Context(), e, cmd.Flags(), verb)
		},
	}
	fs := cmd.Flags()
	m.transport.register(fs)
	m.trace.register(fs)
	fs.StringVar(&m.uri, "registration-client-uri", "", "the registration_client_uri of the client")
	fs.StringVar(&m.regToken, "registration-access-token", "", "the registration access token ('-' reads it from stdin; or $"+envRegistrationAccessToken+")")
	if verb == "update" {
		m.meta.register(fs)
	}
	return cmd
}

// client is a client of the provider with no credentials of its own.
func (o *registerOptions) client(e *env, issuer string) (*flows.Client, error) {
	opts, err := o.transport.options(e)
	if err != nil {
		return nil, err
	}
	c, err := flows.NewClient(flows.ClientConfig{Issuer: issuer, Endpoints: o.provider.given()}, opts)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return c, nil
}

func (o *registerOptions) create(ctx context.Context, e *env, fs *pflag.FlagSet) error {
	issuer := strings.TrimSpace(o.provider.issuer)
	if issuer == "" && o.endpoint == "" {
		return usagef("no provider: give --issuer, or --registration-endpoint")
	}
	if o.save != "" {
		if err := profiles.ValidateName(o.save); err != nil {
			return usagef("--save: %v", err)
		}
	}
	token, err := stdinOr(ctx, e, o.initialToken)
	if err != nil {
		return err
	}
	if token == "" {
		token = e.getenv(envInitialAccessToken)
	}
	meta, err := o.meta.document(fs, true)
	if err != nil {
		return err
	}
	c, err := o.client(e, issuer)
	if err != nil {
		return err
	}
	trace := o.trace.printer(e)
	defer trace.flush(c.Trace)
	endpoint := o.endpoint
	if endpoint == "" {
		if endpoint, err = c.RegistrationEndpoint(ctx); err != nil {
			return err
		}
	}
	reg, err := c.Register(ctx, endpoint, meta, token)
	if err != nil {
		return err
	}
	e.writeBody(reg.Body)
	showGranted(e, reg, meta)
	if o.save == "" {
		return nil
	}
	if issuer == "" {
		return usagef("--save needs --issuer: the profile names the provider by it")
	}
	return o.saveProfile(ctx, e, issuer, reg)
}

// showGranted says on stderr what the provider granted, and where it differs from what was asked.
func showGranted(e *env, reg *flows.Registration, asked map[string]any) {
	fmt.Fprintf(e.stderr, "registered client %s\n", reg.ClientID)
	fmt.Fprintf(e.stderr, "  auth method    %s\n", reg.AuthMethod())
	fmt.Fprintf(e.stderr, "  grant types    %s\n", strings.Join(reg.Strings("grant_types"), " "))
	fmt.Fprintf(e.stderr, "  redirect URIs  %s\n", strings.Join(reg.Strings("redirect_uris"), " "))
	switch {
	case reg.ClientSecret == "":
		fmt.Fprintln(e.stderr, "  secret         none (a public client)")
	case reg.ClientSecretExpiresAt == 0:
		fmt.Fprintln(e.stderr, "  secret         issued; it does not expire")
	default:
		fmt.Fprintf(e.stderr, "  secret         issued; it expires %s\n", time.Unix(reg.ClientSecretExpiresAt, 0).UTC().Format(time.RFC3339))
	}
	if reg.RegistrationClientURI != "" {
		fmt.Fprintf(e.stderr, "  manage at      %s (with the registration_access_token on stdout)\n", reg.RegistrationClientURI)
	}
	for _, k := range []string{"redirect_uris", "grant_types", "token_endpoint_auth_method", "scope"} {
		a, _ := json.Marshal(asked[k])
		g, _ := json.Marshal(reg.Metadata[k])
		if asked[k] != nil && string(a) != string(g) {
			fmt.Fprintf(e.stderr, "note: %s was asked as %s and granted as %s\n", k, a, g)
		}
	}
}

// saveProfile keeps the new client as a profile, its secret by reference.
func (o *registerOptions) saveProfile(ctx context.Context, e *env, issuer string, reg *flows.Registration) error {
	s, err := openStore(e)
	if err != nil {
		return err
	}
	if _, err := s.Get(o.save); err == nil {
		return usagef("a profile named %q already exists; the client is registered (stdout), but not saved", o.save)
	}
	p := profiles.FromRegistration(o.save, issuer, reg)
	if reg.ClientSecret != "" {
		if err := o.keepSecret(ctx, e, &p, reg.ClientSecret); err != nil {
			return err
		}
	}
	if err := p.Validate(); err != nil {
		return profileFieldError(p.Name, err)
	}
	if err := s.Add(p); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "saved as profile %s in %s\n", p.Name, s.Path())
	return nil
}

// keepSecret stores the secret where --client-secret-ref says and sets the profile's reference.
func (o *registerOptions) keepSecret(ctx context.Context, e *env, p *profiles.Profile, secret string) error {
	ref, err := profiles.ParseSecretRef(o.secretRef)
	if err != nil {
		return usagef("--client-secret-ref: %v", err)
	}
	switch ref.Kind() {
	case profiles.SecretKeyring:
		if err := newSecrets(e).StoreKeyring(ctx, ref, p.Name, secret); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "stored the client secret in the OS keyring (service %s, account %s)\n", profiles.KeyringService, ref.KeyringAccount(p.Name))
	case profiles.SecretFile:
		path := absPath(ref.Target())
		if err := os.WriteFile(profiles.ExpandHome(path), []byte(secret+"\n"), 0o600); err != nil {
			return err
		}
		ref = profiles.SecretRef("file:" + path)
		fmt.Fprintf(e.stderr, "wrote the client secret to %s (mode 0600)\n", path)
	default:
		return usagef("--client-secret-ref %s: register keeps the secret in the keyring (keyring:) or a file (file:PATH); for env: or cmd:, save it there from stdout and use profile add", ref.Masked())
	}
	p.ClientSecret = ref
	return nil
}

// manage runs register read, update or delete.
func (o *registerOptions) manage(ctx context.Context, e *env, fs *pflag.FlagSet, verb string) error {
	if o.uri == "" {
		return usagef("give --registration-client-uri (from the registration's answer)")
	}
	token, err := stdinOr(ctx, e, o.regToken)
	if err != nil {
		return err
	}
	if token == "" {
		token = e.getenv(envRegistrationAccessToken)
	}
	if token == "" {
		return usagef("give --registration-access-token (or $%s)", envRegistrationAccessToken)
	}
	c, err := o.client(e, "")
	if err != nil {
		return err
	}
	trace := o.trace.printer(e)
	defer trace.flush(c.Trace)
	var reg *flows.Registration
	switch verb {
	case "read":
		reg, err = c.ReadRegistration(ctx, o.uri, token)
	case "update":
		meta, merr := o.meta.document(fs, false)
		if merr != nil {
			return merr
		}
		if meta["client_id"] == nil {
			return usagef("update sends the whole document with its client_id: put it in --metadata FILE (register read prints the current one)")
		}
		reg, err = c.UpdateRegistration(ctx, o.uri, token, meta)
	default:
		if err := c.DeleteRegistration(ctx, o.uri, token); err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, "deleted the registration (HTTP 204): the client's credentials no longer work")
		return nil
	}
	if err != nil {
		return err
	}
	e.writeBody(reg.Body)
	showGranted(e, reg, nil)
	if reg.RegistrationAccessToken != "" && reg.RegistrationAccessToken != token {
		// RFC 7592 §3: the answer may carry a new registration access token, which replaces the old.
		fmt.Fprintln(e.stderr, "note: the provider issued a new registration access token with this answer (on stdout): use it from now on, the old one may no longer work")
	}
	return nil
}
