package flows_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// A logout through the built-in provider comes back to the loopback listener with the state sent.
func TestLogoutRoundTripChecksState(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b := &browserOpener{}
	req, res, err := c.Logout(ctx, flows.LogoutOptions{IDTokenHint: tok.IDToken, PostLogoutRedirectURI: "http://127.0.0.1:0/logged-out", Open: b.open})
	if err != nil {
		t.Fatalf("Logout: %v", err)
	}
	u, _ := url.Parse(req.URL)
	q := u.Query()
	if !req.Listening || !req.IDTokenHintSent || q.Get("id_token_hint") != tok.IDToken || q.Get("state") == "" || q.Get("state") != req.State {
		t.Fatalf("request %+v, query %v", req, q)
	}
	if got := q.Get("post_logout_redirect_uri"); got != req.RedirectURI || strings.Contains(got, ":0/") {
		t.Fatalf("post_logout_redirect_uri %q, request %+v", got, req)
	}
	if res == nil || len(res.Checks) != 1 || res.Checks[0].Status != flows.CheckPass || res.Params.Get("state") != req.State {
		t.Fatalf("result %+v", res)
	}
}

// A redirect whose state is not the one sent is refused, and the browser is told.
func TestLogoutRejectsAnotherState(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	status := make(chan int, 1)
	forged := func(ctx context.Context, u string) error {
		lu, _ := url.Parse(u)
		back, _ := url.Parse(lu.Query().Get("post_logout_redirect_uri"))
		back.RawQuery = url.Values{"state": {"forged"}}.Encode()
		resp, err := http.Get(back.String())
		if err != nil {
			return err
		}
		resp.Body.Close()
		status <- resp.StatusCode
		return nil
	}
	_, res, err := c.Logout(ctx, flows.LogoutOptions{PostLogoutRedirectURI: "http://127.0.0.1:0/", Open: forged})
	var fe *flows.Error
	if !errors.As(err, &fe) || fe.Kind != flows.KindStateMismatch {
		t.Fatalf("err %v, want a state mismatch", err)
	}
	if res == nil || res.Checks[0].Status != flows.CheckFail {
		t.Fatalf("result %+v", res)
	}
	if s := <-status; s != http.StatusBadRequest {
		t.Fatalf("the browser was answered %d", s)
	}
}

// A provider that takes no id_token_hint (Cognito) gets none, whatever the caller holds.
func TestLogoutWithoutIDTokenHint(t *testing.T) {
	p := demoidptest.Start(t)
	cfg := demoClient(t, p, "demo-basic").Config
	cfg.LogoutWithoutIDTokenHint, cfg.LogoutRedirectParam = true, "logout_uri"
	c, err := flows.NewClient(cfg, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	req, res, err := c.Logout(context.Background(), flows.LogoutOptions{IDTokenHint: "eyJ.x.y", PostLogoutRedirectURI: "https://app.example.com/bye"})
	if err != nil || res != nil {
		t.Fatalf("Logout: %v, %+v", err, res)
	}
	q, _ := url.Parse(req.URL)
	if req.IDTokenHintSent || q.Query().Has("id_token_hint") || q.Query().Get("logout_uri") != "https://app.example.com/bye" || req.Listening {
		t.Fatalf("request %+v", req)
	}
}
