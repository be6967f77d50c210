package assets

import (
	"strings"
	"testing"
)

// stepNames are the steps with a Learn text: the flow stepper's steps, then the other grants.
var stepNames = []string{
	"discover", "authorize", "callback", "token", "refresh", "userinfo", "introspect", "revoke",
	"logout", "api", "device", "client_credentials", "password", "jwt_bearer", "saml2_bearer", "token_exchange", "ciba",
}

// TestEveryStepHasText: every step of the stepper has a complete Learn text, and no text is orphaned.
func TestEveryStepHasText(t *testing.T) {
	t.Parallel()
	m, err := parseSteps(stepsYAML)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range stepNames {
		s, ok := Step(name)
		if !ok {
			t.Errorf("step %q has no Learn text", name)
			continue
		}
		if s.Name != name || s.Title == "" || s.Does == "" || len(s.Look) == 0 || s.Spec == "" {
			t.Errorf("step %q is incomplete: %+v", name, s)
		}
		if !strings.Contains(s.Spec, "§") {
			t.Errorf("step %q: spec %q names no section", name, s.Spec)
		}
		delete(m, name)
	}
	for name := range m {
		t.Errorf("steps.yaml has %q, which is not in stepNames", name)
	}
	if _, ok := Step("nope"); ok {
		t.Error("Step found an unknown name")
	}
}

func TestParseStepsRejectsUnknownFields(t *testing.T) {
	t.Parallel()
	if _, err := parseSteps([]byte("x:\n  title: a\n  bogus: b\n")); err == nil {
		t.Error("an unknown field was accepted")
	}
}
