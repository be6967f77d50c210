package inspector

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestInspectorClaimsFilter: / narrows the claims and header tables to the rows that hold the
// text, as it is typed; enter keeps the filter, esc in it clears it; typed letters are not keys.
func TestInspectorClaimsFilter(t *testing.T) {
	s := tuitest.Sized(New(tuitest.FixedCommon(tuitest.FixedNow)), 100, 60)
	s = feed(s, tuitest.FakeTokens(t))
	body := func() string { return ansi.Strip(s.View() + "\n" + s.(Model).vp.GetContent()) }
	authTime := regexp.MustCompile(`auth_time +1773478790`) // the claim's row, not the check's
	if v := body(); !strings.Contains(v, "email_verified") || !authTime.MatchString(v) {
		t.Fatalf("the id_token's claims:\n%s", v)
	}
	s = feed(s, tuitest.Press("/"))
	if !s.(Model).CapturingText() {
		t.Fatal("/ does not focus the filter")
	}
	for _, r := range "email" {
		s = feed(s, tuitest.Press(string(r)))
	}
	v := body()
	// email, email_verified, and sub, whose explanation mentions an email: names, values and
	// explanations are all searched.
	if !strings.Contains(v, "email_verified") || authTime.MatchString(v) || !strings.Contains(v, `Claims (3 of 11 match "email")`) {
		t.Errorf("the filtered claims:\n%s", v)
	}
	if len(s.(Model).slots) != 3 || s.(Model).sel != 0 {
		t.Error("letters typed into the filter acted as keys")
	}
	s = feed(s, tuitest.Press("enter"))
	if s.(Model).CapturingText() || !strings.Contains(body(), `3 of 11 match "email"`) {
		t.Errorf("enter does not keep the filter:\n%s", body())
	}
	s = feed(s, tuitest.Press("/"), tuitest.Press("esc"))
	if v := body(); !authTime.MatchString(v) || strings.Contains(v, ` match "`) {
		t.Errorf("esc does not clear the filter:\n%s", v)
	}
}
