package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// logoutOptions are the flags of `tokenbench logout`.
type logoutOptions struct {
	client        clientFlags
	idToken       string
	redirectURI   string
	noRedirect    bool
	revokeRefresh string
	noBrowser     bool
	// cached takes the tokens from the profile's cache (token --cached) and drops them.
	cached bool
}

func newLogoutCmd(e *env) *cobra.Command {
	o := &logoutOptions{}
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "End the session at the provider (RP-initiated logout) in the browser",
		Long: `Build the RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0) as the workbench's
Logout step does, open it in the browser, and wait on loopback for the provider to send the
browser back, checking that the state sent comes back.

The redirect goes in the parameter the provider names (post_logout_redirect_uri; Cognito's
preset: logout_uri), and id_token_hint is sent unless the provider takes none (Cognito). The
post-logout redirect URI defaults to the redirect URI (the profile's, else a loopback one on
any free port); a provider usually wants it registered. A redirect URI that is not loopback is
sent as given and not waited for. With --revoke-refresh-token the refresh token is revoked
first (RFC 7009), authenticating as the client.`,
		Example: `  tokenbench logout --profile acme --id-token "$ID_TOKEN"
  tokenbench logout --issuer http://127.0.0.1:9000 --client-id demo-basic --id-token - < id_token.txt
  tokenbench logout --profile acme --id-token "$ID_TOKEN" --revoke-refresh-token "$REFRESH_TOKEN"`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), e, cmd)
		},
	}
	fs := cmd.Flags()
	o.client.register(fs)
	fs.StringVar(&o.idToken, "id-token", "", "the id_token of the session to end, sent as id_token_hint ('-' reads it from stdin)")
	fs.StringVar(&o.redirectURI, "post-logout-redirect-uri", "", "where the provider sends the browser afterwards (default: the redirect URI); a loopback one is listened on")
	fs.BoolVar(&o.noRedirect, "no-post-logout-redirect", false, "send no post-logout redirect URI: the provider shows its own page, and nothing is waited for")
	fs.StringVar(&o.revokeRefresh, "revoke-refresh-token", "", "revoke this refresh token first (RFC 7009; '-' reads it from stdin)")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "print the URL but do not open a browser")
	fs.BoolVar(&o.cached, "cached", false, "with --profile: take the id_token from the profile's cached tokens (token --cached), revoke their refresh token first, and drop them")
	return cmd
}

func (o *logoutOptions) run(ctx context.Context, e *env, cmd *cobra.Command) error {
	fs := cmd.Flags()
	if o.noRedirect && fs.Changed("post-logout-redirect-uri") {
		return usagef("--no-post-logout-redirect contradicts --post-logout-redirect-uri")
	}
	if o.idToken == "-" && o.revokeRefresh == "-" {
		return usagef("only one of --id-token and --revoke-refresh-token can read stdin")
	}
	idToken, err := stdinOr(ctx, e, o.idToken)
	if err != nil {
		return err
	}
	refresh, err := stdinOr(ctx, e, o.revokeRefresh)
	if err != nil {
		return err
	}
	if o.cached && o.client.profile == "" {
		return usagef("--cached takes the tokens kept for a profile: give --profile NAME")
	}
	o.client.noClientAuth = refresh == "" && !o.cached // only the revocation authenticates the client
	if err := o.client.useProfileGrant(e); err != nil {
		return err
	}
	c, err := o.client.newClient(ctx, e, fs, nil)
	if err != nil {
		return err
	}
	var cache *profiles.TokenCache
	if o.cached {
		if cache, idToken, refresh, err = o.fromCache(ctx, e, c, idToken, refresh); err != nil {
			return err
		}
	}
	trace := o.client.trace.printer(e)
	defer trace.flush(c.Trace)
	if refresh != "" {
		if err := c.Revoke(ctx, refresh, "refresh_token"); err != nil {
			return fmt.Errorf("revoking the refresh token: %w", err)
		}
		fmt.Fprintln(e.stderr, "refresh token revoked (HTTP 200)")
	}
	redirect := c.Config.RedirectURI
	switch {
	case o.noRedirect:
		redirect = ""
	case fs.Changed("post-logout-redirect-uri"):
		redirect = o.redirectURI
	}
	if idToken != "" && !c.LogoutTakesIDTokenHint() {
		fmt.Fprintln(e.stderr, "note: this provider's logout endpoint takes no id_token_hint; it is not sent")
	}
	var open func(context.Context, string) error
	if !o.noBrowser {
		open = func(_ context.Context, u string) error { openBrowser(e, u); return nil }
	}
	_, res, err := c.Logout(ctx, flows.LogoutOptions{
		IDTokenHint:           idToken,
		PostLogoutRedirectURI: redirect,
		Ready:                 func(r *flows.LogoutRequest) { showLogout(e, c, r) },
		Open:                  open,
	})
	if res != nil {
		printChecks(e.stderr, "post-logout redirect checks", res.Checks)
	}
	if err != nil {
		return err
	}
	if res != nil {
		fmt.Fprintln(e.stderr, "signed out: the provider sent the browser back with the state sent")
	}
	if cache != nil {
		if _, err := cache.Forget(o.client.profile); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "dropped the cached tokens of profile %s\n", o.client.profile)
	}
	return nil
}

// fromCache takes the id_token and refresh token from the profile's cached tokens, where the flags
// give none.
func (o *logoutOptions) fromCache(ctx context.Context, e *env, c *flows.Client, idToken, refresh string) (*profiles.TokenCache, string, string, error) {
	cache, err := tokenCache(e)
	if err != nil {
		return nil, "", "", err
	}
	entry, note, err := cache.Load(ctx, o.client.profile, profiles.CacheKey(c.Config, o.client.run.Grant))
	if err != nil {
		return nil, "", "", err
	}
	if entry == nil {
		fmt.Fprintf(e.stderr, "note: %s for profile %s: nothing to take from the cache\n", note, o.client.profile)
		return cache, idToken, refresh, nil
	}
	if t, err := flows.ParseTokenResponse(200, nil, entry.Body, entry.Received); err == nil && idToken == "" {
		idToken = t.IDToken
	}
	if refresh == "" {
		refresh = entry.RefreshToken
	}
	return cache, idToken, refresh, nil
}

// showLogout prints the logout URL and how its end is seen.
func showLogout(e *env, c *flows.Client, r *flows.LogoutRequest) {
	if r.Notice != "" {
		fmt.Fprintf(e.stderr, "note: %s\n", r.Notice)
	}
	fmt.Fprintf(e.stderr, "Open this URL to sign out:\n\n  %s\n\n", r.URL)
	switch {
	case r.Listening:
		e.cancelOnInterrupt()
		fmt.Fprintf(e.stderr, "Waiting for the browser to come back to %s (%s; ctrl-c to stop)…\n", r.RedirectURI, c.LogoutRedirectParameter())
	case r.RedirectURI != "":
		fmt.Fprintf(e.stderr, "The provider then sends the browser to %s, which tokenbench cannot listen on: the state is not checked.\n", r.RedirectURI)
	default:
		fmt.Fprintln(e.stderr, "No post-logout redirect URI is sent: the provider shows its own page.")
	}
}

// stdinOr is v, or stdin's content when v is "-".
func stdinOr(ctx context.Context, e *env, v string) (string, error) {
	if v != "-" {
		return v, nil
	}
	s, err := e.readAll(ctx)
	if err == nil && s == "" {
		err = usagef("stdin held nothing")
	}
	return s, err
}

// useProfileGrant runs as the profile's default grant (the authorization code grant when it names
// none), as token does, so that the client built is the one token --cached kept tokens for.
func (f *clientFlags) useProfileGrant(e *env) error {
	prof, err := f.loadProfile(e)
	if err != nil || prof == nil {
		return err
	}
	grant := flows.GrantAuthorizationCode
	if g, ok := profiles.GrantType(prof.Grant); ok {
		grant = g
	}
	f.run = profiles.Run{Grant: grant}
	return nil
}
