package ui

import (
	"charm.land/lipgloss/v2"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows"
)

// CheckMark is the glyph and style a validation check is shown with: ✓ pass, ✗ fail, – skipped.
func (s *Styles) CheckMark(status flows.CheckStatus) (string, lipgloss.Style) {
	switch status {
	case flows.CheckPass:
		return "✓", s.Pass
	case flows.CheckFail:
		return "✗", s.Fail
	}
	return "–", s.Skipped
}

// Explanation is a failure code's explanation in one line, its title and the section that defines
// it, as the doctor and `tokenbench har` print it; empty for a code without one.
func Explanation(code string) string {
	ex, ok := assets.Explain(code)
	if !ok {
		return ""
	}
	if ex.Spec != "" {
		return ex.Title + " (" + ex.Spec + ")"
	}
	return ex.Title
}
