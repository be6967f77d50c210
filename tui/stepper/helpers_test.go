package stepper

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Helpers of the stepper's tests: a shared context, and a runner that drives the stepper as the
// program would.

// flowCommon is a shared context on client c, sized w×h, for Update tests of the stepper alone.
func flowCommon(c *flows.Client, open func(string) error, w, h int) *ui.Common {
	return &ui.Common{
		Styles: ui.NewStyles(true), IsDark: true, Width: w, Height: h, Client: c, Now: tuitest.FlowNow,
		OpenBrowser: open, Scrub: tuitest.FlowScrub,
	}
}

// flowRunner drives a flowModel as the program would: it calls Update on the test's goroutine
// only, runs every returned command on its own goroutine, and feeds the messages back in the order
// they arrive. Spinner and clock ticks are not fed back (they only re-arm themselves), and nor are
// the program's own messages (clipboard …). announced collects what the stepper announced.
type flowRunner struct {
	t         *testing.T
	s         flowModel
	msgs      chan tea.Msg
	wg        sync.WaitGroup
	announced []tea.Msg
}

func newFlowRunner(t *testing.T, c *ui.Common) *flowRunner {
	s, _ := New(c).(flowModel)
	return &flowRunner{t: t, s: s, msgs: make(chan tea.Msg, 64)}
}

// send hands msg to Update and starts the command it returns.
func (r *flowRunner) send(msg tea.Msg) {
	var cmd tea.Cmd
	var sc ui.Screen
	sc, cmd = r.s.Update(msg)
	r.s = sc.(flowModel)
	r.start(cmd)
}

// relayout lays the screen out again after the test changed its state directly: Update does so
// only after a message that may change the pane.
func (r *flowRunner) relayout() { r.s = r.s.layout() }

func (r *flowRunner) start(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				r.start(c)
			}
			return
		}
		if msg != nil {
			r.msgs <- msg
		}
	}()
}

// until feeds messages back until cond holds, failing after timeout.
// The deadline only bounds a hang: a loaded machine running -race can take many seconds for a
// step that takes milliseconds alone.
func (r *flowRunner) until(what string, cond func(flowModel) bool) {
	r.t.Helper()
	deadline := time.After(45 * time.Second)
	for !cond(r.s) {
		select {
		case msg := <-r.msgs:
			switch msg.(type) {
			case spinner.TickMsg, ui.ClockTickedMsg:
				continue
			case ui.TokensReceivedMsg:
				r.announced = append(r.announced, msg)
				continue
			}
			if fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" {
				continue
			}
			r.send(msg)
		case <-deadline:
			r.t.Fatalf("timed out waiting for %s; screen:\n%s", what, r.s.View())
		}
	}
}

// runStep selects a step, presses enter, and waits for it to end (done or failed).
func (r *flowRunner) runStep(id stepID) {
	r.t.Helper()
	r.s.cursor = id
	r.send(tuitest.Press("enter"))
	r.until(id.title()+" to finish", func(s flowModel) bool {
		st := s.steps[id].state
		return st == stateDone || st == stateFailed
	})
}

// viewText is the stepper's view without escape codes.
func (r *flowRunner) viewText() string { return tuitest.StripANSI(r.s.View()) }

// stateOf names the states of all steps, for failure messages and assertions.
func (s flowModel) states() string {
	var b strings.Builder
	for id := stepID(0); id < numSteps; id++ {
		fmt.Fprintf(&b, "%s=%d ", id.name(), s.steps[id].state)
	}
	return b.String()
}

// pickKeys are the keys that choose grant g in the picker: g, /, its name, enter.
func pickKeys(g grantKind) []any {
	return []any{tuitest.Press("g"), tuitest.Press("/"), tuitest.PasteMsgOf(g.String()), tuitest.Press("enter")}
}
