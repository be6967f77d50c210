package stepper

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tui/ui"
)

// The grant picker g opens: every grant the stepper runs, each with its one-line summary from the
// flows grant table; ↑/↓ choose, enter picks, esc cancels, / filters by name or summary.

// grantPicker is the state of the picker; open says it is shown in place of the step's pane.
type grantPicker struct {
	open   bool
	cursor int
	filter textinput.Model
}

// newGrantPicker is a closed picker.
func newGrantPicker(c *ui.Common) grantPicker {
	return grantPicker{filter: ui.NewLineInput(c, "filter grants")}
}

// shown are the grants the filter lets through, in the table's order.
func (pk grantPicker) shown() []grantKind {
	q := strings.ToLower(strings.TrimSpace(pk.filter.Value()))
	var gs []grantKind
	for g := grantKind(0); g < numGrants; g++ {
		spec := g.spec()
		if q == "" || strings.Contains(spec.Name, q) || strings.Contains(strings.ToLower(spec.Summary), q) {
			gs = append(gs, g)
		}
	}
	return gs
}

// openGrantPicker is g: the picker opens on the grant in use.
func (s flowModel) openGrantPicker() (flowModel, tea.Cmd) {
	if s.running != numSteps {
		s.notice = "esc first: " + s.stepTitle(s.running) + " is running"
		return s, nil
	}
	s.picker.open = true
	s.picker.filter.Reset()
	s.picker.filter.Blur()
	s.picker.cursor = int(s.grant)
	s.showRaw = false
	s.vp.GotoTop()
	return s, nil
}

// handlePickerKey moves, filters, picks or cancels.
func (s flowModel) handlePickerKey(msg tea.KeyPressMsg) (flowModel, tea.Cmd) {
	k := s.keys
	pk := &s.picker
	if pk.filter.Focused() {
		switch {
		case key.Matches(msg, k.Cancel):
			pk.filter.Reset()
			pk.filter.Blur()
			return s, nil
		case msg.String() == "enter":
			pk.filter.Blur()
			return s.pickGrant()
		case msg.String() == "up" || msg.String() == "down":
		default:
			var cmd tea.Cmd
			pk.filter, cmd = pk.filter.Update(msg)
			pk.cursor = 0
			return s, cmd
		}
	}
	n := len(pk.shown())
	switch {
	case key.Matches(msg, k.Cancel):
		pk.open = false
		s.notice = "grant unchanged: " + s.grant.String()
	case key.Matches(msg, k.Up):
		pk.cursor = max(0, pk.cursor-1)
	case key.Matches(msg, k.Down):
		pk.cursor = min(max(0, n-1), pk.cursor+1)
	case key.Matches(msg, k.Filter):
		return s, pk.filter.Focus()
	case key.Matches(msg, k.Run):
		return s.pickGrant()
	}
	return s, nil
}

// pickGrant takes the grant under the cursor: the form follows it, the steps that do not apply are
// skipped, and the cursor goes to the grant's first step.
func (s flowModel) pickGrant() (flowModel, tea.Cmd) {
	gs := s.picker.shown()
	if len(gs) == 0 {
		s.notice = "no grant matches the filter (esc clears it)"
		return s, nil
	}
	g := gs[min(s.picker.cursor, len(gs)-1)]
	s.picker.open = false
	s.form.grant = g
	s = s.applyGrant()
	s.cursor = stepToken
	if g.usesAuthorize() {
		s.cursor = stepAuthorize
	}
	s.vp.GotoTop()
	s.notice = "grant: " + g.String() + " — enter runs " + s.stepTitle(s.cursor)
	return s.formFollowUp()
}

// pickerView is the picker in the pane: the filter, then each grant and its summary.
func (s flowModel) pickerView(p *flowPane) {
	st := s.c.Styles
	p.line(st.Title.Render("Choose the grant"))
	p.line(st.Muted.Render("↑/↓ choose · enter picks · esc cancels · / filters"))
	if s.picker.filter.Focused() || s.picker.filter.Value() != "" {
		p.line("/ " + s.picker.filter.View())
	}
	p.blank()
	nameW := 0
	for g := grantKind(0); g < numGrants; g++ {
		nameW = max(nameW, len(g.String()))
	}
	nameW += 4 // the cursor mark, a space, and two spaces after
	gs := s.picker.shown()
	if len(gs) == 0 {
		p.line(st.Muted.Render("No grant matches."))
	}
	for i, g := range gs {
		mark, name := "  ", g.String()
		if i == s.picker.cursor {
			mark = "▸ "
			name = st.Selected.Render(name)
		}
		summary := g.spec().Summary
		if g == s.grant {
			summary += " (in use)"
		}
		lines := strings.Split(p.wrap(summary, max(10, p.w-nameW)), "\n")
		for j, l := range lines {
			head := strings.Repeat(" ", nameW)
			if j == 0 {
				head = padStyled(mark+name, nameW)
			}
			p.b.WriteString(head + st.Muted.Render(l) + "\n")
		}
	}
}
