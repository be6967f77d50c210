package flows_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// The doctor against independent providers: a healthy client, then a wrong secret, a redirect URI
// the provider has not registered, and an authentication method the client is not registered for,
// each diagnosed as a customer's tenant would be and each finding asserted.

// doctorCase changes a provider's client configuration into a broken one, and says what the
// diagnosis must find.
type doctorCase struct {
	name   string
	role   string
	change func(*flows.ClientConfig)
	want   []doctorFinding
}

type doctorFinding struct {
	area, check string
	status      flows.FindingStatus
	code        string
	fragments   []string
}

func TestInteropDoctor(t *testing.T) {
	if os.Getenv("TOKENBENCH_INTEROP") != "1" {
		t.Skip("the interop suite runs with TOKENBENCH_INTEROP=1 after .ci/interop has installed the providers")
	}
	for _, start := range []func(*testing.T) *interopProvider{startOIDCProvider, startZitadel} {
		p := start(t)
		t.Run(p.name, func(t *testing.T) {
			for _, dc := range doctorCases(p) {
				t.Run(dc.name, func(t *testing.T) {
					cfg := p.clients[dc.role]
					dc.change(&cfg)
					c, err := flows.NewClient(cfg, flows.TransportOptions{Timeout: 15 * time.Second})
					if err != nil {
						t.Fatal(err)
					}
					d := diagnose(t, c)
					for _, w := range dc.want {
						f := wantFinding(t, d, w.area, w.check, w.status, w.fragments...)
						if w.code != "" && f.Code != w.code {
							t.Errorf("%s/%s has code %q, want %q", w.area, w.check, f.Code, w.code)
						}
					}
					if t.Failed() {
						t.Logf("\n%s", d.Markdown())
					}
				})
			}
		})
	}
}

// doctorCases are the cases for a provider: its basic client as registered, then broken. oidc-provider
// authenticates the client first (RFC 6749 §5.2) and takes client_secret_basic and _post alike;
// zitadel/oidc looks at the code first, so the doctor can only say that it cannot tell.
func doctorCases(p *interopProvider) []doctorCase {
	accepted := doctorFinding{area: "client", check: "auth client_secret_basic", status: flows.FindingOK, fragments: []string{"credentials accepted"}}
	wrongSecret := doctorFinding{area: "client", check: "auth client_secret_basic", status: flows.FindingFailed, code: "invalid_client", fragments: []string{"refused"}}
	unsupported := []doctorFinding{{area: "client", check: "auth client_secret_jwt", status: flows.FindingFailed, code: "invalid_client", fragments: []string{"(configured): refused"}}, accepted}
	unsupportedMethod := flows.AuthClientSecretJWT
	if strings.HasPrefix(p.name, "zitadel") {
		cannotTell := doctorFinding{area: "client", check: "auth_order", status: flows.FindingUnknown, fragments: []string{"looks at the code before the client's credentials"}}
		accepted = doctorFinding{area: "client", check: "auth client_secret_basic", status: flows.FindingUnknown, fragments: []string{"cannot tell"}}
		wrongSecret = cannotTell
		unsupported = []doctorFinding{cannotTell, {area: "client", check: "auth client_secret_post", status: flows.FindingUnknown, fragments: []string{"(configured): answered invalid_grant", "cannot tell"}}}
		unsupportedMethod = flows.AuthClientSecretPost // its 6-byte secret is too short for client_secret_jwt
	}
	return []doctorCase{
		{name: "healthy", role: "basic", change: func(*flows.ClientConfig) {}, want: []doctorFinding{accepted,
			{area: "redirect_uri", check: "registered", status: flows.FindingOK, fragments: []string{"is accepted"}},
		}},
		{name: "wrong secret", role: "basic", change: func(c *flows.ClientConfig) { c.ClientSecret = "not-the-secret-of-" + c.ClientID }, want: []doctorFinding{wrongSecret}},
		{name: "unregistered redirect URI", role: "basic", change: func(c *flows.ClientConfig) { c.RedirectURI = "http://127.0.0.1:9/elsewhere" }, want: []doctorFinding{
			{area: "redirect_uri", check: "registered", status: flows.FindingFailed, code: "redirect_uri_mismatch", fragments: []string{"http://127.0.0.1:9/elsewhere"}},
		}},
		{name: "unsupported auth method", role: "basic", change: func(c *flows.ClientConfig) { c.AuthMethod = unsupportedMethod }, want: unsupported},
	}
}
