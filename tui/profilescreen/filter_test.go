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
