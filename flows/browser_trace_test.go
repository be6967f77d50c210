package flows_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestHARHoldsTheFrontChannel: the authorization request the browser was sent to and the redirect
// the listener received are in the HAR, in order among the exchanges, marked as synthetic entries
// and redacted (the code is masked); a pasted response is recorded as pasted. The exchanges the
// trace lists are only the client's own.
func TestHARHoldsTheFrontChannel(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, err := c.StartAuthorization(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = demoidptest.Open(sess.Request.URL) }()
	res, err := sess.Await(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Exchange(ctx, res); err != nil {
		t.Fatal(err)
	}
	for _, x := range c.Trace.Exchanges() {
		if strings.Contains(x.URL, "/callback") {
			t.Errorf("the callback is listed among the client's exchanges: %s", x.URL)
		}
	}
	har, err := c.Trace.HAR("tokenbench")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Entries []struct {
				Comment string
				Request struct{ Method, URL string }
			}
		}
	}
	if err := json.Unmarshal(har, &doc); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range doc.Log.Entries {
		synthetic := strings.Contains(e.Comment, "synthetic entry")
		switch {
		case synthetic && strings.HasPrefix(e.Request.URL, p.Issuer()+"/authorize?") && strings.Contains(e.Request.URL, "client_id=demo-basic"):
			order = append(order, "authorize")
		case synthetic && strings.HasPrefix(e.Request.URL, sess.RedirectURI()+"?") && strings.Contains(e.Request.URL, "code=[redacted]"):
			order = append(order, "callback")
			if !strings.Contains(e.Comment, "loopback listener") {
				t.Errorf("callback comment: %q", e.Comment)
			}
		case !synthetic && strings.HasSuffix(e.Request.URL, "/token"):
			order = append(order, "token")
		}
	}
	if got := strings.Join(order, " "); got != "authorize callback token" {
		t.Errorf("HAR entries: %q, want the authorization request, the callback, then the token request", got)
	}
	if strings.Contains(string(har), res.Code) {
		t.Error("the HAR holds the code")
	}
	md := string(c.Trace.Markdown())
	if !strings.Contains(md, "callback (in the browser) — GET "+sess.RedirectURI()+"?code=[redacted]") {
		t.Errorf("the Markdown report lacks the callback:\n%s", md)
	}

	// A pasted response is recorded as pasted.
	_, _ = sess.Paste(ctx, "?code=pasted-code&state=wrong")
	if b := c.Trace.Browser(); len(b) == 0 || !strings.Contains(b[len(b)-1].Note, "as pasted") {
		t.Errorf("the pasted response is not recorded: %+v", b)
	}
}
