package tui

import (
	"context"
	"slices"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// runCmd runs a command as Bubble Tea does, on its own goroutine, and returns every message it and
// the commands it batches produce (clock ticks left out: they never end).
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, runCmd(c)...)
		}
		return out
	case ui.ClockTickedMsg:
		return nil
	default:
		return []tea.Msg{msg}
	}
}

// TestInspectorVerifiesWhileTheFlowEdits: the inspector checks a token on a command's goroutine
// (fetching the provider's keys) while the flow screen applies an edited form and starts a request.
// Under -race, a configuration written by one screen while another's command reads it is reported:
// the flow screen used to write the shared client's Config; it now runs on snapshots.
func TestInspectorVerifiesWhileTheFlowEdits(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	before := slices.Clone(c.Config.Scopes)
	tok, err := c.WithConfig(c.Config).ClientCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Client: c, Now: tuitest.FlowNow, Scrub: tuitest.FlowScrub})
	m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: 100, Height: 40})
	m, verify := appUpdate(t, m, ui.TokensReceivedMsg{Step: "token", Grant: flows.GrantClientCredentials, Token: tok, At: tuitest.FlowNow()})

	var wg sync.WaitGroup
	var verified []tea.Msg
	wg.Go(func() { verified = runCmd(verify) }) // the inspector's check: JWKS fetch, signature

	// Meanwhile the flow screen: e edits the form, down to scope, a scope added, enter ends the
	// edit, enter runs the step under the cursor (Discover) with the edited configuration.
	var step tea.Cmd
	for _, msg := range []tea.Msg{tuitest.Press("e"), tuitest.Press("down"), tuitest.PasteMsgOf(" phone"), tuitest.Press("esc"), tuitest.Press("enter")} {
		m, step = appUpdate(t, m, msg)
	}
	wg.Wait()
	for _, msg := range append(verified, runCmd(step)...) {
		m, _ = appUpdate(t, m, msg)
	}
	if !slices.Equal(c.Config.Scopes, before) {
		t.Errorf("the session's client was changed: scopes %q, were %q", c.Config.Scopes, before)
	}
	if got := flowOf(m).FormValue("scope"); got != "openid profile email offline_access phone" {
		t.Errorf("the form's scope is %q", got)
	}
	if st := flowOf(m).StepState("discover"); st != "done" {
		t.Errorf("discover %s after the edit", st)
	}
}
