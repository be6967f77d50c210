package tui

import (
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/list"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Benchmarks of the workbench against a bare Bubble Tea program doing the same kind of work: one key
// press (Update, then View) on the Flow screen after a full flow on the built-in provider, and one
// on a bubbles list. `.ci/bench` runs both in one process and prints their ratio.

// appDriver runs the app as the program would, without a terminal: Update on the caller's
// goroutine, each command on its own, their messages fed back in arrival order. Ticks are dropped:
// they only re-arm themselves.
type appDriver struct {
	tb   testing.TB
	m    Model
	msgs chan tea.Msg
}

func (d *appDriver) send(msg tea.Msg) {
	mm, cmd := d.m.Update(msg)
	d.m = mm.(Model)
	d.start(cmd)
}

func (d *appDriver) start(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				d.start(c)
			}
			return
		}
		if msg != nil {
			d.msgs <- msg
		}
	}()
}

func (d *appDriver) until(what string, cond func(Model) bool) {
	d.tb.Helper()
	deadline := time.After(15 * time.Second)
	for !cond(d.m) {
		select {
		case msg := <-d.msgs:
			switch msg.(type) {
			case spinner.TickMsg, ui.ClockTickedMsg:
				continue
			}
			if fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" {
				continue
			}
			d.send(msg)
		case <-deadline:
			f := flowOf(d.m)
			d.tb.Fatalf("timed out waiting for %s (selected %s, running %s, token %s); screen:\n%s", what,
				f.Selected(), f.Running(), f.StepState("token"), tuitest.StripANSI(d.m.View().Content))
		}
	}
}

// flowDone is the app at 100×40 on the Flow screen after discovery, authorization, callback and
// token exchange against the built-in provider, with every exchange recorded in the trace.
func flowDone(tb testing.TB) Model {
	tb.Helper()
	// The stepper logs each step; the benchmark's output is its figures.
	out := log.Writer()
	log.SetOutput(io.Discard)
	tb.Cleanup(func() { log.SetOutput(out) })
	p := tuitest.FlowProvider(tb)
	opts := flowOptions(tuitest.FlowClient(tb, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser)
	opts.Scrub = nil // the tests' scrubber is not part of the program
	d := &appDriver{tb: tb, m: New(opts), msgs: make(chan tea.Msg, 256)}
	d.start(d.m.Init())
	d.send(tea.WindowSizeMsg{Width: 100, Height: 40})
	// The keys of TestFlowGolden/token: Discover, then Authorize (which runs on to the callback), then Token.
	d.send(tuitest.Press("enter"))
	d.until("discovery", stepEnded("discover"))
	d.send(tuitest.Press("j"))
	d.send(tuitest.Press("enter"))
	d.until("the callback", stepEnded("callback"))
	d.send(tuitest.Press("j"))
	d.send(tuitest.Press("enter"))
	d.until("the token", func(m Model) bool { return flowOf(m).StepState("token") == "done" })
	d.until("the trace", func(m Model) bool { return m.c.Trace != nil && len(m.c.Trace.Exchanges()) >= 3 })
	return d.m
}

// BenchmarkFlowKeyPress is one key press on the Flow screen after a full flow: j and k in turn,
// moving between the Token and Refresh steps, each followed by the frame the program would draw.
func BenchmarkFlowKeyPress(b *testing.B) {
	m := flowDone(b)
	alternate(b, m, tuitest.Press("k"), tuitest.Press("j"))
}

// alternate hands the app the two messages in turn, each followed by the frame, one per iteration.
func alternate(b *testing.B, m Model, msgs ...tea.Msg) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		mm, _ := m.Update(msgs[i%len(msgs)])
		m = mm.(Model)
		_ = m.View()
		i++
	}
}

// BenchmarkFlowIgnoredMsg is a message that changes nothing on screen reaching the app after a full
// flow: a spinner tick when nothing spins, and an exchange of the trace while the Flow screen is
// shown (the root's watcher delivers one per HTTP exchange), each followed by the frame.
func BenchmarkFlowIgnoredMsg(b *testing.B) {
	m := flowDone(b)
	x := m.c.Trace.Exchanges()[0]
	alternate(b, m, spinner.TickMsg{ID: -1}, ui.ExchangeRecordedMsg{Exchange: *x, Session: m.session})
}

// bareList is a bare Bubble Tea v2 program: a bubbles list filling the window.
type bareList struct{ l list.Model }

func (m bareList) Init() tea.Cmd { return nil }

func (m bareList) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	m.l, cmd = m.l.Update(msg)
	return m, cmd
}

func (m bareList) View() tea.View {
	v := tea.NewView(m.l.View())
	v.AltScreen = true
	return v
}

type bareItem string

func (i bareItem) FilterValue() string { return string(i) }
func (i bareItem) Title() string       { return string(i) }
func (i bareItem) Description() string { return "an item of the bare list" }

// BenchmarkBareListKeyPress is the same key press on a bare bubbles list at 100×40: down and up in
// turn, each followed by the frame.
func BenchmarkBareListKeyPress(b *testing.B) {
	items := make([]list.Item, 50)
	for i := range items {
		items[i] = bareItem(fmt.Sprintf("item %d", i))
	}
	var m tea.Model = bareList{l: list.New(items, list.NewDefaultDelegate(), 100, 40)}
	m, _ = m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	keys := [2]tea.KeyPressMsg{tuitest.Press("down"), tuitest.Press("up")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m, _ = m.Update(keys[i%2])
		_ = m.View()
		i++
	}
}

// BenchmarkInspectorTick is the inspector's countdown moving on by a second, with a 1 MB token
// pasted and on show: the tick's Update, then the frame, as the program does once a second while
// idle (`.ci/bench` measures that idle CPU).
func BenchmarkInspectorTick(b *testing.B) {
	m := flowDone(b)
	now := time.Now()
	m.c.Now = func() time.Time { return now }
	blob := strings.Repeat("a", 780_000)
	payload := fmt.Sprintf(`{"iss":"https://big.example","sub":"x","exp":%d,"blob":%q}`, now.Add(2*time.Hour).Unix(), blob)
	enc := base64.RawURLEncoding.EncodeToString
	token := enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(payload)) + "."
	for _, msg := range []tea.Msg{tuitest.Press("3"), tea.PasteMsg{Content: token}} {
		mm, _ := m.Update(msg)
		m = mm.(Model)
	}
	if !strings.Contains(m.View().Content, "masked, 1") {
		b.Fatalf("the token is not shown:\n%s", tuitest.StripANSI(m.View().Content))
	}
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		mm, _ := m.Update(ui.ClockTickedMsg{Tag: -1, At: now}) // -1: the inspector's countdown
		m = mm.(Model)
		_ = m.View()
	}
}
