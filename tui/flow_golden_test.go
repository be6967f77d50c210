package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// Goldens of the whole app on the stepper, its keys while a request is slow, and clicks on its list.

func TestFlowGolden(t *testing.T) {
	t.Run("initial", func(t *testing.T) {
		p := tuitest.FlowProvider(t)
		tm := startApp(t, flowOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser), 80, 24)
		waitSized(t, tm)
		golden.RequireEqual(t, finalView(t, tm))
	})

	t.Run("token", func(t *testing.T) {
		p := tuitest.FlowProvider(t)
		tm := startApp(t, flowOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser), 100, 40)
		waitSized(t, tm)
		tm.Send(tuitest.Press("enter")) // Discover
		waitModel(t, tm, "discovery", stepEnded("discover"))
		tm.Send(tuitest.Press("j"))
		tm.Send(tuitest.Press("enter")) // Authorize; the injected browser comes back to the listener
		waitModel(t, tm, "the callback", stepEnded("callback"))
		tm.Send(tuitest.Press("j"))
		tm.Send(tuitest.Press("enter")) // Token
		waitModel(t, tm, "the token", stepEnded("token"))
		golden.RequireEqual(t, finalView(t, tm))
	})

	t.Run("failed", func(t *testing.T) {
		p := tuitest.FlowProvider(t, "deny")
		tm := startApp(t, flowOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser), 100, 50)
		waitSized(t, tm)
		tm.Send(tuitest.Press("j"))
		tm.Send(tuitest.Press("enter")) // Authorize, which the provider denies
		waitModel(t, tm, "the callback", func(m Model) bool { return stepEnded("callback")(m) && flowOf(m).HasMetadata() })
		golden.RequireEqual(t, finalView(t, tm))
	})

	t.Run("device", func(t *testing.T) {
		// A long interval: no poll happens during the test, so the view is always the same.
		p := tuitest.FlowProviderWith(t, demoidp.Options{DeviceInterval: time.Minute})
		opts := flowOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil)
		tm := startApp(t, opts, 80, 24)
		waitSized(t, tm)
		tm.Send(tuitest.Press("g")) // the grant picker
		tm.Send(tuitest.Press("/"))
		tm.Send(tuitest.PasteMsgOf("device"))
		tm.Send(tuitest.Press("enter")) // picks device_code, and selects its first step
		tm.Send(tuitest.Press("enter"))
		waitModel(t, tm, "polling", func(m Model) bool { return flowOf(m).Running() == "token" && flowOf(m).HasMetadata() })
		golden.RequireEqual(t, finalView(t, tm))
	})

	t.Run("learn", func(t *testing.T) {
		p := tuitest.FlowProvider(t)
		tm := startApp(t, flowOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser), 120, 30)
		waitSized(t, tm)
		tm.Send(tuitest.Press("j"))
		tm.Send(tuitest.Press("L"))
		waitModel(t, tm, "learn", func(m Model) bool { return m.c.Learn && flowOf(m).Selected() == "authorize" })
		golden.RequireEqual(t, finalView(t, tm))
	})
}

// TestFlowKeysWhileSlow: while a request is in flight (the provider's slow fault holds every
// answer 5 s), keys are still answered at once, and esc cancels the request.
func TestFlowKeysWhileSlow(t *testing.T) {
	p := tuitest.FlowProvider(t, "slow=5s")
	tm := startApp(t, flowOptions(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser), 80, 24)
	waitSized(t, tm)
	tm.Send(tuitest.Press("enter")) // Discover: held 5 s by the provider
	waitModel(t, tm, "discovery to run", func(m Model) bool { return flowOf(m).Running() == "discover" })
	start := time.Now()
	tm.Send(tuitest.Press("j"))
	waitModel(t, tm, "the cursor to move", func(m Model) bool { return flowOf(m).Selected() == "authorize" })
	if took := time.Since(start); took > time.Second {
		t.Errorf("a key took %s to be answered during a slow request", took)
	} else {
		t.Logf("key answered in %s while discovery was in flight", took)
	}
	tm.Send(tuitest.Press("esc"))
	waitModel(t, tm, "the cancel", func(m Model) bool {
		f := flowOf(m)
		return f.Running() == "" && f.StepState("discover") == "pending"
	})
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("cancelling took %s", took)
	}
	finalView(t, tm)
}

// flowOptions are the app's options for a test on client c.
func flowOptions(c *flows.Client, open func(string) error) Options {
	return Options{Client: c, Name: "demo-basic @ test", Note: "test provider", OpenBrowser: open, Now: tuitest.FlowNow, Scrub: tuitest.FlowScrub}
}

// TestFlowClickSelectsStep: a left click on a step of the stepper's list selects it.
func TestFlowClickSelectsStep(t *testing.T) {
	m := newTestApp(t)
	var y int
	for i, line := range strings.Split(ansi.Strip(m.View().Content), "\n") {
		if strings.Contains(line, "Introspect") {
			y = i
		}
	}
	m, _ = appUpdate(t, m, tea.MouseClickMsg{X: 3, Y: y, Button: tea.MouseLeft})
	if cur := flowOf(m).Selected(); cur != "introspect" {
		t.Fatalf("click on the Introspect row selected %s", cur)
	}
	m, _ = appUpdate(t, m, tea.MouseClickMsg{X: 60, Y: y - 3, Button: tea.MouseLeft})
	if cur := flowOf(m).Selected(); cur != "introspect" {
		t.Errorf("a click in the pane moved the step to %s", cur)
	}
}
