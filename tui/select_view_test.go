package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestShowForSelection: v on a step with a copyable value shows the value alone, without the tab
// bar, the footer or a border beside it, with the mouse released to the terminal and a line saying
// how to select it; esc brings the screen and the mouse back.
func TestShowForSelection(t *testing.T) {
	p := tuitest.FlowProvider(t)
	tm := startApp(t, flowOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser), 80, 24)
	waitSized(t, tm)
	tm.Send(tuitest.Press("j"))
	tm.Send(tuitest.Press("enter")) // Authorize
	waitModel(t, tm, "the callback", stepEnded("callback"))
	tm.Send(tuitest.Press("k"))
	tm.Send(tuitest.Press("v"))
	var url string
	var view tea.View
	waitModel(t, tm, "the selection view", func(m Model) bool {
		url, view = flowOf(m).AuthorizationURL(), m.View()
		return flowOf(m).ReleasesMouse()
	})
	text := ansi.Strip(view.Content)
	if view.MouseMode != tea.MouseModeNone {
		t.Errorf("the mouse is still captured: %v", view.MouseMode)
	}
	if !strings.Contains(text, "select with the mouse, esc to go back") || strings.Contains(text, "│") || strings.Contains(text, "q quit") {
		t.Errorf("the selection view:\n%s", text)
	}
	// The URL, joined from the lines it fills to the edge, is the URL whole: no mark, no indent.
	body := strings.Join(strings.Split(text, "\n")[2:], "")
	if url = tuitest.FlowScrub(url); !strings.Contains(body, url) {
		t.Errorf("the URL is not shown whole:\n%s\nwant %s", text, url)
	}
	tm.Send(tuitest.Press("esc"))
	waitModel(t, tm, "the flow screen", func(m Model) bool {
		view = m.View()
		return !flowOf(m).ReleasesMouse()
	})
	if view.MouseMode != tea.MouseModeCellMotion || !strings.Contains(ansi.Strip(view.Content), "Steps") {
		t.Errorf("esc: mouse %v\n%s", view.MouseMode, ansi.Strip(view.Content))
	}
	tm.Send(tuitest.Press("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
