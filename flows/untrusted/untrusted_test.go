package untrusted

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTextShowsEscapesInsteadOfObeyingThem(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "invalid_grant: the code expired", "invalid_grant: the code expired"},
		{"clear screen", "bad\x1b[2Jthing", `bad\x1b[2Jthing`},
		{"OSC 52 clipboard", "\x1b]52;c;ZWNobyBwd25lZA==\x07", `\x1b]52;c;ZWNobyBwd25lZA==\x07`},
		{"OSC 8 link", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", `\x1b]8;;https://evil.example\x1b\click\x1b]8;;\x1b\`},
		{"title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"C1 CSI", "a\u009b31mred", `a\u009b31mred`},
		{"raw 8-bit CSI byte", "a\x9b31mred", `a\x9b31mred`},
		{"DCS and APC", "\x1bPq#0\x1b\\\x1b_Gi=1\x1b\\", `\x1bPq#0\x1b\\x1b_Gi=1\x1b\`},
		{"bidi override", "user\u202egpj.exe", `user\u202egpj.exe`},
		{"bidi isolate", "\u2066admin\u2069", `\u2066admin\u2069`},
		{"carriage return", "ok\rfake", `ok\rfake`},
		{"windows line break", "one\r\ntwo", "one\ntwo"},
		{"line break kept", "one\ntwo\tthree", "one\ntwo\tthree"},
		{"backspace and DEL", "a\bb\x7f", `a\x08b\x7f`},
		{"unicode kept", "Grüße — ключ ✓", "Grüße — ключ ✓"},
		{"beyond the first plane", "tag\U000E0041", `tag\U000e0041`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Text(c.in); got != c.want {
				t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestLineEscapesLineBreaks(t *testing.T) {
	if got, want := Line("code\nerror: forged\r\tx"), `code\nerror: forged\r\tx`; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
}

func TestLinesAreBoundedWithAMarker(t *testing.T) {
	long := strings.Repeat("a", MaxLine+500)
	got := Text(long + "\nshort")
	first, rest, _ := strings.Cut(got, "\n")
	if !strings.HasSuffix(first, cutMarker) || utf8.RuneCountInString(first) != MaxLine+utf8.RuneCountInString(cutMarker) {
		t.Errorf("the long line was not cut at %d characters with a marker: ends %q", MaxLine, first[len(first)-60:])
	}
	if !strings.Contains(cutMarker, "8192") {
		t.Errorf("the marker %q does not name the limit", cutMarker)
	}
	if rest != "short" {
		t.Errorf("the next line = %q, want it kept", rest)
	}
	if got := Line(strings.Repeat("é", MaxLine)); got != strings.Repeat("é", MaxLine) {
		t.Error("a line of exactly MaxLine characters was cut")
	}
	// What follows the cut is dropped up to the line break, which Text keeps and Line escapes in
	// the part dropped.
	tail := "\x1b[2J\xff\u202e\r\nnext\x1b"
	if got, want := Text(long+tail), long[:MaxLine]+cutMarker+"\nnext\\x1b"; got != want {
		t.Errorf("Text after a cut = %q, want %q", got[MaxLine:], want[MaxLine:])
	}
	if got, want := Line(long+tail), long[:MaxLine]+cutMarker; got != want {
		t.Errorf("Line after a cut = %q, want %q", got[MaxLine:], want[MaxLine:])
	}
}

// checkSafe fails when out could be obeyed by a terminal or reorder text.
func checkSafe(t *testing.T, in, out string, multiline bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output of %q is not UTF-8: %q", in, out)
	}
	width := 0
	for _, r := range out {
		switch {
		case r == '\n' && multiline:
			width = 0
			continue
		case r == '\t' && multiline:
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			t.Fatalf("output of %q holds control character %U: %q", in, r, out)
		case !visible(r):
			t.Fatalf("output of %q holds invisible character %U: %q", in, r, out)
		}
		width++
		if width > MaxLine+utf8.RuneCountInString(cutMarker) {
			t.Fatalf("output of %q has a line longer than the limit", in)
		}
	}
}

func FuzzSanitise(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]52;c;AAAA\x07", "a\u202eb", "\xff\xfe", "\r\n\t", "\u009b2J", strings.Repeat("x", MaxLine+3)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSafe(t, s, Text(s), true)
		line := Line(s)
		checkSafe(t, s, line, false)
		if strings.Contains(line, "\n") {
			t.Fatalf("Line(%q) holds a line break", s)
		}
		if isPlain(s) && Text(s) != s {
			t.Fatalf("plain %q was changed", s)
		}
		start := len(s) % 7 * (MaxLine / 6) // lines that begin near the limit too
		for _, multiline := range []bool{true, false} {
			var got, want strings.Builder
			c, ref := cleaner{multiline: multiline, width: start}, cleanOneByOne{multiline: multiline, width: start}
			c.clean(&got, s)
			ref.clean(&want, s)
			if got.String() != want.String() || c.width != ref.width || c.cut != ref.cut {
				t.Fatalf("clean(%q) = %q, character by character %q", s, got.String(), want.String())
			}
			u := cleaner{multiline: multiline, width: start}
			if u.unchanged([]byte(s)) && (got.String() != s || u.width != c.width) {
				t.Fatalf("unchanged(%q), which clean changes to %q", s, got.String())
			}
		}
	})
}

// cleanOneByOne is cleaner.clean without its runs of printable ASCII: each character on its own.
type cleanOneByOne cleaner

func (c *cleanOneByOne) clean(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		emit := (*cleaner)(c).emit
		switch {
		case c.multiline && r == '\n':
			b.WriteByte('\n')
			c.width, c.cut = 0, false
		case c.multiline && r == '\r' && i+1 < len(s) && s[i+1] == '\n':
		case c.multiline && r == '\t':
			emit(b, "\t")
		case r == utf8.RuneError && size == 1:
			emit(b, `\x`+hex2(s[i]))
		case r < 0x20 || r == 0x7f:
			emit(b, escapeControl(r))
		case !visible(r):
			emit(b, escapeRune(r))
		default:
			emit(b, s[i:i+size])
		}
		i += size
	}
}

// TestWriterSanitisesEveryWrite: what a stream for people is handed is shown, not obeyed, and the
// line bound holds across writes.
func TestWriterSanitisesEveryWrite(t *testing.T) {
	var out strings.Builder
	w := NewWriter(&out)
	fmt.Fprintf(w, "error: invalid_request: %s\n", "\x1b]52;c;cm0gLXJmIH4=\x07\u202e")
	for range MaxLine/1000 + 1 {
		io.WriteString(w, strings.Repeat("b", 1000))
	}
	io.WriteString(w, "\nnext\n")
	got := out.String()
	if !strings.HasPrefix(got, `error: invalid_request: \x1b]52;c;cm0gLXJmIH4=\x07\u202e`+"\n") {
		t.Errorf("first line = %q", got[:min(len(got), 80)])
	}
	if !strings.Contains(got, cutMarker+"\nnext\n") {
		t.Error("a line written in pieces was not bounded")
	}
}
