package tui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// Goldens of the whole app on the grants' inputs: the assertion grants, mutual TLS and CIBA's hints.

// TestFlowCIBAHintTokenGolden: login_hint_token and requested_expiry typed into the form of the
// running app: the request shows the token masked and the lifetime in the seconds it sends.
func TestFlowCIBAHintTokenGolden(t *testing.T) {
	p := tuitest.FlowProvider(t)
	tm := startApp(t, grantOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), ""), 100, 40)
	waitSized(t, tm)
	pickGrant(tm, "ciba")
	sendKeys(tm, "e")
	waitModel(t, tm, "the ciba form", func(m Model) bool { return flowOf(m).Grant() == "ciba" && flowOf(m).Editing() })
	typeInto(tm, 6, tuitest.FakeHintToken) // login_hint_token
	typeInto(tm, 1, "90s")                 // requested_expiry
	sendKeys(tm, "enter")
	waitModel(t, tm, "the form", func(m Model) bool {
		f := flowOf(m)
		return !f.Editing() && f.FormValue("requested_expiry") == "90s"
	})
	v := finalView(t, tm)
	if strings.Contains(v, tuitest.FakeHintToken) {
		t.Errorf("login_hint_token is shown in clear:\n%s", v)
	}
	if m := tuitest.RequestedExpiryRow.FindStringSubmatch(v); m == nil || m[1] != "90" {
		t.Errorf("requested_expiry previews as %q:\n%s", m, v)
	}
	golden.RequireEqual(t, v)
}

// grantOptions are the app's options on client c for a test whose files are under dir.
func grantOptions(c *flows.Client, dir string) Options {
	o := flowOptions(c, nil)
	o.Scrub = tuitest.GrantScrub(dir)
	return o
}

// sendKeys presses keys in the running app, in order.
func sendKeys(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(tuitest.Press(k))
	}
}

// pickGrant chooses a grant in the picker g opens (which selects the grant's first step).
func pickGrant(tm *teatest.TestModel, name string) {
	sendKeys(tm, "g", "/")
	tm.Send(tuitest.PasteMsgOf(name))
	sendKeys(tm, "enter")
}

// typeInto moves the focus down the form by downs fields and pastes v there, if any.
func typeInto(tm *teatest.TestModel, downs int, v string) {
	for range downs {
		tm.Send(tuitest.Press("down"))
	}
	if v != "" {
		tm.Send(tuitest.PasteMsgOf(v))
	}
}

// TestGrantInputsGolden: the new fields in the form, as typed, with the request they make: the JWT
// assertion's lifetime and key, an assertion file (the fields that make one then hidden), and
// CIBA's id_token_hint (masked in the request) and user_code; while editing at 80×24 too.
func TestGrantInputsGolden(t *testing.T) {
	for _, tc := range []struct {
		name    string
		w, h    int
		grant   string
		fill    func(tm *teatest.TestModel, dir string)
		editing bool
	}{
		{"jwt_bearer", 100, 45, "jwt_bearer", func(tm *teatest.TestModel, _ string) {
			typeInto(tm, 3, demoidp.TrustedIssuer)    // assertion iss
			typeInto(tm, 1, "demo")                   // assertion sub
			typeInto(tm, 2, "10m")                    // assertion exp
			typeInto(tm, 1, tuitest.TrustedIssuerKey) // assertion key
		}, false},
		{"jwt_bearer-80x24", 80, 24, "jwt_bearer", func(tm *teatest.TestModel, _ string) {
			typeInto(tm, 4, "demo")
			typeInto(tm, 3, "") // on assertion key, its placeholder and exp's shown
		}, true},
		{"jwt_bearer-file", 100, 30, "jwt_bearer", func(tm *teatest.TestModel, dir string) {
			typeInto(tm, 2, filepath.Join(dir, "assertion.jwt"))
		}, false},
		{"ciba", 100, 45, "ciba", func(tm *teatest.TestModel, _ string) {
			typeInto(tm, 3, tuitest.FakeIDToken) // id_token_hint
			typeInto(tm, 2, "demo")              // user_code
		}, false},
		{"ciba-80x24", 80, 24, "ciba", func(tm *teatest.TestModel, _ string) {
			typeInto(tm, 3, tuitest.FakeIDToken)
			typeInto(tm, 2, "demo")
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tuitest.FlowProvider(t)
			dir := t.TempDir()
			tm := startApp(t, grantOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), dir), tc.w, tc.h)
			waitSized(t, tm)
			pickGrant(tm, tc.grant)
			sendKeys(tm, "e")
			tc.fill(tm, dir)
			if !tc.editing {
				sendKeys(tm, "enter")
			}
			waitModel(t, tm, "the form", func(m Model) bool { return flowOf(m).Editing() == tc.editing })
			golden.RequireEqual(t, finalView(t, tm))
		})
	}
}

// The SAML 2.0 bearer grant (RFC 7522) and mutual TLS certificate binding (RFC 8705) in the
// stepper, run against the built-in provider.

// TestFlowSAMLBearerGolden: the saml2_bearer grant with an assertion file, chosen and named through
// the form as a user would; one the provider accepts, and one for another audience, whose
// invalid_grant is shown in place with its explanation.
func TestFlowSAMLBearerGolden(t *testing.T) {
	for _, tc := range []struct {
		name, audience string
		want           string
	}{
		{"accepted", "", "done"},
		{"other-audience", "https://sp.example.com/saml", "failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tuitest.FlowProvider(t)
			dir := t.TempDir()
			aud := tc.audience
			if aud == "" {
				aud = p.Issuer() + "/token"
			}
			file := tuitest.SAMLFile(t, dir, "assertion.xml", "_tui-"+tc.name, aud)
			tm := startApp(t, grantOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), dir), 100, 45)
			waitSized(t, tm)
			pickGrant(tm, "saml2_bearer") // Token selected
			sendKeys(tm, "e", "down", "down")
			tm.Send(tuitest.PasteMsgOf(file))
			sendKeys(tm, "enter", "enter") // done editing; run Token
			waitModel(t, tm, "the token", stepEnded("token"))
			if st := stepStateIn(t, tm, "token"); st != tc.want {
				t.Errorf("Token ended in state %q, want %q", st, tc.want)
			}
			golden.RequireEqual(t, finalView(t, tm))
		})
	}
}

// TestFlowMTLSGolden: a token bound to the client certificate, its cnf.x5t#S256 check passed beside
// the token; and a client presenting a certificate that is not the one it registered, refused
// with invalid_client explained in place.
func TestFlowMTLSGolden(t *testing.T) {
	for _, tc := range []struct {
		name, cert string
		want       string
	}{
		{"bound", demoidp.MTLSSelfSignedClientID, "done"},
		{"wrong-certificate", demoidp.MTLSClientID, "failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tuitest.MTLSProvider(t)
			c := tuitest.MTLSClient(t, p, tuitest.MTLSCertificate(t, p, tc.cert))
			tm := startApp(t, grantOptions(c, ""), 100, 45)
			waitSized(t, tm)
			pickGrant(tm, "client_credentials")
			sendKeys(tm, "enter") // run Token
			waitModel(t, tm, "the token", stepEnded("token"))
			if st := stepStateIn(t, tm, "token"); st != tc.want {
				t.Errorf("Token ended in state %q, want %q", st, tc.want)
			}
			golden.RequireEqual(t, finalView(t, tm))
		})
	}
}

// stepStateIn is the state of a step of the running app.
func stepStateIn(t *testing.T, tm *teatest.TestModel, step string) string {
	t.Helper()
	var st string
	waitModel(t, tm, "the step's state", func(m Model) bool { st = flowOf(m).StepState(step); return true })
	return st
}
