package main

import (
	"strings"
	"testing"
)

// TestShellCompletion: the shell completes saved profile names, grants, presets and faults.
func TestShellCompletion(t *testing.T) {
	t.Parallel()
	pe := newProfileEnv(t)
	pe.mustRun("profile", "add", "acme-prod", "--issuer", "https://idp.example.com", "--client-id", "x", "--auth-method", "none")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "run", ""}, []string{"acme-prod"}},
		{[]string{"__complete", "profile", "show", ""}, []string{"acme-prod"}},
		{[]string{"__complete", "token", "--profile", ""}, []string{"acme-prod"}},
		{[]string{"__complete", "token", "--grant", "c"}, []string{"client_credentials", "ciba"}},
		{[]string{"__complete", "profile", "add", "x", "--preset", "key"}, []string{"keycloak"}},
		{[]string{"__complete", "demo", "--fault", "wrong"}, []string{"wrong-iss", "wrong-state"}},
	} {
		r := pe.run(tc.args...)
		got := strings.Fields(strings.Split(r.stdout, ":")[0])
		for _, w := range tc.want {
			if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+w+" ") {
				t.Errorf("%v: %q lacks %q", tc.args, got, w)
			}
		}
	}
}
