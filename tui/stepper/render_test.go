package stepper

import (
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestRenderIsLipgloss: the frame drawn from measured lines is the frame lipgloss draws, on every
// step after a full flow, at several sizes, with Learn beside or above, scrolled or not; and the
// screen takes the short way for it.
func TestRenderIsLipgloss(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, tuitest.FlowBrowser, 80, 24))
	r.runStep(stepDiscover)
	r.runStep(stepAuthorize)
	r.until("callback", func(s flowModel) bool { return s.steps[stepCallback].state == stateDone })
	r.runStep(stepToken)
	for _, learn := range []bool{false, true} {
		r.s.c.Learn = learn
		for _, size := range [][2]int{{80, 22}, {60, 15}, {120, 40}, {200, 8}} {
			r.s.c.Width, r.s.c.Height = size[0], size[1]
			for id := stepID(0); id < numSteps; id++ {
				r.s.cursor = id
				r.relayout()
				for _, scroll := range []int{0, 5, 1000} {
					r.s.vp.SetYOffset(scroll)
					if _, ok := r.s.paneBlock(); !ok {
						t.Errorf("%v learn=%v %s: the pane was left to lipgloss", size, learn, id.title())
					}
					if got, want := r.s.render(), renderLipgloss(r.s); got != want {
						t.Errorf("%v learn=%v %s scrolled %d:\n got %q\nwant %q", size, learn, id.title(), scroll, got, want)
					}
				}
			}
		}
	}
}

// renderLipgloss is render drawn by lipgloss all the way, the viewport's own view in the pane.
func renderLipgloss(s flowModel) string {
	st := s.c.Styles
	list := st.StepList.Height(s.c.Height).Width(stepListWidth).Render(s.stepList())
	cols := []string{list, st.Pane.Render(s.vp.View())}
	if s.sideLearn() {
		lw := s.learnWidth()
		cols = append(cols, st.LearnBox.Width(lw).Render(s.learnText(lw-st.LearnBox.GetHorizontalFrameSize())))
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, cols...)
}
