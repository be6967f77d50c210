package tuitest

import (
	"net/http"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// A fixed trace of a session against a fake issuer, with the secrets it holds.

// TraceSecrets are the secrets of the fixed trace: none may be shown masked, copied masked, or saved.
var TraceSecrets = []string{
	"ZmFrZS1jbGllbnQ6ZmFrZS1zZWNyZXQ", // Basic fake-client:fake-secret
	"FAKE-CODE-1", "FAKE-VERIFIER-1", "FAKE-ACCESS-TOKEN-1", "FAKE-REFRESH-TOKEN-1", "FAKE-ID-TOKEN-1",
}

// FixedTraceExchanges are a session's exchanges with fixed times against a fake issuer:
// discovery, JWKS, the code exchange with every kind of secret, userinfo that could not connect.
func FixedTraceExchanges() []flows.Exchange {
	t0 := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	js := http.Header{"Content-Type": {"application/json"}, "Date": {"Sat, 14 Mar 2026 09:26:53 GMT"}}
	return []flows.Exchange{
		{
			Step: "discovery", Started: t0, Duration: 12 * time.Millisecond, Method: "GET",
			URL:           "http://127.0.0.1:1/.well-known/openid-configuration",
			RequestHeader: http.Header{"Accept": {"application/json"}}, Status: 200, ResponseHeader: js,
			ResponseBody: []byte(`{"issuer":"http://127.0.0.1:1","authorization_endpoint":"http://127.0.0.1:1/authorize","token_endpoint":"http://127.0.0.1:1/token","jwks_uri":"http://127.0.0.1:1/jwks","userinfo_endpoint":"http://127.0.0.1:1/userinfo"}`),
		},
		{
			Step: "jwks", Started: t0.Add(20 * time.Millisecond), Duration: 3 * time.Millisecond, Method: "GET",
			URL: "http://127.0.0.1:1/jwks", RequestHeader: http.Header{"Accept": {"application/json"}}, Status: 200,
			ResponseHeader: js, ResponseBody: []byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"fake-key-1","x":"AAAA","y":"BBBB"}]}`),
		},
		{
			Step: "token", Started: t0.Add(4 * time.Second), Duration: 1234 * time.Millisecond, Method: "POST",
			URL: "http://127.0.0.1:1/token",
			RequestHeader: http.Header{
				"Content-Type":  {"application/x-www-form-urlencoded"},
				"Authorization": {"Basic " + TraceSecrets[0] + "="},
			},
			RequestBody:    []byte("grant_type=authorization_code&code=FAKE-CODE-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback&code_verifier=FAKE-VERIFIER-1"),
			Status:         200,
			ResponseHeader: js,
			ResponseBody:   []byte(`{"access_token":"FAKE-ACCESS-TOKEN-1","token_type":"Bearer","expires_in":3600,"refresh_token":"FAKE-REFRESH-TOKEN-1","id_token":"FAKE-ID-TOKEN-1","scope":"openid profile"}`),
		},
		{
			Step: "userinfo", Started: t0.Add(6 * time.Second), Duration: 2 * time.Millisecond, Method: "GET",
			URL:           "http://127.0.0.1:1/userinfo",
			RequestHeader: http.Header{"Authorization": {"Bearer FAKE-ACCESS-TOKEN-1"}},
			Err:           "dial tcp 127.0.0.1:1: connect: connection refused",
		},
	}
}

// FixedTrace records the fixed exchanges in a new trace.
func FixedTrace() *flows.Trace {
	tr := &flows.Trace{}
	for _, x := range FixedTraceExchanges() {
		tr.Record(x)
	}
	return tr
}
