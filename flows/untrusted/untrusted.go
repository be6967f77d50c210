// Package untrusted makes text that a provider, a pasted token, an imported profile or a HAR file
// supplied safe to write to a terminal. It is the one sanitiser of tokenbench: the command line and
// the TUI both pass such text through it before showing it, so that it is shown and never obeyed.
//
// Control characters (C0, DEL, C1) and the escape sequences they start (CSI, OSC — the clipboard's
// OSC 52, OSC 8 links, window titles —, DCS, APC …) become visible escapes such as \x1b or \u009b;
// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and other invisible format
// characters become \u202e-style escapes, so that text cannot reorder what follows it; bytes that are
// not UTF-8 become \xff-style escapes; and each line is cut at MaxLine characters with a marker
// saying so. JSON does the same inside the strings of a JSON document with JSON's own escapes, so
// that the document stays the same to a program reading it. The package imports no terminal library.
package untrusted

import (
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MaxLine is the longest line, in characters after escaping, that Text and Line keep; the rest of a
// longer line is replaced by a marker naming the limit.
const MaxLine = 8192

// cutMarker ends a line that was longer than MaxLine, naming the limit.
var cutMarker = " …[line cut at " + strconv.Itoa(MaxLine) + " characters]"

// Text returns s for display on a terminal: line breaks (\n, and \r\n as one) and tabs are kept,
// every other control character or invisible format character is shown as an escape, and each line
// is bounded by MaxLine.
func Text(s string) string {
	return sanitise(s, true)
}

// Line returns s for display on one terminal line: like Text, but line breaks and tabs are shown
// as escapes too (\n, \r, \t).
func Line(s string) string {
	return sanitise(s, false)
}

func sanitise(s string, multiline bool) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	// Lines are kept to MaxLine characters: a long text may be mostly cut, so the builder grows as
	// it goes past that rather than taking the whole length of s at once.
	b.Grow(min(len(s), MaxLine) + 16)
	c := cleaner{multiline: multiline}
	c.clean(&b, s)
	return b.String()
}

// cleaner escapes text, keeping the width of the current output line across calls.
type cleaner struct {
	multiline bool
	width     int  // characters on the current output line
	cut       bool // the current line was cut: drop the rest of it
}

func (c *cleaner) emit(b *strings.Builder, piece string) {
	if c.cut {
		return
	}
	n := utf8.RuneCountInString(piece)
	if c.width+n > MaxLine {
		b.WriteString(cutMarker)
		c.cut = true
		return
	}
	b.WriteString(piece)
	c.width += n
}

func (c *cleaner) clean(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		if c.cut {
			// Nothing more of a cut line is shown: go to the line break that ends it, if any.
			j := strings.IndexByte(s[i:], '\n')
			if !c.multiline || j < 0 {
				return
			}
			i += j
		}
		// Printable ASCII, nearly all there is, goes in runs as far as the line has room; the
		// character that would pass MaxLine takes the way below, which cuts the line.
		if n := printableRun(s[i:], MaxLine-c.width); n > 0 && !c.cut {
			b.WriteString(s[i : i+n])
			c.width += n
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c.multiline && r == '\n':
			b.WriteByte('\n')
			c.width, c.cut = 0, false
		case c.multiline && r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// \r\n is a line break written the Windows way; the \n that follows ends the line.
		case c.multiline && r == '\t':
			c.emit(b, "\t")
		case r == utf8.RuneError && size == 1:
			c.emit(b, `\x`+hex2(s[i]))
		case r < 0x20 || r == 0x7f:
			c.emit(b, escapeControl(r))
		case !visible(r):
			c.emit(b, escapeRune(r))
		default:
			c.emit(b, s[i:i+size])
		}
		i += size
	}
}

// Writer passes everything written to it through Text before writing it to the underlying
// writer: for a stream meant for people (standard error), where any provider-supplied text may be
// printed. Line widths are counted across writes. Write is safe for concurrent use. Each Write is
// taken to end on a character boundary, as every fmt.Fprint call does.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
	c  cleaner
}

// NewWriter returns a Writer that writes sanitised text to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, c: cleaner{multiline: true}}
}

// Write sanitises p and writes it; it reports len(p) written when the underlying write succeeds.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.c.unchanged(p) {
		// Nothing to escape or cut (a table of profiles, already cleaned cell by cell): written
		// as it is, without a copy.
		if _, err := w.w.Write(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	var b strings.Builder
	b.Grow(len(p) + 16)
	w.c.clean(&b, string(p))
	if _, err := io.WriteString(w.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// printableRun counts the printable ASCII bytes s starts with, up to limit.
func printableRun(s string, limit int) int {
	n := 0
	for n < len(s) && n < limit && s[n] >= 0x20 && s[n] < 0x7f {
		n++
	}
	return n
}

// unchanged reports whether clean would write p as it is (printable ASCII, and line breaks when
// multiline, with no line past MaxLine) and if so counts its width as clean would.
func (c *cleaner) unchanged(p []byte) bool {
	if c.cut {
		return false
	}
	width := c.width
	for _, b := range p {
		switch {
		case b == '\n' && c.multiline:
			width = 0
		case b >= 0x20 && b < 0x7f && width < MaxLine:
			width++
		default:
			return false
		}
	}
	c.width = width
	return true
}

// isPlain reports whether s is printable ASCII with no line longer than MaxLine: the common case,
// returned as it is.
func isPlain(s string) bool {
	width := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' {
			return false // Line must escape it; Text takes the slow path, which is still correct
		}
		if c < 0x20 || c >= 0x7f {
			return false
		}
		width++
		if width > MaxLine {
			return false
		}
	}
	return true
}

// escapeControl shows a C0 control character as Go would quote it: \n, \r, \t, \x1b …
func escapeControl(r rune) string {
	switch r {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	}
	return `\x` + hex2(byte(r))
}

// visible reports whether a character prints as itself: letters, marks, numbers, punctuation,
// symbols and spaces. C1 controls (U+0080–U+009F, which terminals may read as ESC [ and the like),
// format characters (bidi overrides and isolates, zero-width characters), line and paragraph
// separators, private-use and unassigned code points are not.
func visible(r rune) bool {
	if r == '\u2028' || r == '\u2029' {
		return false
	}
	return unicode.IsGraphic(r)
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// escapeRune shows an invisible character as \u202e, or \U000e0001 beyond the first plane.
func escapeRune(r rune) string {
	prefix, digits := `\u`, 4
	if r > 0xffff {
		prefix, digits = `\U`, 8
	}
	h := strconv.FormatInt(int64(r), 16)
	return prefix + strings.Repeat("0", max(0, digits-len(h))) + h
}
