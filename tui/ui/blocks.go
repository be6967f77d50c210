package ui

import (
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Blocks: text laid out as lines of one width, framed and put side by side the way lipgloss does
// (Style.Render with a width and a height, JoinHorizontal), measuring each line of content once.
// lipgloss measures every line of a block again at each step (wrap, align, pad, border, join), and
// a screen of panes is drawn after every key press; these give the same frame for the common case
// (lines already cut to the width) and hand anything else to lipgloss.

// CellWidth is ansi.StringWidth(s), counted byte by byte when s is ASCII text, escape sequences
// and the narrow symbols the screens draw with (box drawing, ✓, ·, …), and left to ansi.StringWidth
// (grapheme clusters) otherwise.
func CellWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			end, ok := escapeEnd(s, i)
			if !ok {
				return ansi.StringWidth(s)
			}
			i = end
		case c < 0x20 || c == 0x7f:
			return ansi.StringWidth(s)
		case c < utf8.RuneSelf:
			n++
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrowSymbol(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		}
	}
	return n
}

// escapeEnd is the index just past the escape sequence at s[i]: a CSI sequence (SGR and the like)
// or an OSC one (hyperlinks) ended by BEL or ST; false for anything else.
func escapeEnd(s string, i int) (int, bool) {
	if i+1 >= len(s) {
		return 0, false
	}
	switch s[i+1] {
	case '[':
		for j := i + 2; j < len(s); j++ {
			switch c := s[j]; {
			case c >= 0x40 && c <= 0x7e:
				return j + 1, true
			case c < 0x20 || c > 0x7e:
				return 0, false
			}
		}
	case ']':
		for j := i + 2; j < len(s); j++ {
			switch s[j] {
			case 0x07:
				return j + 1, true
			case 0x1b:
				if j+1 < len(s) && s[j+1] == '\\' {
					return j + 2, true
				}
				return 0, false
			}
		}
	}
	return 0, false
}

// carryStyles closes a style or a hyperlink left open at the end of a line and opens it again at
// the start of the next, as lipgloss's wrap does (lipgloss.Wrap, less the wrapping: the lines fit).
func carryStyles(lines []string) []string {
	var b strings.Builder
	w := lipgloss.NewWrapWriter(&b)
	_, _ = io.WriteString(w, strings.Join(lines, "\n"))
	carried := b.String() // as lipgloss.Wrap returns it: before Close resets the last line
	_ = w.Close()
	return strings.Split(carried, "\n")
}

// styleLeftOpen reports whether a style or a hyperlink may still be on at the end of line l: its
// last escape sequence is not an SGR reset (ESC[m, ESC[0m).
func styleLeftOpen(l string) bool {
	at := strings.LastIndexByte(l, 0x1b)
	if at < 0 {
		return false
	}
	last := l[at:]
	return last != "\x1b[m" && last != "\x1b[0m" && !strings.HasPrefix(last, "\x1b[m") && !strings.HasPrefix(last, "\x1b[0m")
}

// narrowSymbol reports the symbols that are one cell wide, a grapheme cluster of their own and never
// shown as emoji: box drawing, braille (the spinner) and a few marks.
func narrowSymbol(r rune) bool {
	switch {
	case r >= 0x2500 && r <= 0x257f, r >= 0x2800 && r <= 0x28ff:
		return true
	}
	switch r {
	case '·', '–', '—', '•', '…', '▸', '▾', '✓', '✗', '←', '↑', '→', '↓':
		return true
	}
	return false
}

// Block is lines of one width in cells, ready to be framed or put beside another block.
type Block struct {
	Lines []string
	Width int
}

// Fit is lipgloss.NewStyle().Width(width).Height(height).Render of the lines (widths their cell
// widths), as a block: each line padded with spaces to width, blank lines added up to height.
// false when a line is wider than width (lipgloss would wrap it).
func Fit(lines []string, widths []int, width, height int) (Block, bool) {
	out := make([]string, 0, max(len(lines), height))
	for i, l := range lines {
		if widths[i] > width {
			return Block{}, false
		}
		out = append(out, l+strings.Repeat(" ", width-widths[i]))
	}
	blank := strings.Repeat(" ", width)
	for len(out) < height {
		out = append(out, blank)
	}
	return Block{Lines: out, Width: width}, true
}

// Framed is style.Width(width).Height(height).Render(text) as a block, for a style that only pads
// and borders on the left and right (no text colours, no top or bottom frame, no margins). The
// lines are measured once and padded where lipgloss would do no more than pad them; otherwise (a
// line wider than the room, a tab, a carriage return) lipgloss renders it. width 0 means the widest line.
func Framed(style lipgloss.Style, width, height int, text string) Block {
	if b, ok := framed(style, width, height, text); ok {
		return b
	}
	if width > 0 {
		style = style.Width(width)
	}
	return BlockOf(style.Height(height).Render(text))
}

// Measure is each line's width in cells (CellWidth) and the widest.
func Measure(lines []string) (widths []int, widest int) {
	widths = make([]int, len(lines))
	for i, l := range lines {
		widths[i] = CellWidth(l)
		widest = max(widest, widths[i])
	}
	return widths, widest
}

// BlockOf is rendered text as a block: its lines, each padded to the widest.
func BlockOf(s string) Block {
	lines := strings.Split(s, "\n")
	widths, widest := Measure(lines)
	for i, l := range lines {
		lines[i] = l + strings.Repeat(" ", widest-widths[i])
	}
	return Block{Lines: lines, Width: widest}
}

// framed is Framed's short way; false where lipgloss must draw.
func framed(style lipgloss.Style, width, height int, text string) (Block, bool) {
	if style.GetVerticalFrameSize() != 0 || style.GetHorizontalMargins() != 0 || strings.ContainsAny(text, "\t\r") {
		return Block{}, false
	}
	lines := strings.Split(text, "\n")
	widths, widest := Measure(lines)
	return FramedLines(style, width, height, lines, widths, widest)
}

// FramedLines is Framed's short way for text already split into lines and measured (widest is
// the widest); false where lipgloss must draw.
func FramedLines(style lipgloss.Style, width, height int, lines []string, widths []int, widest int) (Block, bool) {
	frame := style.GetHorizontalFrameSize()
	inner := widest
	if width > 0 {
		inner = width - frame
	}
	if inner < 1 || style.GetVerticalFrameSize() != 0 || style.GetHorizontalMargins() != 0 {
		return Block{}, false
	}
	if width > 0 && slices.ContainsFunc(lines, styleLeftOpen) {
		lines = carryStyles(lines)
	}
	fitted, ok := Fit(lines, widths, inner, height)
	if !ok {
		return Block{}, false
	}
	// The frame's two sides, as lipgloss draws them around a line of exactly the inner width.
	fill := strings.Repeat("x", inner)
	probe := style.UnsetWidth().UnsetHeight().Render(fill)
	at := strings.Index(probe, fill)
	if at < 0 || strings.Contains(probe, "\n") {
		return Block{}, false
	}
	left, right := probe[:at], probe[at+len(fill):]
	for i, l := range fitted.Lines {
		fitted.Lines[i] = left + l + right
	}
	fitted.Width = inner + frame
	return fitted, true
}

// Beside is lipgloss.JoinHorizontal(lipgloss.Top, ...) of blocks: the shorter ones get blank
// lines of their width at the bottom.
func Beside(blocks ...Block) string {
	height, size := 0, 0
	for _, b := range blocks {
		height = max(height, len(b.Lines))
		for _, l := range b.Lines {
			size += len(l)
		}
	}
	var sb strings.Builder
	sb.Grow(size + height*(1+len(blocks)))
	for i := range height {
		for _, b := range blocks {
			if i < len(b.Lines) {
				sb.WriteString(b.Lines[i])
			} else {
				sb.WriteString(strings.Repeat(" ", b.Width))
			}
		}
		if i < height-1 {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}
