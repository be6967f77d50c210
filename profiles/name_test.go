package profiles

import (
	"regexp"
	"strings"
	"testing"
)

// The rules usableName and portableEnvName check by hand.
var (
	namePattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$`)
	envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// FuzzNameChecks holds the hand-written name checks to their regular expressions.
func FuzzNameChecks(f *testing.F) {
	for _, s := range []string{"", "a", "-a", ".a", "a-b.c_d@e+f", "a b", "a/b", "é", "a\n", "1",
		strings.Repeat("a", 64), strings.Repeat("a", 65), "a\x00", "Z9", "_", "_9", "9_", "ACME_SECRET", "a-b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := usableName(s), namePattern.MatchString(s); got != want {
			t.Errorf("usableName(%q) = %v, the pattern says %v", s, got, want)
		}
		if got, want := portableEnvName(s), envNamePattern.MatchString(s); got != want {
			t.Errorf("portableEnvName(%q) = %v, the pattern says %v", s, got, want)
		}
	})
}
