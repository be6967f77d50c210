package profilescreen

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestFilterPromptDrawnOnce: the filter line shows its prompt once ("/ acme", not "/ / acme").
func TestFilterPromptDrawnOnce(t *testing.T) {
	t.Parallel()
	st := tuitest.Store(t, tuitest.AcmeProfile(), tuitest.BetaProfile())
	s, _ := pKeys(newProfilesScreen(profilesCommon(st, nil, 100, 30)), "/")
	s = pType(s, "acme")
	v := viewOf(s)
	if strings.Contains(v, "/ / ") || !strings.Contains(v, "/ acme") {
		t.Errorf("filter line:\n%s", v)
	}
}

// TestLearnOnProfiles: L (the shared Learn toggle) explains the Profiles screen too.
func TestLearnOnProfiles(t *testing.T) {
	t.Parallel()
	c := profilesCommon(tuitest.Store(t, tuitest.AcmeProfile()), nil, 100, 30)
	c.Learn = true
	if v := viewOf(newProfilesScreen(c)); !strings.Contains(v, "Learn: a profile keeps one tenant") {
		t.Errorf("no Learn text:\n%s", v)
	}
}
