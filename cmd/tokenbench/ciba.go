package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
)

// cibaFlags are the backchannel authentication request's parameters (OpenID CIBA Core §7.1).
type cibaFlags struct {
	loginHint, idTokenHint, loginHintToken string
	bindingMessage, userCode               string
	requestedExpiry                        time.Duration
}

func (f *cibaFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.loginHint, "login-hint", "", "ciba: the user to authenticate, as the provider knows them (the built-in provider's user is demo)")
	fs.StringVar(&f.idTokenHint, "id-token-hint", "", "ciba: an ID token naming the user, instead of --login-hint")
	fs.StringVar(&f.loginHintToken, "login-hint-token", "", "ciba: a login_hint_token naming the user, instead of --login-hint")
	fs.StringVar(&f.bindingMessage, "binding-message", "", "ciba: a short message shown on both devices, so the user can tell the request is theirs")
	fs.StringVar(&f.userCode, "user-code", "", "ciba: a secret code the user knows, for providers that ask for one")
	fs.DurationVar(&f.requestedExpiry, "requested-expiry", 0, "ciba: the lifetime to ask for the auth_req_id (default: the provider's)")
}

// check refuses CIBA flags with another grant, and a CIBA request without a hint.
func (f *cibaFlags) check(fs *pflag.FlagSet, grant string) error {
	if grant != flows.GrantCIBA {
		for _, name := range []string{"login-hint", "id-token-hint", "login-hint-token", "binding-message", "user-code", "requested-expiry"} {
			if fs.Changed(name) {
				return usagef("--%s applies to --grant ciba only (for the authorization request, use --param login_hint=…)", name)
			}
		}
		return nil
	}
	if f.loginHint == "" && f.idTokenHint == "" && f.loginHintToken == "" {
		return usagef("--grant ciba needs the user: --login-hint, --id-token-hint or --login-hint-token")
	}
	return nil
}

// ciba runs CIBA in poll mode: the backchannel authentication request, then polling the token
// endpoint as the device grant does while the user approves on their authentication device.
func (o *tokenOptions) cibaGrant(ctx context.Context, e *env, c *flows.Client, trace *tracePrinter) (*grantRun, error) {
	f := o.ciba
	a, err := c.BackchannelAuthorize(ctx, flows.CIBARequest{
		LoginHint: f.loginHint, IDTokenHint: f.idTokenHint, LoginHintToken: f.loginHintToken,
		BindingMessage: f.bindingMessage, UserCode: f.userCode, RequestedExpiry: f.requestedExpiry,
		Params: o.rar.cibaParams(),
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "backchannel authentication started: auth_req_id %s, expires in %s s\n", shorten(a.AuthReqID), a.ExpiresIn)
	if a.BindingMessage != "" {
		fmt.Fprintf(e.stderr, "binding message (check that the authentication device shows the same):\n\n    %s\n\n", a.BindingMessage)
	}
	if a.ApprovalURI != "" {
		fmt.Fprintf(e.stderr, "To approve as the built-in provider's user, open\n\n  %s\n\n(add &deny=1 to deny)\n", a.ApprovalURI)
		if !o.noBrowser {
			openBrowser(e, a.ApprovalURI)
		}
	} else {
		fmt.Fprintln(e.stderr, "The user approves on their authentication device (the provider's app or page).")
	}
	fmt.Fprintf(e.stderr, "Waiting for approval, polling every %s (ctrl-c to stop)…\n", a.PollInterval())
	t, err := c.PollCIBA(ctx, a, func(p flows.DevicePoll) {
		if trace.enabled {
			fmt.Fprintf(e.stderr, "poll: %s (next in %s)\n", p.Code, p.Interval)
		}
	})
	return &grantRun{token: t, openid: true}, err
}
