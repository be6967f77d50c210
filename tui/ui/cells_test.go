package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Tests of the cell-width wrapping.

// TestWrapCellsNeverOverflows: no wrapped line is wider than asked, whatever the breaks (a comma
// then a space made ansi.Wrap overflow by one cell, which a box around the text then wrapped again).
func TestWrapCellsNeverOverflows(t *testing.T) {
	texts := []string{
		"The grant presented to the token endpoint (authorization code, refresh token, device code, password credentials or assertion) is invalid, expired, revoked, was issued to another client, or does not match the redirect_uri or PKCE challenge of the original request.",
		"http://127.0.0.1:8080/authorize?client_id=demo&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&scope=openid+email&state=ABCDEFGHIJKLMNOP",
		"a/ b/ c& d? e= f, g, h/ i& j? k= l " + strings.Repeat("x", 90),
		"\x1b[1mbold, styled, text, with, commas, everywhere, and, more, commas, to, the, end\x1b[0m",
	}
	for _, s := range texts {
		for w := 5; w <= 90; w++ {
			for _, l := range strings.Split(WrapCells(s, w), "\n") {
				if n := ansi.StringWidth(l); n > w {
					t.Fatalf("w=%d: line of %d cells %q", w, n, ansi.Strip(l))
				}
			}
		}
		if got := strings.Join(strings.Fields(ansi.Strip(strings.ReplaceAll(WrapCells(s, 30), "\n", " "))), ""); got != strings.Join(strings.Fields(ansi.Strip(s)), "") {
			t.Errorf("wrapping lost or changed text:\n%q\n%q", got, ansi.Strip(s))
		}
	}
}

// TestWrapValue: a list of URNs breaks between them; a word wider than the line breaks after a
// separator, each broken line marked, and no line is wider than asked.
func TestWrapValue(t *testing.T) {
	urns := "authorization_code urn:ietf:params:oauth:grant-type:device_code urn:openid:params:grant-type:ciba"
	got := WrapValue(urns, 44)
	want := "authorization_code\nurn:ietf:params:oauth:grant-type:device_code\nurn:openid:params:grant-type:ciba"
	if got != want {
		t.Errorf("URN list at 44:\n%s\nwant\n%s", got, want)
	}
	u := "http://127.0.0.1:8080/authorize?client_id=demo&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&scope=openid"
	for w := 8; w <= 60; w++ {
		lines := strings.Split(WrapValue(u, w), "\n")
		var joined string
		for i, l := range lines {
			if n := ansi.StringWidth(l); n > w {
				t.Fatalf("w=%d: line of %d cells %q", w, n, l)
			}
			if i < len(lines)-1 && !strings.HasSuffix(l, ContinuedMark) {
				t.Fatalf("w=%d: a broken line is not marked: %q", w, l)
			}
			joined += strings.TrimSuffix(l, ContinuedMark)
		}
		if joined != u {
			t.Fatalf("w=%d: the URL changed: %q", w, joined)
		}
	}
	if got := WrapValue("urn:ietf:params:oauth:grant-type:device_code", 30); !strings.HasPrefix(got, "urn:ietf:params:oauth:grant-"+ContinuedMark+"\n") {
		t.Errorf("a URN wider than the line breaks after a separator: %q", got)
	}
}
