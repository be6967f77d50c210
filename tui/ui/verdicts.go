package ui

import (
	"charm.land/lipgloss/v2"

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
