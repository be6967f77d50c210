package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// cibaFlags are the backchannel authentication request's parameters (OpenID CIBA Core §7.1).
type cibaFlags struct {
	loginHint, idTokenHint, loginHintToken string
	bindingMessage, userCode               string
	requestedExpiry                        time.Duration
	// mode and notificationEndpoint are the delivery mode and the client notification endpoint
	// (CIBA Core §4, §10), laid over the profile's ciba_mode and ciba_notification_endpoint.
	mode, notificationEndpoint string
}

func (f *cibaFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.loginHint, "login-hint", "", "ciba: the user to authenticate, as the provider knows them (the built-in provider's user is demo)")
	fs.StringVar(&f.idTokenHint, "id-token-hint", "", "ciba: an ID token naming the user, instead of --login-hint")
	fs.StringVar(&f.loginHintToken, "login-hint-token", "", "ciba: a login_hint_token naming the user, instead of --login-hint")
	fs.StringVar(&f.bindingMessage, "binding-message", "", "ciba: a short message shown on both devices, so the user can tell the request is theirs")
	fs.StringVar(&f.userCode, "user-code", "", "ciba: a secret code the user knows, for providers that ask for one")
	fs.DurationVar(&f.requestedExpiry, "requested-expiry", 0, "ciba: the lifetime to ask for the auth_req_id (default: the provider's)")
	for _, fd := range []struct {
		key string
		v   *string
	}{{"ciba_mode", &f.mode}, {"ciba_notification_endpoint", &f.notificationEndpoint}} {
		field, _ := profiles.LookupField(fd.key)
		fs.StringVar(fd.v, field.Flag, "", "ciba: "+field.Help)
	}
}

// check refuses CIBA flags with another grant, and a CIBA request without a hint.
func (f *cibaFlags) check(fs *pflag.FlagSet, grant string) error {
	if grant != flows.GrantCIBA {
		for _, name := range []string{"login-hint", "id-token-hint", "login-hint-token", "binding-message", "user-code", "requested-expiry", "ciba-mode", "ciba-notification-endpoint"} {
			if fs.Changed(name) {
				return usagef("--%s applies to --grant ciba only (for the authorization request, use --param login_hint=…)", name)
			}
		}
		return nil
	}
	if f.loginHint == "" && f.idTokenHint == "" && f.loginHintToken == "" {
		return usagef("--grant ciba needs the user: --login-hint, --id-token-hint or --login-hint-token")
	}
	if f.mode != "" && !slices.Contains(flows.CIBAModes, f.mode) {
		return usagef("unknown --ciba-mode %q; use %s", f.mode, strings.Join(flows.CIBAModes, ", "))
	}
	return nil
}

// delivery is the mode and notification endpoint of this run: the flags', else the profile's
// (the client's configuration).
func (f *cibaFlags) delivery(cfg flows.ClientConfig) (mode, endpoint string, err error) {
	mode, endpoint = cmp.Or(f.mode, cfg.CIBAMode, flows.CIBAPoll), cmp.Or(f.notificationEndpoint, cfg.CIBANotificationEndpoint)
	if mode != flows.CIBAPoll && endpoint == "" {
		return "", "", usagef("--ciba-mode %s needs the client notification endpoint registered for the client: --ciba-notification-endpoint http://127.0.0.1:PORT/PATH (or the profile's ciba_notification_endpoint)", mode)
	}
	return mode, endpoint, nil
}

// ciba runs CIBA: the backchannel authentication request, then, in poll mode, polling the token
// endpoint as the device grant does while the user approves on their authentication device; in
// ping and push modes, waiting at the client notification endpoint served on loopback (CIBA Core
// §10.2, §10.3).
func (o *tokenOptions) cibaGrant(ctx context.Context, e *env, c *flows.Client, trace *tracePrinter) (*grantRun, error) {
	f := o.ciba
	mode, endpoint, err := f.delivery(c.Config)
	if err != nil {
		return nil, err
	}
	req := flows.CIBARequest{
		LoginHint: f.loginHint, IDTokenHint: f.idTokenHint, LoginHintToken: f.loginHintToken,
		BindingMessage: f.bindingMessage, UserCode: f.userCode, RequestedExpiry: f.requestedExpiry,
		Params: o.rar.cibaParams(),
	}
	var notes *flows.CIBANotifications
	if mode != flows.CIBAPoll {
		if notes, err = flows.ListenCIBANotifications(endpoint); err != nil {
			return nil, err
		}
		defer notes.Close()
		req.ClientNotificationToken = notes.Token()
	}
	a, err := c.BackchannelAuthorize(ctx, req)
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
	e.cancelOnInterrupt()
	if notes != nil {
		fmt.Fprintf(e.stderr, "Waiting for approval: the provider's %s notification comes to %s, if the client is registered for %s mode with that endpoint (ctrl-c to stop)…\n", mode, notes.Endpoint(), mode)
		t, err := c.AwaitCIBA(ctx, a, notes, mode)
		if err == nil {
			fmt.Fprintf(e.stderr, "%s notification received\n", mode)
		}
		return &grantRun{token: t, openid: true}, err
	}
	fmt.Fprintf(e.stderr, "Waiting for approval, polling every %s (ctrl-c to stop)…\n", a.PollInterval())
	t, err := c.PollCIBA(ctx, a, func(p flows.DevicePoll) {
		if trace.enabled {
			fmt.Fprintf(e.stderr, "poll: %s (next in %s)\n", p.Code, p.Interval)
		}
	})
	return &grantRun{token: t, openid: true}, err
}
