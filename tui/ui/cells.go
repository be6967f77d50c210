package ui

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Cell-width text helpers: cut, pad and wrap styled text to a width counted in terminal cells
// (never bytes), and count nouns.

// Truncate cuts s to width cells with an ellipsis.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// Helpers to lay text out in cells and columns, measured in terminal cells (STYLE §6: never by
// byte), used by the inspector and the trace.

// PadCell pads s with spaces to w cells (it does not cut: callers truncate first).
func PadCell(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// wrapBreaks are where a long value (a URL, a query) may break besides spaces. Not a comma:
// ansi.Wrap ends a line one cell past the width where a comma is followed by a space.
const wrapBreaks = " /&?="

// WrapCells wraps s to w cells, at spaces or wrapBreaks where it can and anywhere it must (long
// URLs, tokens), keeping styles. A line still wider than w is cut again, so that a box rendered
// around the text never wraps it a second time.
func WrapCells(s string, w int) string { return wrapAt(s, w, wrapBreaks) }

// wrapAt is WrapCells breaking besides spaces at the characters of breaks.
func wrapAt(s string, w int, breaks string) string {
	if w < 1 {
		return s
	}
	lines := strings.Split(ansi.Wrap(s, w, breaks), "\n")
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Hardwrap(strings.TrimRight(l, " "), w, true)
		}
	}
	return strings.Join(lines, "\n")
}

// ContinuedMark ends a line that WrapValue broke inside a word, so that the break is not read (or
// copied) as part of the value.
const ContinuedMark = "↩"

// valueBreaks are where WrapValue breaks a word wider than the line: after a URL's or a URN's
// separators, or a hyphen.
const valueBreaks = "/&?=:-"

// WrapValue wraps s to w cells at spaces, and breaks a word only when it is wider than the line
// (a long URL, URN or token): there after one of valueBreaks where one falls, else anywhere, and
// each line so broken ends with ContinuedMark. A list of URNs thus breaks between them, never
// inside one that fits on a line.
func WrapValue(s string, w int) string {
	if w < 4 {
		return WrapCells(s, w)
	}
	var out []string
	for _, line := range wordWrap(s, w) {
		if ansi.StringWidth(line) <= w {
			out = append(out, line)
			continue
		}
		// wordWrap left a word wider than the line alone on it (the words around it go to lines
		// of their own), so every break made here is inside that word.
		parts := strings.Split(wrapAt(line, w-1, valueBreaks), "\n")
		for i, p := range parts {
			if i < len(parts)-1 {
				p += ContinuedMark
			}
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}

// wordWrap wraps s to w cells at spaces only (ansi.Wordwrap breaks at hyphens too, which splits a
// URN such as urn:ietf:params:oauth:grant-type:device_code); a word wider than w is left alone on
// its line.
func wordWrap(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line, lw := "", 0
		for i, word := range strings.Split(para, " ") {
			ww := ansi.StringWidth(word)
			switch {
			case i == 0:
				line, lw = word, ww
			case lw+1+ww <= w:
				line, lw = line+" "+word, lw+1+ww
			default:
				out = append(out, line)
				line, lw = word, ww
			}
		}
		out = append(out, line)
	}
	return out
}

// Labelled lays out a name/value row in w cells: the (styled) label in a column of labelW cells and
// the value wrapped beside it (WrapValue), or, when the label leaves no space before that column,
// the label on a line of its own and the value under it, in the column. The label is never cut and
// never runs into its value.
func Labelled(label, value string, w, labelW int) string {
	lines := strings.Split(WrapValue(value, max(8, w-labelW)), "\n")
	indent := strings.Repeat(" ", labelW)
	var out []string
	if lipgloss.Width(label) >= labelW {
		out = append(out, label)
		label = indent
	}
	for i, l := range lines {
		if i == 0 {
			l = PadCell(label, labelW) + l
		} else {
			l = indent + l
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// WrapLines wraps s to w cells, as WrapCells, into lines.
func WrapLines(s string, w int) []string {
	if s == "" {
		return nil
	}
	return strings.Split(WrapCells(s, max(1, w)), "\n")
}

// WrapIndent wraps s to w cells and indents every line after the first with indent.
func WrapIndent(s string, w int, indent string) string {
	return strings.Join(WrapLines(s, w), "\n"+indent)
}

// LineAt is lines[i], or "" past the end.
func LineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// WrapEach wraps s to w cells, styles each line on its own (a style rendered over several lines
// would pad them all to the widest) and indents every line after the first with indent.
func WrapEach(style lipgloss.Style, s string, w int, indent string) string {
	lines := WrapLines(s, w)
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return strings.Join(lines, "\n"+indent)
}

// WrapHanging wraps s for a block whose first line starts where the continuation lines are
// indented from: every line is w cells at most once indented.
func WrapHanging(s string, w int, indent string) string {
	return WrapIndent(s, w-ansi.StringWidth(indent), indent)
}

// CountNoun renders a count with its noun: "1 claim", "3 claims".
func CountNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
