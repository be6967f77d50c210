package profilescreen

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestPlaceholdersDoNotLookLikeValues: without colour (the stripped view is what NO_COLOR shows) a
// preset's default filled in (Keycloak's realm master) reads as a value and an example (BlockID's
// community) as a hint; BlockID's form, whose vendor has no usable discovery, warns that there is
// no JWKS URL and promises nothing "from discovery".
func TestPlaceholdersDoNotLookLikeValues(t *testing.T) {
	keycloak := viewOf(newPresetForm(t, tuitest.Store(t), "keycloak", 100, 200))
	if !regexp.MustCompile(`realm\s+master\s`).MatchString(keycloak) {
		t.Errorf("keycloak's realm is not shown as the value master:\n%s", keycloak)
	}
	blockid := viewOf(newPresetForm(t, tuitest.Store(t), "blockid", 100, 200))
	if !regexp.MustCompile(`community\s+\(e\.g\. default\)`).MatchString(blockid) {
		t.Errorf("blockid's community example reads as a value:\n%s", blockid)
	}
	if regexp.MustCompile(`community\s+default`).MatchString(blockid) {
		t.Errorf("blockid's community example reads as a value:\n%s", blockid)
	}
	flat := flat(blockid)
	if !strings.Contains(flat, "⚠ no JWKS URL") {
		t.Errorf("blockid's form does not warn about the missing JWKS URL:\n%s", blockid)
	}
	if strings.Contains(flat, "from discovery") {
		t.Errorf("blockid's form promises endpoints from discovery:\n%s", blockid)
	}
	if !strings.Contains(flat, "userinfo (none: this vendor has no usable discovery)") {
		t.Errorf("blockid's userinfo override:\n%s", blockid)
	}
}
