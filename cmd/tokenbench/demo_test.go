package main

import (
	"strings"
	"testing"
)

func TestDemoWalkthrough(t *testing.T) {
	t.Parallel()
	r := tb(t, "demo")
	wantExit(t, r, 0)
	for _, want := range []string{
		"1. Discovery", "RFC 8414", "state ", "nonce ", "PKCE ", "✓ pass     state", "✓ pass     iss",
		"✓ pass     signature", "refresh token     rotated", `"sub": "demo-user-1"`, `"active": true`,
		"revoked (HTTP 200)", "active: false", "12. Logout URL", "/logout?client_id=demo-basic", "Done",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stderr, "── #") {
		t.Errorf("trace without -v:\n%s", r.stderr)
	}
}

// TestDemoWalkthroughBrowser: with --browser the sign-in goes through $BROWSER.
func TestDemoWalkthroughBrowser(t *testing.T) {
	t.Parallel()
	r := tb(t, "demo", "--browser")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "Sign in in your browser") || !strings.Contains(r.stdout, "Done") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

func TestDemoWalkthroughFaults(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"wrong-state":      {"error: state_mismatch:"},
		"expired-id-token": {"error: token_expired:"},
		"deny":             {"error: access_denied:"},
	}
	for fault, want := range cases {
		t.Run(fault, func(t *testing.T) {
			t.Parallel()
			r := tb(t, "demo", "--fault", fault, "-v")
			wantExit(t, r, 1, append(want, "── #1 discovery ──")...)
			if strings.Contains(r.stdout, "Done") {
				t.Errorf("the walkthrough went on after the failure:\n%s", r.stdout)
			}
		})
	}
	r := tb(t, "demo", "--fault", "no-such-fault")
	wantExit(t, r, 2, `unknown fault "no-such-fault"`)
}

func TestRootVersionHelp(t *testing.T) {
	t.Parallel()
	r := tb(t)
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "tokenbench demo") || !strings.Contains(r.stdout, "tokenbench --help") {
		t.Errorf("no-subcommand output:\n%s", r.stdout)
	}
	r = tb(t, "version")
	wantExit(t, r, 0)
	if !strings.HasPrefix(r.stdout, "tokenbench ") {
		t.Errorf("version printed %q", r.stdout)
	}
	r = tb(t, "--help")
	wantExit(t, r, 0)
	for _, c := range []string{"token", "jwt", "userinfo", "introspect", "revoke", "demo", "version"} {
		if !strings.Contains(r.stdout, "  "+c+" ") {
			t.Errorf("--help lacks %s:\n%s", c, r.stdout)
		}
	}
}
