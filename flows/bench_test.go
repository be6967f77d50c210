package flows_test

import (
	"context"
	"fmt"
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

// BenchmarkTraceRecord is one exchange recorded and a snapshot of the trace taken (as the trace
// screen and each flow step read it) while the trace holds about 10 and about 10,000 exchanges:
// the costs must be the same.
//
// Each trace grows from held to four times as many, so that the small one grows too, whatever
// capacity append rounds it to (ten exchanges get room for 21). Both cases fill traces of 10,000
// exchanges in all, one or a thousand, and record into them in turn until each is full: a refill
// stops the timer, which stops the world (runtime.ReadMemStats) and empties the allocation caches,
// and refilling as rarely, holding as many exchanges, gives both the same work besides the trace's.
func BenchmarkTraceRecord(b *testing.B) {
	x := flows.Exchange{Step: "token", Method: "POST", URL: "https://idp.example.com/token", Status: 200,
		ResponseBody: []byte(`{"access_token":"at","token_type":"Bearer","expires_in":3600}`)}
	for _, held := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("held=%d", held), func(b *testing.B) {
			traces := make([]*flows.Trace, 10_000/held)
			fill := func() {
				for i := range traces {
					traces[i] = &flows.Trace{}
					for range held {
						traces[i].Record(x)
					}
				}
			}
			fill()
			grow := 3 * held // records into each trace before the refill
			done := 0        // records since the refill
			b.ReportAllocs()
			for b.Loop() {
				if done == len(traces)*grow {
					b.StopTimer()
					fill()
					done = 0
					b.StartTimer()
				}
				tr := traces[done/grow]
				tr.Record(x)
				n := held + done%grow + 1 // exchanges in tr
				done++
				if xs := tr.Exchanges(); xs[len(xs)-1].ID != n {
					b.Fatal("the snapshot misses the last exchange")
				}
			}
		})
	}
}
