package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Commands every screen may issue: an announcement, a countdown tick, a copy.

// Announce returns a command that delivers msg as it is (an announcement such as TokensReceivedMsg).
func Announce(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// TickClock drives a countdown: one ClockTickedMsg a second, tagged.
func TickClock(tag int) tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return ClockTickedMsg{Tag: tag, At: t} })
}

// Copy puts s on the clipboard through the terminal (OSC 52, which works over SSH). Inside tmux the
// sequence is sent twice: as is, which tmux forwards when set-clipboard is on, and wrapped in tmux's
// passthrough, which it forwards when allow-passthrough is on.
func (c *Common) Copy(s string) tea.Cmd {
	if !c.InTmux {
		return tea.SetClipboard(s)
	}
	return tea.Batch(tea.SetClipboard(s), tea.Raw(ansi.TmuxPassthrough(ansi.SetSystemClipboard(s))))
}

// CopiedNote is what a screen says after copying: the copy is an OSC 52 request to the terminal,
// which cannot tell whether it arrived, so the note says so rather than claiming success.
func CopiedNote(what string) string {
	return "copied " + what + " (OSC 52: the terminal must allow it; inside tmux, set-clipboard or allow-passthrough on)"
}
