package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
	"github.com/tokenbench/tokenbench/profiles"
)

// tokenOptions are the flags of `tokenbench token`.
type tokenOptions struct {
	client       clientFlags
	grant        string
	scope        string
	redirectURI  string
	pkce         string
	noPKCE       bool
	refreshToken string
	username     string
	password     string
	params       []string
	tokenParams  []string
	proofJWT     string
	par          parFlags
	response     responseFlags
	noBrowser    bool
	dpop         dpopFlags
	ciba         cibaFlags
	rar          rarFlags
	assertion    assertionFlags
	exchange     exchangeFlags
	cache        cacheFlags
}

func newTokenCmd(e *env) *cobra.Command {
	o := &tokenOptions{}
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Run one grant and print the token response as JSON",
		Long: `Run one grant and print the token response on stdout, as received; inside its strings,
characters a terminal would act on (escape sequences, bidi overrides) are written as \uXXXX escapes,
which any JSON reader decodes to the same value.

The id_token, when one comes back, is validated and every check is listed on stderr. The exit
status is 0 only when tokens were obtained and every check passed; 1 for a protocol error or a
failed check; 2 for a usage error.`,
		Example: `  tokenbench token --issuer https://idp.example.com --client-id app --client-secret-file secret.txt
  tokenbench token --issuer http://127.0.0.1:9000 --client-id demo-public --auth-method none
  tokenbench token --grant client_credentials --token-endpoint https://idp.example.com/token --client-id svc
  tokenbench token --grant refresh_token --refresh-token - < rt.txt --issuer … --client-id …
  tokenbench token --grant ciba --login-hint demo --binding-message W4SCT --issuer … --client-id … --client-secret …
  tokenbench token --authorization-details details.json --resource https://api.example.com/ --issuer … --client-id …`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), e, cmd)
		},
	}
	fs := cmd.Flags()
	o.client.register(fs)
	fs.StringVar(&o.grant, "grant", "authorization_code", "the grant: "+strings.Join(profiles.Grants(), ", "))
	fs.StringVar(&o.scope, "scope", "", `scopes, space- or comma-separated (default: the profile's or preset's, else "`+strings.Join(profiles.DefaultUserScopes, " ")+`"; none for client_credentials, refresh_token and token_exchange)`)
	fs.StringVar(&o.redirectURI, "redirect-uri", "", "redirect URI (default: the profile's, else "+profiles.DefaultRedirectURI+"); a loopback one is listened on (port 0: any free port), any other is pasted back")
	fs.StringVar(&o.pkce, "pkce", "S256", "PKCE method: S256, plain or none")
	fs.BoolVar(&o.noPKCE, "no-pkce", false, "send no PKCE challenge (same as --pkce none)")
	fs.StringVar(&o.refreshToken, "refresh-token", "", "the refresh token for --grant refresh_token ('-' reads it from stdin)")
	fs.StringVar(&o.username, "username", "", "the resource owner's username for --grant password")
	fs.StringVar(&o.password, "password", "", "the resource owner's password for --grant password (or $"+envPassword+")")
	fs.StringArrayVar(&o.params, "param", nil, "extra authorization request parameter k=v (repeatable), e.g. prompt=login, max_age=300")
	fs.StringArrayVar(&o.tokenParams, "token-param", nil, "extra token request parameter k=v (repeatable), e.g. resource=https://api")
	fs.StringVar(&o.proofJWT, "proof-jwt", "", "BlockID direct authorize: POST the authorization request with this proof_of_authentication_jwt instead of opening a browser")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "print the URL but do not open a browser")
	o.par.register(fs)
	o.ciba.register(fs)
	o.rar.register(fs)
	o.response.register(fs)
	o.dpop.register(fs, true)
	o.assertion.register(fs)
	o.exchange.register(fs)
	o.cache.register(fs)
	return cmd
}

// grantRun is what one grant produced: the token, and what its id_token is checked against.
type grantRun struct {
	token  *flows.Token
	expect flows.Expect
	// openid reports that an id_token was asked for.
	openid bool
}

func (o *tokenOptions) run(ctx context.Context, e *env, cmd *cobra.Command) error {
	fs := cmd.Flags()
	if err := o.cache.check(o.client.profile); err != nil {
		return err
	}
	prof, err := o.client.loadProfile(e)
	if err != nil {
		return err
	}
	if o.cache.forget {
		return forgetToken(e, prof.Name)
	}
	if prof != nil && prof.Grant != "" && !fs.Changed("grant") {
		o.grant = prof.Grant // the profile's default grant
	}
	grant, ok := profiles.GrantType(o.grant)
	if !ok {
		return usagef("unknown --grant %q; valid grants: %s", o.grant, strings.Join(profiles.Grants(), ", "))
	}
	if err := o.useProfile(e, prof, fs, grant); err != nil {
		return err
	}
	pkce, err := o.pkceMethod(fs.Changed("pkce"))
	if err != nil {
		return err
	}
	authParams, err := parseKV("--param", o.params)
	if err != nil {
		return err
	}
	tokenParams, err := parseKV("--token-param", o.tokenParams)
	if err != nil {
		return err
	}
	if err := o.ciba.check(fs, grant); err != nil {
		return err
	}
	if err := o.rar.apply(e, grant, authParams, tokenParams); err != nil {
		return err
	}
	o.client.run = profiles.Run{Grant: grant}
	if fs.Changed("scope") {
		o.client.run.Scopes = append([]string{}, splitScopes(o.scope)...) // --scope "" asks for none
	}
	c, err := o.client.newClient(ctx, e, fs, func(cfg *flows.ClientConfig) {
		// A profile's settings hold unless a flag is given.
		if prof == nil || fs.Changed("pkce") || fs.Changed("no-pkce") || cfg.PKCE == "" {
			cfg.PKCE = pkce
		}
		if fs.Changed("redirect-uri") {
			cfg.RedirectURI = o.redirectURI
		}
		cfg.AuthParams = mergeValues(cfg.AuthParams, authParams)
		cfg.TokenParams = mergeValues(cfg.TokenParams, tokenParams)
	})
	if err != nil {
		return err
	}
	if grant == flows.GrantRefreshToken {
		c.Config.RefreshScopes = c.Config.Scopes // --scope, when given
	}
	if err := o.dpop.apply(e, c); err != nil {
		return err
	}
	if err := o.par.apply(c, grant); err != nil {
		return err
	}
	if err := o.response.apply(c, grant); err != nil {
		return err
	}
	o.redirectURI = c.Config.RedirectURI
	trace := o.client.trace.printer(e)
	defer trace.flush(c.Trace)
	var (
		cache   *profiles.TokenCache
		res     *grantRun
		started = time.Now()
	)
	if o.cache.cached {
		if cache, err = tokenCache(e); err != nil {
			return err
		}
		r, err := cache.Reuse(ctx, o.client.profile, c, grant)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, r.Note)
		switch {
		case r.Token != nil && !r.Refreshed:
			return o.cache.writeToken(e, r.Token) // still valid: checked when it was obtained
		case r.Token != nil:
			res = &grantRun{token: r.Token}
		}
	}
	if res == nil {
		res, err = o.runGrant(ctx, e, c, grant, trace)
		if n := c.AuthMethodNote(); n != "" {
			fmt.Fprintf(e.stderr, "note: %s\n", n)
		}
		if err != nil {
			return err
		}
	}
	if err := o.cache.writeToken(e, res.token); err != nil {
		return err
	}
	for _, n := range res.token.Notes {
		fmt.Fprintf(e.stderr, "note: %s\n", n)
	}
	o.rar.reportAuthorizationDetails(e, res.token)
	dpopOK := reportDPoP(e, c, res.token)
	dpopOK = reportMTLS(e, c, res.token) && dpopOK
	err = o.reportToken(ctx, e, c, res)
	if err == nil && dpopOK && cache != nil {
		if err := cache.Keep(ctx, o.client.profile, c, grant, res.token, started); err != nil {
			fmt.Fprintf(e.stderr, "warning: the token could not be cached: %v\n", err)
		}
	}
	if err != nil || dpopOK {
		return err
	}
	return errChecksFailed
}

// runGrant obtains the token with the chosen grant.
func (o *tokenOptions) runGrant(ctx context.Context, e *env, c *flows.Client, grant string, trace *tracePrinter) (*grantRun, error) {
	switch grant {
	case flows.GrantAuthorizationCode:
		return o.authorizationCode(ctx, e, c)
	case flows.GrantDeviceCode:
		return o.deviceCode(ctx, e, c, trace)
	case flows.GrantCIBA:
		return o.cibaGrant(ctx, e, c, trace)
	case flows.GrantRefreshToken:
		return o.refresh(ctx, e, c)
	case flows.GrantPassword:
		return o.passwordGrant(ctx, e, c)
	case flows.GrantJWTBearer:
		return o.assertion.jwtBearer(ctx, e, c)
	case flows.GrantSAML2Bearer:
		return o.assertion.samlBearer(ctx, e, c)
	case flows.GrantTokenExchange:
		return o.exchange.tokenExchange(ctx, e, c)
	default:
		t, err := c.ClientCredentials(ctx)
		return &grantRun{token: t}, err
	}
}

// reportToken validates the id_token, if any, and says what happened on stderr.
func (o *tokenOptions) reportToken(ctx context.Context, e *env, c *flows.Client, res *grantRun) error {
	t := res.token
	if t.Rotation != flows.RotationNone {
		fmt.Fprintf(e.stderr, "refresh token: %s\n", rotationText(t.Rotation))
	}
	if t.IDToken == "" {
		if res.openid {
			fmt.Fprintln(e.stderr, "note: the openid scope was requested, but the response has no id_token")
		}
		return nil
	}
	exp := res.expect
	exp.AccessToken, exp.ServerDate, exp.IDToken = t.AccessToken, t.ServerDate, true
	report := c.ValidateIDToken(ctx, t.IDToken, exp)
	printChecks(e.stderr, "id_token checks", report.Checks)
	if !report.OK() {
		explainReport(e.stderr, report)
		return errChecksFailed
	}
	if !report.SignatureVerified() {
		// The README's promise: exit 0 only when every check passed. A skipped signature check is
		// not a pass: anyone could have written these claims (OpenID Connect Core §3.1.3.7 step 6).
		fmt.Fprintf(e.stderr, "error: the id_token's signature could not be verified: %s\n", unverifiedReason(report))
		return errChecksFailed
	}
	return nil
}

// unverifiedReason is why a report's signature check did not pass, from the check itself.
func unverifiedReason(r flows.Report) string {
	if c, ok := r.Find("signature"); ok && c.Detail != "" {
		return strings.TrimPrefix(c.Detail, "skipped: ")
	}
	return "no signature check was made"
}

func rotationText(r flows.Rotation) string {
	switch r {
	case flows.RotationRotated:
		return "rotated (a new one was issued; use it next time, the old one may no longer work)"
	case flows.RotationUnchanged:
		return "not rotated (the same refresh token came back)"
	case flows.RotationOmitted:
		return "not returned (keep using the one you have, RFC 6749 §6)"
	}
	return string(r)
}

// writeBody prints a response body on stdout, ending it with a newline. A JSON body goes through
// untrusted.JSON whether stdout is a terminal or not: a provider's string cannot move the cursor,
// set the title or the clipboard, or reorder the text (U+202E), and a program reading the output
// decodes the same value, so a pipe, a file shown later and a terminal all get the same safe bytes.
// Any other body is written as received into a file or pipe (a download stays byte for byte) and
// through untrusted.Text on a terminal.
func (e *env) writeBody(body []byte) {
	if out, ok := untrusted.JSON(body); ok {
		body = out
	} else if e.stdoutIsTerminal {
		body = []byte(untrusted.Text(string(body)))
	}
	e.stdout.Write(body) //nolint:errcheck // a closed stdout has nobody to tell
	if len(body) == 0 || body[len(body)-1] != '\n' {
		fmt.Fprintln(e.stdout)
	}
}

func (o *tokenOptions) pkceMethod(given bool) (flows.PKCEMethod, error) {
	if o.noPKCE {
		if given && o.pkce != string(flows.PKCENone) {
			return "", usagef("--no-pkce contradicts --pkce %s", o.pkce)
		}
		return flows.PKCENone, nil
	}
	for _, m := range []flows.PKCEMethod{flows.PKCES256, flows.PKCEPlain, flows.PKCENone} {
		if strings.EqualFold(o.pkce, string(m)) {
			return m, nil
		}
	}
	return "", usagef("unknown --pkce %q; use S256, plain or none", o.pkce)
}

// parseKV reads repeated k=v flags.
func parseKV(flag string, items []string) (url.Values, error) {
	v := url.Values{}
	for _, it := range items {
		k, val, ok := strings.Cut(it, "=")
		if !ok || k == "" {
			return nil, usagef("%s %q: expected name=value", flag, it)
		}
		v.Add(k, val)
	}
	return v, nil
}

func (o *tokenOptions) refresh(ctx context.Context, e *env, c *flows.Client) (*grantRun, error) {
	rt, err := stdinOr(ctx, e, o.refreshToken)
	if err != nil {
		return nil, err
	}
	if rt == "" {
		return nil, usagef("--grant refresh_token needs --refresh-token TOKEN (or - to read it from stdin)")
	}
	t, err := c.Refresh(ctx, rt)
	return &grantRun{token: t}, err
}

func (o *tokenOptions) passwordGrant(ctx context.Context, e *env, c *flows.Client) (*grantRun, error) {
	pw := o.password
	if pw == "" {
		pw = e.getenv(envPassword)
	}
	if o.username == "" || pw == "" {
		return nil, usagef("--grant password needs --username and --password (or $%s)", envPassword)
	}
	t, err := c.Password(ctx, o.username, pw)
	return &grantRun{token: t, openid: hasOpenID(c.Config.Scopes)}, err
}

func hasOpenID(scopes []string) bool {
	for _, s := range scopes {
		if s == "openid" {
			return true
		}
	}
	return false
}
