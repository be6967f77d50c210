package flows_test

import (
	"context"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// BenchmarkAuthorizationCodeFlow runs the whole flow against the built-in provider in one process:
// authorization request, loopback callback, state and iss checks, code exchange, id_token validation.
// The provider's own work (signing, serving) is included, so the flows share is smaller still.
func BenchmarkAuthorizationCodeFlow(b *testing.B) {
	p := demoidptest.Start(b)
	c := demoClient(b, p, "demo-basic")
	ctx := context.Background()
	if _, err := c.Discover(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		req, tok, err := codeFlow(b, c)
		if err != nil {
			b.Fatal(err)
		}
		rep := c.ValidateIDToken(ctx, tok.IDToken, flows.Expect{Nonce: req.Nonce, AccessToken: tok.AccessToken, IDToken: true})
		if !rep.OK() {
			b.Fatal(rep.Failed())
		}
	}
}
