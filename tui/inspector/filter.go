package inspector

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tui/ui"
)

// The claims filter (/), as on the Profiles and Trace screens: typing narrows the claims and header
// tables to the rows whose name, value or explanation hold the text (case-insensitive); enter
// keeps the filter, esc clears it. A token carries dozens of claims at some providers (groups,
// roles, extension attributes): the filter finds one without scrolling.

func newFilterInput(c *ui.Common) textinput.Model {
	in := ui.NewLineInput(c, "claim name, value or meaning")
	in.Prompt = "/ "
	return in
}

// handleFilterKey: typing filters as it goes; enter keeps the filter, esc clears it.
func (s Model) handleFilterKey(msg tea.KeyPressMsg) (ui.Screen, tea.Cmd) {
	switch {
	case key.Matches(msg, s.keys.Cancel):
		s.filter.SetValue("")
		s.filter.Blur()
		return s.layout(), nil
	case msg.String() == "enter":
		s.filter.Blur()
		return s.layout(), nil
	}
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(msg)
	s.vp.GotoTop()
	return s.layout(), cmd
}

// filtered is the rows the filter lets through.
func (s Model) filtered(rows []tableRow) []tableRow {
	q := strings.ToLower(strings.TrimSpace(s.filter.Value()))
	if q == "" {
		return rows
	}
	var out []tableRow
	for _, r := range rows {
		if strings.Contains(strings.ToLower(r.name+" "+r.value+" "+r.note), q) {
			out = append(out, r)
		}
	}
	return out
}

// filterTitle is a table's title with what the filter kept of its n rows.
func (s Model) filterTitle(title string, kept, n int) string {
	if s.filter.Value() == "" {
		return title
	}
	return title + " (" + strconv.Itoa(kept) + " of " + strconv.Itoa(n) + " match " + strconv.Quote(s.c.Untrusted(s.filter.Value())) + ")"
}

// filterLine is the filter as the top shows it: the input while typing, nothing otherwise (the
// tables' titles say what it kept).
func (s Model) filterLine() string {
	if s.filter.Focused() {
		return s.filter.View()
	}
	return ""
}
