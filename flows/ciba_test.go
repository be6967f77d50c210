package flows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestCIBAPendingApproveToken(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx := context.Background()
	a, err := c.BackchannelAuthorize(ctx, flows.CIBARequest{LoginHint: "demo", BindingMessage: "W4SCT", RequestedExpiry: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if a.AuthReqID == "" || a.PollInterval() != time.Second || a.BindingMessage != "W4SCT" || !strings.HasPrefix(a.ApprovalURI, p.Issuer()+"/ciba?") {
		t.Fatalf("backchannel authentication: %+v", a)
	}
	if until := time.Until(a.Expiry); until < 110*time.Second || until > 2*time.Minute {
		t.Errorf("expiry in %s, want the requested 2 min", until)
	}
	sent := c.Trace.Exchanges()
	if last := sent[len(sent)-1]; last.Step != "ciba" || last.RequestHeader.Get("Authorization") == "" || !strings.Contains(string(last.RequestBody), "binding_message=W4SCT") {
		t.Errorf("backchannel request: step %q, headers %v, body %s", last.Step, last.RequestHeader, last.RequestBody)
	}
	var polls []flows.DevicePoll
	tok, err := c.PollCIBA(ctx, a, func(dp flows.DevicePoll) {
		if polls = append(polls, dp); len(polls) == 1 {
			demoidptest.Visit(t, a.ApprovalURI) // the user approves on the authentication device
		}
	})
	if err != nil || tok.AccessToken == "" || tok.IDToken == "" {
		t.Fatalf("poll: %v", err)
	}
	if len(polls) == 0 || polls[0].Code != "authorization_pending" {
		t.Fatalf("polls %+v, want authorization_pending first", polls)
	}
	if lastForm(t, c, "grant_type") != flows.GrantCIBA {
		t.Errorf("grant_type = %q", lastForm(t, c, "grant_type"))
	}
	if r := c.ValidateIDToken(ctx, tok.IDToken, flows.Expect{AccessToken: tok.AccessToken, IDToken: true}); !r.OK() {
		t.Errorf("id_token checks failed: %+v", r.Checks)
	}
}

func TestCIBASlowDownDeniedCancelled(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx := context.Background()

	// A client polling faster than the interval gets slow_down and adds 5 s.
	a, err := c.BackchannelAuthorize(ctx, flows.CIBARequest{LoginHint: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	a.Interval = "0.05"
	cctx, cancel := context.WithCancel(ctx)
	var polls []flows.DevicePoll
	_, err = c.PollCIBA(cctx, a, func(dp flows.DevicePoll) {
		if polls = append(polls, dp); dp.Code == "slow_down" {
			cancel()
		}
	})
	cancel()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if last := polls[len(polls)-1]; last.Code != "slow_down" || last.Interval != 50*time.Millisecond+5*time.Second {
		t.Fatalf("polls %+v, want slow_down with the interval grown by 5 s", polls)
	}

	// Denied on the authentication device.
	a, err = c.BackchannelAuthorize(ctx, flows.CIBARequest{LoginHint: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	demoidptest.Visit(t, a.ApprovalURI+"&deny=1")
	if _, err := c.PollCIBA(ctx, a, nil); oauthCode(err) != "access_denied" {
		t.Fatalf("err = %v, want access_denied", err)
	}

	// Cancelled before the first poll.
	a, _ = c.BackchannelAuthorize(ctx, flows.CIBARequest{LoginHint: "demo"})
	cctx, cancel = context.WithCancel(ctx)
	cancel()
	if _, err := c.PollCIBA(cctx, a, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestCIBAErrors(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx := context.Background()
	_, err := c.BackchannelAuthorize(ctx, flows.CIBARequest{LoginHint: "mallory"})
	var oe *flows.OAuthError
	if !errors.As(err, &oe) || oe.Code != "unknown_user_id" || !strings.Contains(oe.Description, `"mallory"`) || oe.Endpoint != "backchannel authentication endpoint" {
		t.Fatalf("unknown login hint: %v", err)
	}
	_, err = c.BackchannelAuthorize(ctx, flows.CIBARequest{LoginHint: "demo", BindingMessage: strings.Repeat("x", 100)})
	if oauthCode(err) != "invalid_binding_message" {
		t.Fatalf("long binding message: %v", err)
	}
	// An id_token_hint names the user as well as a login_hint does.
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.BackchannelAuthorize(ctx, flows.CIBARequest{IDTokenHint: tok.IDToken}); err != nil {
		t.Fatalf("id_token_hint: %v", err)
	}
	// The endpoint comes from discovery; without one there is a clear error.
	c2 := demoClient(t, p, "demo-basic")
	c2.Config.Issuer = ""
	c2.Config.Endpoints.Token = p.Issuer() + "/token"
	if _, err := c2.BackchannelAuthorize(ctx, flows.CIBARequest{LoginHint: "demo"}); kindOf(err) != flows.KindMissingEndpoint || !strings.Contains(err.Error(), "backchannel authentication") {
		t.Fatalf("no endpoint: %v", err)
	}
	for _, code := range []string{"unknown_user_id", "expired_login_hint_token", "missing_user_code", "invalid_user_code", "invalid_binding_message", "invalid_authorization_details", "invalid_target"} {
		if _, ok := assets.Explain(code); !ok {
			t.Errorf("no explanation for %s", code)
		}
	}
}
