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
