package flows_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// cibaNotified registers a client of p for mode with a fresh notification endpoint and starts a
// backchannel authentication with its client_notification_token.
func cibaNotified(t *testing.T, p *demoidp.Provider, mode string) (*flows.Client, *flows.CIBANotifications, *flows.CIBAAuthorization) {
	t.Helper()
	n, err := flows.ListenCIBANotifications("http://127.0.0.1:0/ciba-notify")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	reg := demoidptest.RegisterCIBA(t, p, mode, n.Endpoint())
	c, err := flows.NewClient(flows.ClientConfig{Issuer: p.Issuer(), ClientID: reg.ID, ClientSecret: reg.Secret, Scopes: []string{"openid", "profile", "offline_access"}}, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.BackchannelAuthorize(context.Background(), flows.CIBARequest{LoginHint: "demo", ClientNotificationToken: n.Token()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lastForm(t, c, "client_notification_token"), n.Token()) {
		t.Fatalf("the backchannel request did not send client_notification_token")
	}
	return c, n, a
}

// notify POSTs body to the notification endpoint with bearer, as a provider would, and returns the
// status.
func notify(t *testing.T, endpoint, bearer string, body any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// stepStatuses are the trace's steps with their statuses.
func stepStatuses(c *flows.Client) []string {
	var out []string
	for _, x := range c.Trace.Exchanges() {
		out = append(out, x.Step+" "+http.StatusText(x.Status))
	}
	return out
}

func TestCIBAPingThenFetch(t *testing.T) {
	p := demoidptest.Start(t)
	c, n, a := cibaNotified(t, p, flows.CIBAPing)
	forged := make(chan int, 1)
	go func() {
		// Someone who does not know the client_notification_token is refused, and the wait goes on.
		forged <- notify(t, n.Endpoint(), "guessed", map[string]any{"auth_req_id": a.AuthReqID})
		demoidptest.Visit(t, a.ApprovalURI)
	}()
	tok, err := c.AwaitCIBA(context.Background(), a, n, flows.CIBAPing)
	if err != nil || tok.AccessToken == "" || tok.IDToken == "" {
		t.Fatalf("ping: %v", err)
	}
	if s := <-forged; s != http.StatusUnauthorized {
		t.Errorf("a notification with the wrong Bearer token: HTTP %d, want 401", s)
	}
	got := strings.Join(stepStatuses(c), ", ")
	if !strings.HasSuffix(got, "ciba notification Unauthorized, ciba notification No Content, ciba token OK") {
		t.Errorf("trace steps %s", got)
	}
	x := c.Trace.Exchanges()[len(c.Trace.Exchanges())-2]
	if x.Method != http.MethodPost || x.URL != n.Endpoint() || !strings.Contains(string(x.RequestBody), a.AuthReqID) {
		t.Errorf("the ping as recorded: %s %s %s", x.Method, x.URL, x.RequestBody)
	}
	if red := x.Redact(); strings.Contains(red.String(), n.Token()) {
		t.Errorf("the redacted trace shows the client_notification_token: %s", red)
	}
}

func TestCIBAPushValidated(t *testing.T) {
	p := demoidptest.Start(t)
	c, n, a := cibaNotified(t, p, flows.CIBAPush)
	go demoidptest.Visit(t, a.ApprovalURI)
	tok, err := c.AwaitCIBA(context.Background(), a, n, flows.CIBAPush)
	if err != nil || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("push: %v", err)
	}
	claims := demoidptest.Claims(t, tok.IDToken)
	if claims["urn:openid:params:jwt:claim:auth_req_id"] != a.AuthReqID || claims["urn:openid:params:jwt:claim:rt_hash"] == nil || claims["at_hash"] == nil {
		t.Errorf("pushed id_token claims %v", claims)
	}
	for _, s := range stepStatuses(c) {
		if strings.HasPrefix(s, "ciba token") {
			t.Errorf("push mode fetched the token: %v", stepStatuses(c))
		}
	}
	// A push-mode client must not call the token endpoint (CIBA Core §10.1).
	_, err = c.PollCIBA(context.Background(), a, nil)
	if oe := (*flows.OAuthError)(nil); !errors.As(err, &oe) || oe.Code != "unauthorized_client" {
		t.Errorf("polling as a push client: %v, want unauthorized_client", err)
	}
}

// A push whose tokens do not name the request (here, tokens from another request, delivered with
// the right Bearer token) is refused, whatever else in them is valid.
func TestCIBAPushOfOtherTokensRefused(t *testing.T) {
	p := demoidptest.Start(t)
	c, n, a := cibaNotified(t, p, flows.CIBAPush)
	other := demoClient(t, p, "demo-basic")
	ob, err := other.BackchannelAuthorize(context.Background(), flows.CIBARequest{LoginHint: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	demoidptest.Visit(t, ob.ApprovalURI)
	stolen, err := other.PollCIBA(context.Background(), ob, nil)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.Unmarshal(stolen.Body, &body)
	body["auth_req_id"] = a.AuthReqID
	go notify(t, n.Endpoint(), n.Token(), body)
	_, err = c.AwaitCIBA(context.Background(), a, n, flows.CIBAPush)
	fe := (*flows.Error)(nil)
	if !errors.As(err, &fe) || fe.Kind != flows.KindCIBANotification || !strings.Contains(fe.Detail, "auth_req_id") || !strings.Contains(fe.Detail, "aud") {
		t.Fatalf("a push of another client's tokens: %v", err)
	}
}

// A push error (CIBA Core §12) ends the wait with the provider's error; an expired request ends it
// with a kind that says so.
func TestCIBAPushErrorAndExpiry(t *testing.T) {
	p := demoidptest.Start(t)
	c, n, a := cibaNotified(t, p, flows.CIBAPush)
	go notify(t, n.Endpoint(), n.Token(), map[string]any{"auth_req_id": a.AuthReqID, "error": "access_denied", "error_description": "the user said no"})
	_, err := c.AwaitCIBA(context.Background(), a, n, flows.CIBAPush)
	if oe := (*flows.OAuthError)(nil); !errors.As(err, &oe) || oe.Code != "access_denied" {
		t.Fatalf("push error: %v", err)
	}
	a.Expiry = time.Now().Add(100 * time.Millisecond)
	_, err = c.AwaitCIBA(context.Background(), a, n, flows.CIBAPing)
	if fe := (*flows.Error)(nil); !errors.As(err, &fe) || fe.Kind != flows.KindCIBANotification || !strings.Contains(fe.Detail, "expired") {
		t.Fatalf("expiry: %v", err)
	}
}
