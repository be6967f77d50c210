package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Commands every screen may issue: an announcement, a countdown tick.

// Announce returns a command that delivers msg as it is (an announcement such as TokensReceivedMsg).
func Announce(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// TickClock drives a countdown: one ClockTickedMsg a second, tagged.
func TickClock(tag int) tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return ClockTickedMsg{Tag: tag, At: t} })
}

// CopiedNote is what a screen says after copying: the copy is an OSC 52 request to the terminal,
// which cannot tell whether it arrived, so the note says so rather than claiming success.
func CopiedNote(what string) string {
	return "copied " + what + " (OSC 52: the terminal must allow it; inside tmux, set-clipboard on)"
}
