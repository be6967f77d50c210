package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The session's commands, issued by the root: the client built for a profile the Profiles screen
// opened, and the wait for each exchange its trace records.

// watchTrace waits for the next exchange the trace records (flows.Trace.Notify feeds ch); the root
// re-arms it after each one.
func watchTrace(ch <-chan flows.Exchange, session int) tea.Cmd {
	return func() tea.Msg {
		x, ok := <-ch
		if !ok {
			return nil
		}
		return ui.ExchangeRecordedMsg{Exchange: x, Session: session}
	}
}

// startSession builds a client for a ClientReadyMsg.
func startSession(m ui.ClientReadyMsg) tea.Cmd {
	return func() tea.Msg {
		c, err := flows.NewClient(m.Config, m.Transport)
		if err != nil {
			return ui.SessionFailedMsg{Err: err}
		}
		built := sessionClientBuiltMsg{name: m.Name, note: m.Note, grant: m.Grant, client: c, demo: m.Demo, profile: m.Profile}
		if m.Demo != nil {
			built.faults = m.Demo.Faults()
		}
		return built
	}
}

// sessionClientBuiltMsg carries a new session's client to the root.
type sessionClientBuiltMsg struct {
	name   string
	note   string
	grant  string
	client *flows.Client
	demo   ui.DemoControls // nil unless the client is the built-in provider's
	faults demoidp.Faults  // the provider's faults when the session started
	// profile is the profile the client was made from, "" for none.
	profile string
}
