// Command bare is a bare Bubble Tea v2 program: a bubbles list filling an alternate screen, q to
// quit. `.ci/bench` times its first frame and its idle CPU in tmux beside tokenbench's.
package main

import (
	"fmt"
	"os"

	"charm.land/bubbles/v2/list"
	tea "charm.land/bubbletea/v2"
)

type item string

func (i item) FilterValue() string { return string(i) }
func (i item) Title() string       { return string(i) }
func (i item) Description() string { return "an item of the bare list" }

type model struct{ l list.Model }

func (m model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.l.SetSize(msg.Width, msg.Height)
	case tea.KeyPressMsg:
		if msg.String() == "q" {
			return m, tea.Quit
		}
	}
	var cmd tea.Cmd
	m.l, cmd = m.l.Update(msg)
	return m, cmd
}

func (m model) View() tea.View {
	v := tea.NewView(m.l.View())
	v.AltScreen = true
	return v
}

func main() {
	items := make([]list.Item, 50)
	for i := range items {
		items[i] = item(fmt.Sprintf("item %d", i))
	}
	l := list.New(items, list.NewDefaultDelegate(), 80, 24)
	l.Title = "bare list"
	if _, err := tea.NewProgram(model{l: l}).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
