package stepper

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestSelectViewRewritesTheValue: once the selection view is drawn, the value is written again as
// one run from its first cell (so that the terminal wraps it and a selection joins it), the cursor
// saved and restored; a stale draw is ignored, and esc asks for a full repaint.
func TestSelectViewRewritesTheValue(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 80, 24))
	r.s.form.grant = grantClientCredentials
	r.s = r.s.applyGrant()
	r.runStep(stepToken)
	sc, cmd := r.s.Update(tuitest.Press("v"))
	s := sc.(flowModel)
	if !s.ReleasesMouse() || cmd == nil || !strings.Contains(s.View(), "select with the mouse, esc to go back") {
		t.Fatalf("v on Token: releases %v\n%s", s.ReleasesMouse(), s.View())
	}
	if _, stale := s.onSelectDrawn(selectDrawnMsg{gen: s.selecting.gen - 1}); stale != nil {
		t.Error("a draw of an earlier opening rewrote the value")
	}
	_, raw := s.onSelectDrawn(selectDrawnMsg{gen: s.selecting.gen})
	msg, ok := raw().(tea.RawMsg)
	if !ok {
		t.Fatalf("no raw write: %T", raw())
	}
	out, _ := msg.Msg.(string)
	if !strings.HasPrefix(out, "\x1b7\x1b[3;1H"+s.token.AccessToken) || !strings.HasSuffix(out, "\x1b8") {
		t.Errorf("the rewrite: %q", out)
	}
	sc, cmd = s.Update(tuitest.Press("esc"))
	if sc.(flowModel).ReleasesMouse() || cmd == nil {
		t.Error("esc did not close the view with a repaint")
	}
}
