package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tui/ui"
)

// q asks before it ends a session that holds something: tokens received, HTTP exchanges recorded.
// Both live only in memory, so quitting loses them; the question offers to save the trace as HAR
// first (the Trace screen's H). With nothing to lose, q quits at once. ctrl+c always quits at once:
// it is the way out that never asks.

// quitKeys answer the quit question.
type quitKeys struct {
	Yes, No, SaveHAR key.Binding
}

func defaultQuitKeys() quitKeys {
	return quitKeys{
		Yes:     key.NewBinding(key.WithKeys("y", "q"), key.WithHelp("y", "quit")),
		No:      key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "stay")),
		SaveHAR: ui.KeySaveHAR("save the trace as HAR first"),
	}
}

// held is what the session would lose, said in words ("3 tokens and 14 HTTP exchanges"), or ""
// when there is nothing.
func (m Model) held() string {
	var parts []string
	if m.tokens > 0 {
		parts = append(parts, ui.CountNoun(m.tokens, "token"))
	}
	if m.c.Trace != nil {
		if n := m.c.Trace.Len(); n > 0 {
			parts = append(parts, ui.CountNoun(n, "HTTP exchange"))
		}
	}
	return strings.Join(parts, " and ")
}

// askQuit is q: the question when the session holds something, else the end.
func (m Model) askQuit() (tea.Model, tea.Cmd) {
	if m.held() == "" {
		return m, tea.Quit
	}
	m.quitting = true
	m.fullHelp = false
	return m, nil
}

// handleQuitKey answers the question: y (or q again) quits, n or esc stays, H shows the Trace
// screen and saves the HAR there.
func (m Model) handleQuitKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.quitKeys
	switch {
	case key.Matches(msg, k.Yes):
		return m, tea.Quit
	case key.Matches(msg, k.No):
		m.quitting = false
	case key.Matches(msg, k.SaveHAR):
		m.quitting = false
		mm, _ := m.show(ui.TraceScreen)
		return mm.(Model).updateActive(msg)
	}
	return m, nil
}

// countTokens adds the tokens of a token response to what the session holds.
func (m Model) countTokens(msg ui.TokensReceivedMsg) Model {
	if msg.Token == nil {
		return m
	}
	for _, t := range []string{msg.Token.AccessToken, msg.Token.RefreshToken, msg.Token.IDToken} {
		if t != "" {
			m.tokens++
		}
	}
	return m
}

// quitView is the question, in place of the body.
func (m Model) quitView() string {
	st := m.c.Styles
	text := fmt.Sprintf("The session holds %s, kept only in memory: quitting loses it all.", m.held())
	return strings.Join([]string{
		st.Title.Render("Quit?"),
		ui.WrapIndent(text, m.width, ""),
		"",
		ui.WrapIndent("y quits · n or esc stays · H saves the trace as HAR first (the Trace screen asks where), then stays · ctrl+c always quits at once", m.width, ""),
	}, "\n")
}
