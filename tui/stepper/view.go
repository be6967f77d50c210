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

// Rendering of the stepper. layout runs at the end of every Update that may change the pane: it
// fills the viewport and draws the frame, so that View only returns what is ready (Bubble Tea calls
// View after every message, most of which change nothing here).

const (
	stepListWidth = 21 // the left pane, border included
	labelWidth    = 18 // the name column of name/value rows: the longest parameter names and a space
	learnMinTotal = 110
)

// layout sizes the panes and rebuilds the right pane's content.
func (s flowModel) layout() flowModel {
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
	s.form = s.form.setWidth(paneW - labelWidth - 2)
	s.paste.SetWidth(max(10, paneW-4))
	s.vp.SetWidth(paneW)
	s.vp.SetHeight(h)
	content := s.c.Scrub(s.paneContent(paneW))
	s.vp.SetContent(content)
	s.pane = measurePane(content)
	if s.form.editing {
		// Keep the focused field in sight.
		mark := "▸" + s.form.focus.label()
		for i, l := range strings.Split(content, "\n") {
			if strings.HasPrefix(ansi.Strip(l), mark) {
				s.vp.EnsureVisible(i+1, 0, 0) // the input, under a label too long for its column
				s.vp.EnsureVisible(i, 0, 0)
				break
			}
		}
	}
	s.frame = s.render()
	return s
}

// sideLearn reports whether the Learn text goes in its own column (wide terminals) rather than at
// the top of the pane.
func (s flowModel) sideLearn() bool { return s.c.Learn && s.c.Width >= learnMinTotal }

func (s flowModel) learnWidth() int { return min(48, s.c.Width/3) }

// View is the frame layout drew last.
func (s flowModel) View() string {
	if s.selecting.value != "" {
		return s.selectionView()
	}
	if s.frame == "" {
		return s.render()
	}
	return s.frame
}

// render joins the step list, the pane and, on wide terminals, the Learn column. Each column is
// framed from lines measured once (the pane's when layout set its content), as lipgloss would
// frame them (ui.Framed).
func (s flowModel) render() string {
	st := s.c.Styles
	cols := []ui.Block{ui.Framed(st.StepList, stepListWidth, s.c.Height, s.stepList())}
	if pane, ok := s.paneBlock(); ok {
		cols = append(cols, pane)
	} else {
		cols = append(cols, ui.BlockOf(st.Pane.Render(s.vp.View())))
	}
	if s.sideLearn() {
		lw := s.learnWidth()
		cols = append(cols, ui.Framed(st.LearnBox, lw, 0, s.learnText(lw-st.LearnBox.GetHorizontalFrameSize())))
	}
	return ui.Beside(cols...)
}

// paneText is the right pane's content as layout last set it, in lines with their widths.
type paneText struct {
	lines  []string
	widths []int
	widest int
	ok     bool // false when the viewport splits the content otherwise (a carriage return)
}

func measurePane(content string) paneText {
	if strings.Contains(content, "\r") {
		return paneText{}
	}
	p := paneText{lines: strings.Split(content, "\n"), ok: true}
	p.widths, p.widest = ui.Measure(p.lines)
	return p
}

// paneBlock is st.Pane.Render(s.vp.View()) from the measured lines: the viewport's window onto
// them (its scroll offset, its height), each padded to its width. false when the viewport would do
// more than that (cut lines wider than itself, wrap them).
func (s flowModel) paneBlock() (ui.Block, bool) {
	p := s.pane
	w, h := s.vp.Width(), s.vp.Height()
	if !p.ok || p.widest > w || s.vp.SoftWrap || w <= 0 || h <= 0 {
		return ui.Block{}, false
	}
	var lines []string
	var widths []int
	if len(p.lines) > 1 || p.widest > 0 { // the viewport holds no lines for empty content
		top := min(max(s.vp.YOffset(), 0), len(p.lines))
		bottom := min(top+h, len(p.lines))
		lines, widths = p.lines[top:bottom], p.widths[top:bottom]
	}
	return ui.FramedLines(s.c.Styles.Pane, w+s.c.Styles.Pane.GetHorizontalFrameSize(), h, lines, widths, w)
}

// stepList is the left pane: each step with its state, the selected one highlighted.
func (s flowModel) stepList() string {
	st := s.c.Styles
	inner := stepListWidth - st.StepList.GetHorizontalFrameSize()
	lines := []string{st.Title.Render("Steps")}
	for id := stepID(0); id < numSteps; id++ {
		glyph, style := s.stepGlyph(id)
		row := glyph + " " + s.stepTitle(id)
		if id == s.cursor {
			row = st.StepCurrent.Render(padStyled("▸"+row, inner))
		} else {
			row = style.Render(" " + row)
		}
		lines = append(lines, row)
	}
	lines = append(lines, "", st.Label.Render("grant (g)"), ui.Truncate(s.grant.String(), inner))
	return strings.Join(lines, "\n")
}

// stepGlyph is the state mark of a step; states are told by glyph, not colour alone (NO_COLOR).
func (s flowModel) stepGlyph(id stepID) (string, lipgloss.Style) {
	st := s.c.Styles
	switch s.steps[id].state {
	case stateRunning:
		return s.spin.View(), st.StepRunning
	case stateDone:
		return "✓", st.StepDone
	case stateFailed:
		return "✗", st.StepFailed
	case stateSkipped:
		return "–", st.StepSkipped
	case statePending:
	}
	return "·", st.StepPending
}

// flowPane is a builder for the right pane's lines, wrapped to its width.
type flowPane struct {
	st    *ui.Styles
	w     int
	scrub func(string) string
	b     strings.Builder
	// formShown says the request form was written, so that an open form is written once.
	formShown bool
}

func (p *flowPane) line(s string) { p.b.WriteString(p.wrap(s, p.w) + "\n") }

// wrap scrubs then wraps text (at spaces; a word wider than the line is broken and marked, see
// ui.WrapValue), so that the test scrubber (which changes lengths) never breaks the
// layout.
func (p *flowPane) wrap(s string, width int) string {
	if p.scrub != nil {
		s = p.scrub(s)
	}
	return ui.WrapValue(s, width)
}

func (p *flowPane) blank() { p.b.WriteString("\n") }

func (p *flowPane) heading(s string) { p.blank(); p.line(p.st.Title.Render(s)) }

// kv is a name/value row; the value wraps under itself. A name too long for the label column is
// never cut: it takes a line of its own and the value goes under it, in the value column.
func (p *flowPane) kv(name, value string) {
	p.labelled(p.st.Label.Render(name), value)
}

// labelled writes a styled label and a value beside it, or under it when the label leaves no
// space before the value column (ui.Labelled).
func (p *flowPane) labelled(label, value string) {
	if p.scrub != nil {
		value = p.scrub(value)
	}
	p.b.WriteString(ui.Labelled(label, value, p.w, labelWidth) + "\n")
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
func (s flowModel) paneContent(w int) string {
	st := s.c.Styles
	p := &flowPane{st: st, w: w, scrub: s.c.Scrub}
	id := s.cursor
	if s.picker.open {
		s.pickerView(p)
		return p.String()
	}
	p.line(st.Title.Render(s.stepHeading(id)) + "  " + s.stateBadge(id))
	if s.steps[id].state == stateDone || s.steps[id].state == stateSkipped {
		p.line(st.KeyHint.Render(s.followUp(id)))
	}
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
	case stepDiscover:
		s.discoverView(p)
	case stepAuthorize:
		s.authorizeView(p)
	case stepCallback:
		s.callbackView(p)
	case stepToken:
		s.tokenView(p)
	case stepRefresh:
		s.refreshView(p)
	case stepUserInfo:
		s.resourceView(p, "GET", s.endpoint(func(e flows.Endpoints) string { return e.UserInfo }), s.userinfo)
	case stepIntrospect:
		s.resourceView(p, "POST", s.endpoint(func(e flows.Endpoints) string { return e.Introspection }), s.introspection)
	case stepRevoke:
		s.revokeView(p)
	case stepLogout:
		s.logoutView(p)
	case stepAPI:
		s.apiView(p)
	case numSteps:
	}
	if s.form.editing && !p.formShown {
		// e works on every step: the form is shown wherever it was opened, not only on the step
		// whose view lists the parameters.
		s.formView(p)
	}
	s.errorView(p)
	return p.String()
}

// stepHeading is the pane's title for a step under the chosen grant.
func (s flowModel) stepHeading(id stepID) string {
	switch {
	case id == stepAuthorize && s.grant == grantDevice:
		return "Device authorization"
	case id == stepAuthorize && s.grant == grantCIBA:
		return "Backchannel authentication (CIBA)"
	case id == stepAuthorize:
		return "Authorization request"
	case id == stepToken && s.grant == grantAuthCode:
		return "Token request (code exchange)"
	case id == stepToken && (s.grant == grantDevice || s.grant == grantCIBA):
		return "Token polling (" + s.grant.String() + ")"
	case id == stepToken:
		return "Token request (" + s.grant.String() + ")"
	case id == stepDiscover:
		return "Discovery"
	}
	return id.title()
}

// stateBadge says the step's state in words.
func (s flowModel) stateBadge(id stepID) string {
	st := s.c.Styles
	r := s.steps[id]
	switch r.state {
	case stateRunning:
		return st.StepRunning.Render(s.spin.View() + " running — esc cancels")
	case stateDone:
		return st.Pass.Render("✓ done") + st.Muted.Render(durationNote(r.took))
	case stateFailed:
		return st.Fail.Render("✗ failed")
	case stateSkipped:
		return st.Skipped.Render("– skipped for " + s.grant.String())
	case statePending:
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
func (s flowModel) learnText(w int) string {
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
func (s flowModel) learnName() string {
	switch {
	case s.cursor == stepAuthorize && s.grant == grantDevice:
		return "device"
	case s.cursor == stepAuthorize && s.grant == grantCIBA:
		return "ciba"
	case s.cursor == stepToken && s.grant != grantAuthCode:
		if s.grant == grantDevice {
			return "device"
		}
		return s.grant.String()
	}
	return s.cursor.name()
}

// padStyled pads styled text with spaces to width cells.
func padStyled(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}
