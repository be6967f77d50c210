package ui

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Tests that the blocks give the frames lipgloss gives.

var blockTexts = []string{
	"",
	"one line",
	"Steps\n\x1b[32m✓ Discover\x1b[m\n\x1b[1;7m▸· Token           \x1b[m\n\ngrant (g)\nauthorization_code",
	"a line\nof ragged\nwidths, and a longer one at the end",
	"\x1b]8;;https://example.com\x07link\x1b]8;;\x07 and ─│┌ box drawing… “quotes”",
	"\x1b[1mstyled across\na line break\x1b[m",
	"日本語 wide runes\nand an emoji 👍 or ✔️ with a selector\ncombining é",
	"a\ttab",
	"crlf\r\nline",
	strings.Repeat("a long line that does not fit ", 4),
}

func TestCellWidthIsAnsi(t *testing.T) {
	samples := append([]string{"\x1b", "\x1b[", "\x1b[31", "\x1b]8;;x", "\x1b(B", "a\x00b", "\x7f", "→ ← ↑ ↓ ▸ ▾ • – — · …"}, blockTexts...)
	for r := rune(0x2500); r <= 0x28ff; r++ {
		if narrowSymbol(r) {
			samples = append(samples, string(r), "a"+string(r)+"b", string(r)+string(r))
		}
	}
	for _, s := range []string{"·", "–", "—", "•", "…", "▸", "▾", "✓", "✗", "←", "↑", "→", "↓"} {
		samples = append(samples, s, "x"+s+"y")
	}
	for _, s := range samples {
		for _, l := range strings.Split(s, "\n") {
			if got, want := CellWidth(l), ansi.StringWidth(l); got != want {
				t.Errorf("CellWidth(%q) = %d, ansi.StringWidth = %d", l, got, want)
			}
		}
	}
}

func TestFramedIsLipgloss(t *testing.T) {
	for _, dark := range []bool{true, false} {
		st := NewStyles(dark)
		styles := map[string]lipgloss.Style{"StepList": st.StepList, "Pane": st.Pane, "LearnBox": st.LearnBox, "plain": lipgloss.NewStyle()}
		for name, style := range styles {
			for _, text := range blockTexts {
				for _, size := range [][2]int{{0, 0}, {21, 12}, {40, 3}, {12, 1}} {
					w, h := size[0], size[1]
					ref := style
					if w > 0 {
						ref = ref.Width(w)
					}
					want := ref.Height(h).Render(text)
					b := Framed(style, w, h, text)
					if got := strings.Join(b.Lines, "\n"); got != want {
						t.Errorf("%s %d×%d %q:\n got %q\nwant %q", name, w, h, text, got, want)
					}
					if lw, _ := blockWidth(want); lw != b.Width {
						t.Errorf("%s %d×%d %q: width %d, lipgloss %d", name, w, h, text, b.Width, lw)
					}
				}
			}
		}
	}
	// The plain cases take the short way.
	if _, ok := framed(NewStyles(true).StepList, 21, 12, blockTexts[2]); !ok {
		t.Error("the step list was left to lipgloss")
	}
	if _, ok := framed(lipgloss.NewStyle(), 10, 1, "a line longer than ten"); ok {
		t.Error("a line wider than the room was not left to lipgloss")
	}
}

func blockWidth(s string) (int, int) {
	w := 0
	lines := strings.Split(s, "\n")
	for _, l := range lines {
		w = max(w, ansi.StringWidth(l))
	}
	return w, len(lines)
}

func TestBesideIsLipgloss(t *testing.T) {
	st := NewStyles(true)
	for _, a := range blockTexts {
		for _, b := range blockTexts {
			left, right := Framed(st.StepList, 21, 4, a), Framed(st.Pane, 0, 2, b)
			l, r := strings.Join(left.Lines, "\n"), strings.Join(right.Lines, "\n")
			if got, want := Beside(left, right), lipgloss.JoinHorizontal(lipgloss.Top, l, r); got != want {
				t.Errorf("%q beside %q:\n got %q\nwant %q", a, b, got, want)
			}
		}
	}
}
