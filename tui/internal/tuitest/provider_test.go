package tuitest

import "testing"

// TestFlowScrubHidesEveryFormOfTheLoopbackPort: the listener's port changes from run to run, and
// it appears plain, URL-encoded inside a redirect_uri, and encoded twice when that redirect_uri is
// itself a query value.
func TestFlowScrubHidesEveryFormOfTheLoopbackPort(t *testing.T) {
	cases := []struct{ in, want string }{
		{"http://127.0.0.1:49152/callback", "http://127.0.0.1:PORT/callback"},
		{"redirect_uri=http%3A%2F%2F127.0.0.1%3A49152%2Fcallback", "redirect_uri=http%3A%2F%2F127.0.0.1%3APORT%2Fcallback"},
		{"redirect_uri=http%3a%2f%2f127.0.0.1%3a1%2fcallback", "redirect_uri=http%3a%2f%2f127.0.0.1%3aPORT%2fcallback"},
		{"next=http%253A%252F%252F127.0.0.1%253A60001%252Fcallback", "next=http%253A%252F%252F127.0.0.1%253APORT%252Fcallback"},
		{"127.0.0.1%3Afoo", "127.0.0.1%3Afoo"},
	}
	for _, c := range cases {
		if got := FlowScrub(c.in); got != c.want {
			t.Errorf("FlowScrub(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
