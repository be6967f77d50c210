package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
)

// Text inputs styled for the app.

// NewLineInput is a one-line text input; its placeholder is shown as a Hint.
func NewLineInput(c *Common, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = Hint(placeholder)
	in.SetStyles(c.Styles.Input)
	return in
}

// Hint is a placeholder as every input shows it: in parentheses, so that it never reads as a value
// typed, also without colour (NO_COLOR, where the faint placeholder style is plain text): a preset's
// default filled in reads "master", an example "(e.g. default)". Already in parentheses, or empty,
// it is left as it is.
func Hint(text string) string {
	if text == "" || strings.HasPrefix(text, "(") && strings.HasSuffix(text, ")") {
		return text
	}
	return "(" + text + ")"
}
