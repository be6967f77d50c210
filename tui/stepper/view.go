package stepper

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Rendering of the stepper. layout runs at the end of every Update and fills the viewport, so that
// View only joins what is ready.

const (
	stepListWidth = 21 // the left pane, border included
	labelWidth    = 16 // the name column of name/value rows
	learnMinTotal = 110
)

// layout sizes the panes and rebuilds the right pane's content.
func (s Model) layout() Model {
	w, h := s.c.Width, s.c.Height
	if w == 0 || h == 0 {
		return s
	}
	paneW := w - stepListWidth - s.c.Styles.Pane.GetHorizontalFrameSize()
	if s.sideLearn() {
		paneW -= s.learnWidth()
	}
	paneW = max(paneW, 20)
	s.paneWidth = paneW
	s.Form = s.Form.setWidth(paneW - labelWidth - 2)
	s.paste.SetWidth(max(10, paneW-4))
	s.vp.SetWidth(paneW)
	s.vp.SetHeight(h)
	content := s.c.Scrub(s.paneContent(paneW))
	s.vp.SetContent(content)
	if s.Form.Editing {
		// Keep the focused field in sight.
		mark := "▸" + ui.Truncate(s.Form.focus.label(), labelWidth-2)
		for i, l := range strings.Split(content, "\n") {
			if strings.HasPrefix(ansi.Strip(l), mark) {
				s.vp.EnsureVisible(i, 0, 0)
				break
			}
		}
	}
	return s
}

// sideLearn reports whether the Learn text goes in its own column (wide terminals) rather than at
// the top of the pane.
func (s Model) sideLearn() bool { return s.c.Learn && s.c.Width >= learnMinTotal }

func (s Model) learnWidth() int { return min(48, s.c.Width/3) }

// View joins the step list, the pane and, on wide terminals, the Learn column.
func (s Model) View() string {
	st := s.c.Styles
	list := st.StepList.Height(s.c.Height).Width(stepListWidth).Render(s.stepList())
	cols := []string{list, st.Pane.Render(s.vp.View())}
	if s.sideLearn() {
		lw := s.learnWidth()
		cols = append(cols, st.LearnBox.Width(lw).Render(s.learnText(lw-st.LearnBox.GetHorizontalFrameSize())))
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, cols...)
}

// stepList is the left pane: each step with its state, the selected one highlighted.
func (s Model) stepList() string {
	st := s.c.Styles
	inner := stepListWidth - st.StepList.GetHorizontalFrameSize()
	lines := []string{st.Title.Render("Steps")}
	for id := StepID(0); id < NumSteps; id++ {
		glyph, style := s.stepGlyph(id)
		row := glyph + " " + id.Title()
		if id == s.Cursor {
			row = st.StepCurrent.Render(padStyled("▸"+row, inner))
		} else {
			row = style.Render(" " + row)
		}
		lines = append(lines, row)
	}
	lines = append(lines, "", st.Label.Render("grant (g)"), ui.Truncate(s.Grant.String(), inner))
	return strings.Join(lines, "\n")
}

// stepGlyph is the state mark of a step; states are told by glyph, not colour alone (NO_COLOR).
func (s Model) stepGlyph(id StepID) (string, lipgloss.Style) {
	st := s.c.Styles
	switch s.Steps[id].State {
	case StateRunning:
		return s.spin.View(), st.StepRunning
	case StateDone:
		return "✓", st.StepDone
	case StateFailed:
		return "✗", st.StepFailed
	case stateSkipped:
		return "–", st.StepSkipped
	case StatePending:
	}
	return "·", st.StepPending
}

// flowPane is a builder for the right pane's lines, wrapped to its width.
type flowPane struct {
	st    *ui.Styles
	w     int
	scrub func(string) string
	b     strings.Builder
}

func (p *flowPane) line(s string) { p.b.WriteString(p.wrap(s, p.w) + "\n") }

// wrap scrubs then wraps text, so that the test scrubber (which changes lengths) never breaks the
// layout.
func (p *flowPane) wrap(s string, width int) string {
	if p.scrub != nil {
		s = p.scrub(s)
	}
	return ui.WrapCells(s, width)
}

func (p *flowPane) blank() { p.b.WriteString("\n") }

func (p *flowPane) heading(s string) { p.blank(); p.line(p.st.Title.Render(s)) }

// kv is a name/value row; the value wraps under itself.
func (p *flowPane) kv(name, value string) {
	label := p.st.Label.Render(padStyled(ui.Truncate(name, labelWidth-1), labelWidth))
	vw := max(8, p.w-labelWidth)
	lines := strings.Split(p.wrap(value, vw), "\n")
	indent := strings.Repeat(" ", labelWidth)
	for i, l := range lines {
		if i == 0 {
			p.b.WriteString(label + l + "\n")
		} else {
			p.b.WriteString(indent + l + "\n")
		}
	}
}

// bullet is an indented list item.
func (p *flowPane) bullet(mark, s string) {
	lines := strings.Split(p.wrap(s, max(8, p.w-2)), "\n")
	for i, l := range lines {
		if i == 0 {
			p.b.WriteString(mark + " " + l + "\n")
		} else {
			p.b.WriteString("  " + l + "\n")
		}
	}
}

func (p *flowPane) String() string { return strings.TrimRight(p.b.String(), "\n") }

// paneContent is the selected step: title, notice, Learn (narrow terminals), then the raw view or
// the request and its response.
func (s Model) paneContent(w int) string {
	st := s.c.Styles
	p := &flowPane{st: st, w: w, scrub: s.c.Scrub}
	id := s.Cursor
	p.line(st.Title.Render(s.stepHeading(id)) + "  " + s.stateBadge(id))
	if s.notice != "" {
		p.line(st.Warn.Render(s.notice))
	}
	if s.c.Learn && !s.sideLearn() {
		p.blank()
		p.line(st.LearnBox.Width(w).Render(s.learnText(w - st.LearnBox.GetHorizontalFrameSize())))
	}
	if s.showRaw {
		s.rawView(p)
		return p.String()
	}
	switch id {
	case StepDiscover:
		s.discoverView(p)
	case StepAuthorize:
		s.authorizeView(p)
	case StepCallback:
		s.callbackView(p)
	case StepToken:
		s.tokenView(p)
	case stepRefresh:
		s.refreshView(p)
	case stepUserInfo:
		s.resourceView(p, "GET", s.endpoint(func(e flows.Endpoints) string { return e.UserInfo }), s.userinfo)
	case StepIntrospect:
		s.resourceView(p, "POST", s.endpoint(func(e flows.Endpoints) string { return e.Introspection }), s.introspection)
	case stepRevoke:
		s.revokeView(p)
	case stepLogout:
		s.logoutView(p)
	case NumSteps:
	}
	s.errorView(p)
	return p.String()
}

// stepHeading is the pane's title for a step under the chosen grant.
func (s Model) stepHeading(id StepID) string {
	switch {
	case id == StepAuthorize && s.Grant == grantDevice:
		return "Device authorization"
	case id == StepAuthorize && s.Grant == GrantCIBA:
		return "Backchannel authentication (CIBA)"
	case id == StepAuthorize:
		return "Authorization request"
	case id == StepToken && s.Grant == grantAuthCode:
		return "Token request (code exchange)"
	case id == StepToken:
		return "Token request (" + s.Grant.String() + ")"
	case id == StepDiscover:
		return "Discovery"
	}
	return id.Title()
}

// stateBadge says the step's state in words.
func (s Model) stateBadge(id StepID) string {
	st := s.c.Styles
	r := s.Steps[id]
	switch r.State {
	case StateRunning:
		return st.StepRunning.Render(s.spin.View() + " running — esc cancels")
	case StateDone:
		return st.Pass.Render("✓ done") + st.Muted.Render(durationNote(r.took)+" — j next step")
	case StateFailed:
		return st.Fail.Render("✗ failed")
	case stateSkipped:
		return st.Skipped.Render("– skipped for " + s.Grant.String())
	case StatePending:
	}
	return st.Muted.Render("· pending — enter runs it")
}

func durationNote(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return " in " + d.Round(time.Millisecond).String()
}

// learnText is the Learn entry of the selected step.
func (s Model) learnText(w int) string {
	st := s.c.Styles
	t, ok := assets.Step(s.learnName())
	if !ok {
		return ""
	}
	p := &flowPane{st: st, w: w, scrub: s.c.Scrub}
	p.line(st.Title.Render("Learn: "+t.Title) + " " + st.Muted.Render("("+t.Spec+")"))
	p.line(t.Does)
	p.line(st.Label.Render("Look at:"))
	for _, l := range t.Look {
		p.bullet("•", l)
	}
	return p.String()
}

// learnName is the steps.yaml key for the selected step under the chosen grant.
func (s Model) learnName() string {
	switch {
	case s.Cursor == StepAuthorize && s.Grant == grantDevice:
		return "device"
	case s.Cursor == StepAuthorize && s.Grant == GrantCIBA:
		return "ciba"
	case s.Cursor == StepToken && s.Grant != grantAuthCode:
		if s.Grant == grantDevice {
			return "device"
		}
		return s.Grant.String()
	}
	return s.Cursor.name()
}

// padStyled pads styled text with spaces to width cells.
func padStyled(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}
