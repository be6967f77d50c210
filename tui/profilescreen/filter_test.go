package profilescreen

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
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

// TestMenuFilter: / filters the new-profile menu as it filters the list, with the same prompt and
// footer; enter keeps the filter and enter again opens the entry, esc clears it. It works on the
// empty store's menu too.
func TestMenuFilter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		st   func(*testing.T) Model
	}{
		{"n", func(t *testing.T) Model {
			s, _ := pKeys(newProfilesScreen(profilesCommon(tuitest.Store(t, tuitest.AcmeProfile()), nil, 100, 30)), "n")
			return s
		}},
		{"empty", func(t *testing.T) Model { return newProfilesScreen(profilesCommon(tuitest.Store(t), nil, 100, 30)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.st(t)
			all := len(s.activeMenu())
			s, _ = pKeys(s, "/")
			if !s.CapturingText() {
				t.Fatal("/ did not focus the menu's filter")
			}
			if got := helpText(s.ShortHelp()); got != helpText(ui.FilterHelp()) {
				t.Errorf("footer while filtering: %s", got)
			}
			s = pType(s, "cloak")
			v := viewOf(s)
			if !strings.Contains(v, "/ cloak") || strings.Contains(v, "/ / ") {
				t.Errorf("filter line:\n%s", v)
			}
			if items := s.activeMenu(); len(items) != 1 || items[0].preset.Name != "keycloak" {
				t.Fatalf("the filter kept %d entries", len(items))
			}
			if strings.Contains(v, "Okta") {
				t.Errorf("an entry the filter drops is shown:\n%s", v)
			}
			s, _ = pKeys(s, "esc")
			if s.CapturingText() || len(s.activeMenu()) != all {
				t.Fatalf("esc did not clear the filter: %d of %d entries", len(s.activeMenu()), all)
			}
			s, _ = pKeys(s, "/")
			s = pType(s, "zzz")
			if v := viewOf(s); !strings.Contains(v, "no entry matches the filter") {
				t.Errorf("no word that nothing matches:\n%s", v)
			}
			s, _ = pKeys(s, "esc", "/")
			s = pType(s, "keycloak")
			s, _ = pKeys(s, "enter")
			if s.CapturingText() || s.mode == modeForm {
				t.Fatal("enter did not keep the filter first")
			}
			s, _ = pKeys(s, "enter")
			if s.mode != modeForm || s.form.profile().Preset != "keycloak" {
				t.Fatalf("enter did not open the filtered entry (mode %v)", s.mode)
			}
		})
	}
}

// helpText is the keys of a footer, for comparing.
func helpText(bs []key.Binding) string {
	var keys []string
	for _, b := range bs {
		keys = append(keys, b.Help().Key+" "+b.Help().Desc)
	}
	return strings.Join(keys, " · ")
}
