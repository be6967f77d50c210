package main

import (
	"fmt"
	"strings"
	"unicode"
)

// untrusted makes text a provider or a file supplied safe to print on a terminal: control
// characters (escape sequences among them) and other invisible format characters are shown as
// \x.. / \u.... escapes, never obeyed. Every string from a HAR file or a provider's answer that the
// doctor and har commands print goes through it, so the escaping lives in this one place.
func untrusted(s string) string {
	if strings.IndexFunc(s, needsEscape) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !needsEscape(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// needsEscape reports whether r would act on a terminal or hide from the reader: C0 and C1
// controls, DEL, and Unicode format characters (bidirectional overrides, zero-width ones).
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar
}
