package profiles

import (
	"slices"
	"testing"
)

// TestNextPlaceholderIsThePattern: the scanner fill uses finds the placeholders placeholderRE finds,
// stray and nested braces included.
func TestNextPlaceholderIsThePattern(t *testing.T) {
	for _, tmpl := range []string{"", "{a}", "x{a}y{b}", "{{a}}", "{a{b}", "{}", "a}{b", "{a", "}{", "{{}",
		"https://{domain}/oauth2/{server}/", "{x}{y}", "a{b{c}d}e", "{issuer}/.well-known/openid-configuration"} {
		var got [][]int
		for i := 0; ; {
			start, end, ok := nextPlaceholder(tmpl, i)
			if !ok {
				break
			}
			got = append(got, []int{start, end})
			i = end
		}
		want := placeholderRE().FindAllStringIndex(tmpl, -1)
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%q: the scanner finds %v, the pattern %v", tmpl, got, want)
		}
	}
}
