package ui

import (
	"charm.land/bubbles/v2/textinput"
)

// Text inputs styled for the app.

// NewLineInput is a one-line text input.
func NewLineInput(c *Common, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.SetStyles(c.Styles.Input)
	return in
}
