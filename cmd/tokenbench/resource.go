package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
)

// resourceOptions are the flags of userinfo, introspect and revoke: the shared client flags, the
// token, and (for introspect and revoke) a token_type_hint.
type resourceOptions struct {
	client clientFlags
	token  string
	hint   string
	dpop   dpopFlags
}

// resourceCall is one of the three calls, given the client and the token.
type resourceCall func(ctx context.Context, e *env, c *flows.Client, token, hint string) error

// newResourceCmd builds one of userinfo, introspect and revoke. withHint also says the call
// authenticates the client (introspect, revoke), so a profile's secret is needed.
func newResourceCmd(e *env, use, short, long string, withHint bool, call resourceCall) *cobra.Command {
	o := &resourceOptions{}
	o.client.noClientAuth = !withHint
	cmd := &cobra.Command{
		Use:   use + " [TOKEN | -]",
		Short: short,
		Long:  long,
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, e, args, call)
		},
	}
	fs := cmd.Flags()
	o.client.register(fs)
	fs.StringVar(&o.token, "token", "", "the token (instead of the argument)")
	if withHint {
		fs.StringVar(&o.hint, "token-type-hint", "", "token_type_hint: access_token or refresh_token")
	}
	if !withHint {
		o.dpop.register(fs, false)
	}
	return cmd
}

func (o *resourceOptions) run(cmd *cobra.Command, e *env, args []string, call resourceCall) error {
	ctx := cmd.Context()
	token, err := tokenArg(ctx, e, args, o.token)
	if err != nil {
		return err
	}
	c, err := o.client.newClient(ctx, e, cmd.Flags(), nil)
	if err != nil {
		return err
	}
	if err := o.dpop.apply(e, c); err != nil {
		return err
	}
	trace := o.client.trace.printer(e)
	defer trace.flush(c.Trace)
	return call(ctx, e, c, token, o.hint)
}

// tokenArg takes the token from the argument, '-' (stdin) or --token.
func tokenArg(ctx context.Context, e *env, args []string, flag string) (string, error) {
	switch {
	case len(args) == 1 && flag != "":
		return "", usagef("give the token as an argument or with --token, not both")
	case len(args) == 1 && args[0] == "-":
		t, err := e.readAll(ctx)
		if err == nil && t == "" {
			err = usagef("stdin held no token")
		}
		return t, err
	case len(args) == 1:
		return args[0], nil
	case flag != "":
		return flag, nil
	}
	return "", usagef("no token: give it as an argument, '-' to read stdin, or --token")
}

func newUserInfoCmd(e *env) *cobra.Command {
	var u userInfoFlags
	cmd := newResourceCmd(e, "userinfo", "Call the userinfo endpoint with an access token",
		`Call the userinfo endpoint (OpenID Connect Core §5.3) with the access token as a bearer token,
and print the claims on stdout: a JSON answer as received, and for a JWT answer (application/jwt)
the claims it carries (--raw prints the JWT itself). A JWT answer is decrypted with
--decryption-key when encrypted, and its signature, iss and aud are verified (§5.3.2, §10.1).
With --id-token, the answer's subject is compared with the id_token's sub, as §5.3.2 requires.
The checks are printed on stderr; the exit status is 1 when one fails.`,
		false, func(ctx context.Context, e *env, c *flows.Client, token, _ string) error {
			return u.run(ctx, e, c, token)
		})
	u.register(cmd.Flags())
	return cmd
}

// userInfoFlags are userinfo's own flags.
type userInfoFlags struct {
	// idToken is the session's id_token, or a file holding it: the answer's subject must be its sub.
	idToken string
	// raw prints a JWT answer as received instead of its claims.
	raw bool
}

func (u *userInfoFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&u.idToken, "id-token", "", "the id_token of the same session, or a file holding it: the answer's subject must be its sub (OpenID Connect Core §5.3.2); an encrypted one needs --decryption-key")
	fs.BoolVar(&u.raw, "raw", false, "print a JWT answer (application/jwt) as received instead of its claims")
}

// run calls userinfo, prints the claims on stdout and the checks on stderr.
func (u *userInfoFlags) run(ctx context.Context, e *env, c *flows.Client, token string) error {
	want, err := u.expect(c)
	if err != nil {
		return err
	}
	res, err := c.UserInfo(ctx, token, want)
	if err != nil {
		return err
	}
	if res.JWT != nil && !u.raw {
		e.writeBody(res.JWT.Payload)
	} else {
		e.writeBody(res.Body)
	}
	fmt.Fprintf(e.stderr, "userinfo answer: %s\n", res.Form())
	printChecks(e.stderr, "userinfo checks", res.Checks())
	if !res.OK() {
		explainFailedChecks(e.stderr, res.Checks())
		return errChecksFailed
	}
	return nil
}

// expect reads the --id-token's sub; without one the subject check is skipped, saying why.
func (u *userInfoFlags) expect(c *flows.Client) (flows.UserInfoExpect, error) {
	if u.idToken == "" {
		return flows.UserInfoExpect{NoSubject: "no id_token was given (--id-token TOKEN|FILE)"}, nil
	}
	raw := u.idToken
	data, fileErr := os.ReadFile(raw)
	if fileErr == nil {
		raw = strings.TrimSpace(string(data))
	}
	sub, err := c.IDTokenSubject(raw)
	switch {
	case err == nil:
		return flows.UserInfoExpect{Subject: sub}, nil
	case fileErr != nil && strings.Count(raw, ".") < 2:
		return flows.UserInfoExpect{}, usagef("--id-token %q is neither a JWT nor a file that can be read: %v", u.idToken, fileErr)
	}
	return flows.UserInfoExpect{}, usagef("--id-token: %s", describe(err))
}

func newIntrospectCmd(e *env) *cobra.Command {
	return newResourceCmd(e, "introspect", "Ask the introspection endpoint about a token",
		"Ask the introspection endpoint (RFC 7662) about a token, authenticating as the client, and print\nthe answer on stdout as received.",
		true, func(ctx context.Context, e *env, c *flows.Client, token, hint string) error {
			res, err := c.Introspect(ctx, token, hint)
			if err != nil {
				return err
			}
			e.writeBody(res.Body)
			return nil
		})
}

func newRevokeCmd(e *env) *cobra.Command {
	return newResourceCmd(e, "revoke", "Revoke a token",
		"Revoke a token at the revocation endpoint (RFC 7009), authenticating as the client. Nothing is\nprinted on stdout; success is reported on stderr.",
		true, func(ctx context.Context, e *env, c *flows.Client, token, hint string) error {
			if err := c.Revoke(ctx, token, hint); err != nil {
				return err
			}
			fmt.Fprintln(e.stderr, "revoked (HTTP 200)")
			return nil
		})
}
