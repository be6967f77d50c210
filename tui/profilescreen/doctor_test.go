package profilescreen

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestDoctorOnTheSelectedProfile: D diagnoses the selected profile's tenant (the built-in provider)
// and shows each area's findings; esc returns to the list.
func TestDoctorOnTheSelectedProfile(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t, "wrong-iss")
	st := tuitest.Store(t, profiles.Profile{Name: "demo", Issuer: p.Issuer(), ClientID: demoidptest.BasicID,
		ClientSecret: "env:DEMO_SECRET", AuthMethod: flows.AuthClientSecretBasic})
	s := newProfilesScreen(profilesCommon(st, map[string]string{"DEMO_SECRET": demoidptest.BasicSecret}, 100, 60))
	s, cmd := pKeys(s, "D")
	if s.op != opDoctor {
		t.Fatalf("D did not start the doctor (op %v)", s.op)
	}
	s, _ = pUpdate(s, tuitest.AwaitMsg[doctorDoneMsg](t, cmd))
	v := viewOf(s)
	for _, want := range []string{"Doctor — demo", "discovery", "✓ client_secret_basic (configured): credentials accepted", "✗ the authorization response carries iss", "fix the provider's issuer setting",
		"iss_mismatch: The authorization response came from an unexpected issuer (RFC 9207 §2.4)"} {
		if !strings.Contains(v, want) {
			t.Errorf("the diagnosis lacks %q:\n%s", want, v)
		}
	}
	s, _ = pKeys(s, "esc")
	if s.mode != modeList {
		t.Errorf("esc left mode %v", s.mode)
	}
}

// TestDoctorScrolls: a diagnosis longer than the screen scrolls with ↓, down to its last line.
func TestDoctorScrolls(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	st := tuitest.Store(t, profiles.Profile{Name: "demo", Issuer: p.Issuer(), ClientID: demoidptest.BasicID,
		ClientSecret: "env:DEMO_SECRET", AuthMethod: flows.AuthClientSecretBasic})
	s := newProfilesScreen(profilesCommon(st, map[string]string{"DEMO_SECRET": demoidptest.BasicSecret}, 100, 20))
	s, cmd := pKeys(s, "D")
	s, _ = pUpdate(s, tuitest.AwaitMsg[doctorDoneMsg](t, cmd))
	if strings.Contains(viewOf(s), "clock") {
		t.Fatalf("the diagnosis fits 20 lines; the test needs a longer one:\n%s", viewOf(s))
	}
	for range 60 {
		s, _ = pKeys(s, "down")
	}
	if v := viewOf(s); !strings.Contains(v, "clock") || !strings.Contains(v, "esc returns to the list") {
		t.Errorf("after scrolling down, the end is not shown:\n%s", v)
	}
}
