package profilescreen

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestImportedProfileTextIsShownNotObeyed: an imported profile's client_id and notes holding escape
// sequences are listed and detailed escaped, the columns measured on what is shown.
func TestImportedProfileTextIsShownNotObeyed(t *testing.T) {
	t.Parallel()
	p := profiles.Profile{Name: "imported", Issuer: "https://idp.example.com", ClientID: "app\x1b]52;c;cGF3bmVk\x07\x1b[2J\u202e",
		AuthMethod: flows.AuthNone, Notes: "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"}
	st := tuitest.Store(t, p)
	s := newProfilesScreen(profilesCommon(st, nil, 100, 30))
	v := s.View()
	for _, raw := range []string{"\x1b]", "\x1b[2J", "\u202e"} {
		if strings.Contains(v, raw) {
			t.Errorf("the list holds %q raw:\n%s", raw, tuitest.StripANSI(v))
		}
	}
	if plain := tuitest.StripANSI(v); !strings.Contains(plain, `app\x1b]52;c;`) {
		t.Errorf("the client_id is not shown escaped:\n%s", plain)
	}
	for _, line := range strings.Split(v, "\n") {
		if ansiWidth(line) > 100 {
			t.Errorf("a line is %d wide: %q", ansiWidth(line), tuitest.StripANSI(line))
		}
	}
}
