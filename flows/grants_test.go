package flows_test

import (
	"context"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestRefreshSendsNoScopeUnlessAsked: a refresh keeps the originally granted scope by sending none
// (RFC 6749 §6); the configured Scopes (the sign-in's) are not asked for again, which fails where
// the user consented to fewer. RefreshScopes asks for a scope.
func TestRefreshSendsNoScopeUnlessAsked(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	next, err := c.Refresh(context.Background(), tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if s := lastForm(t, c, "scope"); s != "" {
		t.Errorf("refresh sent scope %q though none was asked for", s)
	}
	c.Config.RefreshScopes = []string{"openid", "profile"}
	if _, err := c.Refresh(context.Background(), next.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if s := lastForm(t, c, "scope"); s != "openid profile" {
		t.Errorf("refresh sent scope %q, want the RefreshScopes", s)
	}
}
