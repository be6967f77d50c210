package flows_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// hit sends one request to the listener as a hostile page or process would, and returns the status
// and the page.
func hit(t *testing.T, method, target, host string, header http.Header) (int, string) {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		u, _ := url.Parse(target)
		body = strings.NewReader(u.RawQuery)
		target = strings.Split(target, "?")[0]
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// wantIgnored reads the next ignored callback and checks its reason.
func wantIgnored(t *testing.T, l *flows.Listener, reason string) {
	t.Helper()
	select {
	case ig := <-l.Ignored():
		if !strings.Contains(ig.Reason, reason) {
			t.Errorf("ignored for %q, want %q", ig.Reason, reason)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("no ignored callback reported (want %q)", reason)
	}
}

// TestListenerIgnoresHostileCallbacks: a request under another Host name (DNS rebinding), a POST
// from another web origin, and a response with a forged state are each ignored, answered without
// the expected state, and reported, while the listener keeps waiting; the genuine response then
// completes the flow, and the listener is single use after it.
func TestListenerIgnoresHostileCallbacks(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l, req := listenFor(ctx, t, c)
	type outcome struct {
		res *flows.AuthResponse
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := c.AwaitCallback(ctx, l, req)
		done <- outcome{res, err}
	}()
	good := l.RedirectURI() + "?code=forged-code&state=" + url.QueryEscape(req.State) + "&iss=" + url.QueryEscape(p.Issuer())

	status, page := hit(t, http.MethodGet, good, "evil.example:"+portOf(t, l.RedirectURI()), nil)
	if status != http.StatusMisdirectedRequest || strings.Contains(page, req.State) {
		t.Errorf("a rebinding request: HTTP %d %q", status, page)
	}
	wantIgnored(t, l, `the host "evil.example:`)

	status, page = hit(t, http.MethodPost, good, "", http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}})
	if status != http.StatusForbidden || strings.Contains(page, req.State) {
		t.Errorf("a cross-origin POST: HTTP %d %q", status, page)
	}
	wantIgnored(t, l, "https://evil.example")

	status, page = hit(t, http.MethodGet, l.RedirectURI()+"?error=access_denied&state=forged", "", nil)
	if status != http.StatusBadRequest || strings.Contains(page, req.State) || !strings.Contains(page, "ignored") {
		t.Errorf("a forged state: HTTP %d, the page echoes the state or does not say it was ignored: %q", status, page)
	}
	wantIgnored(t, l, "state")

	select {
	case o := <-done:
		t.Fatalf("the flow ended on a forged request: %v", o.err)
	default:
	}
	demoidptest.Visit(t, req.URL)
	o := <-done
	if o.err != nil || o.res.Code == "" || o.res.Code == "forged-code" {
		t.Fatalf("the genuine response after the forged ones: %v %+v", o.err, o.res)
	}
	if status, _ := hit(t, http.MethodGet, good, "", nil); status != http.StatusGone {
		t.Errorf("after the response was taken: HTTP %d, want 410 (single use)", status)
	}
}

// TestCallbackWrongStateKeepsWaiting: a provider that answers with another state (the demo's
// wrong-state fault) does not end the flow: the response is reported as ignored, and the wait ends
// only with its context, with a state_mismatch error that says what was ignored.
func TestCallbackWrongStateKeepsWaiting(t *testing.T) {
	p := demoidptest.Start(t, "wrong-state")
	c := demoClient(t, p, "demo-basic")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	l, req := listenFor(ctx, t, c)
	browsed := make(chan struct{})
	go func() {
		defer close(browsed)
		demoidptest.Visit(t, req.URL)
	}()
	start := time.Now()
	res, err := c.AwaitCallback(ctx, l, req)
	<-browsed
	var fe *flows.Error
	if !errors.As(err, &fe) || fe.Kind != flows.KindStateMismatch || !strings.Contains(fe.Detail, "a response with another state was ignored because") {
		t.Fatalf("err = %v, want a state_mismatch saying a response was ignored", err)
	}
	if time.Since(start) < 2*time.Second {
		t.Errorf("the wait ended after %s, before its deadline", time.Since(start))
	}
	if res == nil || len(res.Checks) == 0 || res.Checks[0].Status != flows.CheckFail {
		t.Errorf("the failed state check is not in the result: %+v", res)
	}
	wantIgnored(t, l, "state")
}

func portOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}
