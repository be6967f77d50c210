package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// The app's styles, by meaning, rebuilt for the terminal's background.

// Styles is every style of the app, by meaning (STYLE §6). Screens use these fields and never call
// lipgloss.NewStyle themselves. The root rebuilds it on tea.BackgroundColorMsg; under NO_COLOR the
// program's colour profile (Ascii) drops the colours, and every state is also told by a glyph or
// an attribute (bold, reverse) so nothing relies on colour alone.
type Styles struct {
	// App frame.
	TabActive   lipgloss.Style
	TabInactive lipgloss.Style
	TabBar      lipgloss.Style
	Footer      lipgloss.Style
	Note        lipgloss.Style // the one-line note beside the tabs ("demo provider …")

	// Text.
	Title   lipgloss.Style // a section heading in a pane
	Label   lipgloss.Style // the name column of a name/value list
	Value   lipgloss.Style
	Muted   lipgloss.Style
	Secret  lipgloss.Style // a masked secret
	URL     lipgloss.Style
	KeyHint lipgloss.Style // an inline "press s to reveal"

	// Verdicts.
	Pass      lipgloss.Style
	Fail      lipgloss.Style
	Skipped   lipgloss.Style
	Warn      lipgloss.Style
	ErrorCode lipgloss.Style
	ErrorBox  lipgloss.Style

	// Stepper.
	StepList     lipgloss.Style // the left pane
	StepCurrent  lipgloss.Style // the selected row
	StepPending  lipgloss.Style
	StepRunning  lipgloss.Style
	StepDone     lipgloss.Style
	StepFailed   lipgloss.Style
	StepSkipped  lipgloss.Style
	Pane         lipgloss.Style // the right pane
	LearnBox     lipgloss.Style
	UserCode     lipgloss.Style // the device flow's user code, large
	FieldFocused lipgloss.Style // the label of the focused form field
	Spinner      lipgloss.Style

	// Inspector and trace.
	Rule        lipgloss.Style // the line under a fixed header
	TableHeader lipgloss.Style // the heading row of a table
	Selected    lipgloss.Style // the selected row of a list
	Countdown   lipgloss.Style // time left before a token expires
	Expired     lipgloss.Style
	DiffAdded   lipgloss.Style // + a claim the refreshed token added
	DiffRemoved lipgloss.Style // - a claim it dropped
	DiffChanged lipgloss.Style // ~ a claim whose value changed
	DiffSame    lipgloss.Style // = unchanged

	// Bubbles.
	Help  help.Styles
	Input textinput.Styles
}

// NewStyles builds the styles for a dark or light background.
func NewStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	accent := ld(lipgloss.Color("#5A3FD6"), lipgloss.Color("#9D8CFF"))
	muted := ld(lipgloss.Color("#6E6E6E"), lipgloss.Color("#8A8A8A"))
	green := ld(lipgloss.Color("#1B7F3B"), lipgloss.Color("#5FD787"))
	red := ld(lipgloss.Color("#B3261E"), lipgloss.Color("#FF6B6B"))
	yellow := ld(lipgloss.Color("#8A6100"), lipgloss.Color("#E5C07B"))
	blue := ld(lipgloss.Color("#1F5FAF"), lipgloss.Color("#6CB6FF"))
	border := ld(lipgloss.Color("#B0B0B0"), lipgloss.Color("#4A4A4A"))
	base := lipgloss.NewStyle()

	return &Styles{
		TabActive:   base.Bold(true).Reverse(true).Padding(0, 1),
		TabInactive: base.Foreground(muted).Padding(0, 1),
		TabBar:      base,
		Footer:      base.Padding(0, 1),
		Note:        base.Foreground(muted).Italic(true),

		Title:   base.Bold(true).Foreground(accent),
		Label:   base.Foreground(muted),
		Value:   base,
		Muted:   base.Foreground(muted),
		Secret:  base.Foreground(yellow),
		URL:     base.Foreground(blue),
		KeyHint: base.Foreground(muted).Italic(true),

		Pass:      base.Foreground(green),
		Fail:      base.Foreground(red).Bold(true),
		Skipped:   base.Foreground(muted),
		Warn:      base.Foreground(yellow),
		ErrorCode: base.Foreground(red).Bold(true),
		ErrorBox:  base.Border(lipgloss.RoundedBorder()).BorderForeground(red).Padding(0, 1),

		StepList:     base.Border(lipgloss.NormalBorder(), false, true, false, false).BorderForeground(border).PaddingRight(1),
		StepCurrent:  base.Bold(true).Reverse(true),
		StepPending:  base.Foreground(muted),
		StepRunning:  base.Foreground(blue),
		StepDone:     base.Foreground(green),
		StepFailed:   base.Foreground(red),
		StepSkipped:  base.Foreground(muted).Faint(true),
		Pane:         base.PaddingLeft(1),
		LearnBox:     base.Border(lipgloss.NormalBorder(), false, false, false, true).BorderForeground(accent).PaddingLeft(1),
		UserCode:     base.Bold(true).Border(lipgloss.DoubleBorder()).BorderForeground(accent).Padding(1, 4),
		FieldFocused: base.Bold(true).Foreground(accent),
		Spinner:      base.Foreground(accent),

		Rule:        base.Foreground(border),
		TableHeader: base.Bold(true).Foreground(muted),
		Selected:    base.Bold(true).Reverse(true),
		Countdown:   base.Bold(true).Foreground(green),
		Expired:     base.Bold(true).Foreground(red),
		DiffAdded:   base.Bold(true).Foreground(green),
		DiffRemoved: base.Bold(true).Foreground(red),
		DiffChanged: base.Bold(true).Foreground(yellow),
		DiffSame:    base.Foreground(muted),

		Help:  help.DefaultStyles(isDark),
		Input: textinput.DefaultStyles(isDark),
	}
}
