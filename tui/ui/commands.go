package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// announce returns a command that delivers msg as it is (an announcement such as tokensReceivedMsg).
func Announce(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// tickClock drives a countdown: one clockTickedMsg a second, tagged.
func TickClock(tag int) tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return ClockTickedMsg{Tag: tag, At: t} })
}
