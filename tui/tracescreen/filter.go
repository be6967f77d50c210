package tracescreen

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The list's filter (/), as on the Profiles screen: typing narrows the list to the exchanges whose
// number, step, method, status or URL hold the text (case-insensitive); enter keeps the filter,
// esc clears it. The list and the selection index the exchanges shown (exchanges); all holds every
// one.

func newFilterInput(c *ui.Common) textinput.Model {
	in := ui.NewLineInput(c, "step, method, status, URL …")
	in.Prompt = "/ "
	return in
}

// startFilter focuses the filter.
func (s Model) startFilter() (ui.Screen, tea.Cmd) {
	focus := s.filter.Focus()
	return s.layout(), focus
}

// handleFilterKey: typing filters as it goes; enter keeps the filter, esc clears it; ↑/↓ still move.
func (s Model) handleFilterKey(msg tea.KeyPressMsg) (ui.Screen, tea.Cmd) {
	switch {
	case key.Matches(msg, s.keys.Back):
		s.filter.SetValue("")
		s.filter.Blur()
		return s.applyFilter().layout(), nil
	case msg.String() == "enter":
		s.filter.Blur()
		return s.layout(), nil
	case msg.String() == "up":
		return s.selectExchange(s.sel - 1), nil
	case msg.String() == "down":
		return s.selectExchange(s.sel + 1), nil
	}
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(msg)
	return s.applyFilter().layout(), cmd
}

// applyFilter lists the exchanges that match the filter, keeping the selected one selected when
// it still shows (else the last one).
func (s Model) applyFilter() Model {
	var selID int
	if s.sel < len(s.exchanges) {
		selID = s.exchanges[s.sel].ID
	}
	q := strings.ToLower(strings.TrimSpace(s.filter.Value()))
	if q == "" {
		s.exchanges = s.all
	} else {
		s.exchanges = nil
		for _, x := range s.all {
			if matches(x, q) {
				s.exchanges = append(s.exchanges, x)
			}
		}
	}
	s.sel = max(0, len(s.exchanges)-1)
	for i, x := range s.exchanges {
		if x.ID == selID && !s.follow {
			s.sel = i
		}
	}
	return s
}

// matches reports whether the exchange's list row holds q (lower case); the URL is matched
// redacted, as the list shows it, so that typing part of a secret finds nothing.
func matches(x *flows.Exchange, q string) bool {
	row := strings.Join([]string{"#" + strconv.Itoa(x.ID), x.Step, x.Method, strconv.Itoa(x.Status), x.Redact().URL}, " ")
	return strings.Contains(strings.ToLower(row), q)
}

// filterLine is the filter as the list shows it: the input while typing, the kept text after.
func (s Model) filterLine() string {
	if s.filter.Focused() {
		return s.filter.View()
	}
	if v := s.filter.Value(); v != "" {
		return s.c.Styles.Muted.Render(ui.Truncate("filter: "+s.c.Untrusted(v)+" ("+ui.CountNoun(len(s.exchanges), "exchange")+" of "+strconv.Itoa(len(s.all))+"; / changes it, esc in it clears it)", s.width))
	}
	return ""
}
