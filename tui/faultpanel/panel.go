// Package faultpanel is the faults panel (F, while the session runs on the built-in provider): the
// provider's faults, each turned on or off in place, and its signing keys rotated or retired, so that a
// learner can make the provider misbehave and watch the checks catch it on the next run. The panel lies
// over the active screen like the full help; every call on the provider happens in a command.
package faultpanel

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The panel's keys, state, commands and view; the root owns it and hands it the keys while it is open.

// faultKeys are the panel's keys.
type faultKeys struct {
	Up, Down key.Binding
	Toggle   key.Binding
	Rotate   key.Binding
	Retire   key.Binding
	Close    key.Binding
	Done     key.Binding // ends a duration's editing
	Cancel   key.Binding
}

func defaultFaultKeys() faultKeys {
	return faultKeys{
		Up:     ui.KeyUp(),
		Down:   ui.KeyDown(),
		Toggle: key.NewBinding(key.WithKeys("space", "enter"), key.WithHelp("space", "on/off")),
		Rotate: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rotate signing key")),
		Retire: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "retire old keys")),
		Close:  key.NewBinding(key.WithKeys("F", "esc"), key.WithHelp("F/esc", "close")),
		Done:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "set")),
		Cancel: ui.KeyCancel(),
	}
}

// defaultDuration is offered when a fault that takes a duration is turned on.
var defaultDuration = map[string]string{"clock-skew": "10m", "slow": "5s"}

// Panel is the panel's state. The faults shown are the panel's copy, set in Update and sent
// to the provider by a command; StateMsg brings back what the provider then holds.
type Panel struct {
	Open    bool
	list    []demoidp.Fault
	sel     int
	Faults  demoidp.Faults
	kids    []string
	editing bool // a duration is being typed into input
	input   textinput.Model
	notice  string
	failure string
	keys    faultKeys
	// reqID numbers the panel's commands; an older answer is dropped.
	reqID int
}

// New is the panel, closed, listing the provider's faults.
func New(c *ui.Common) Panel {
	return Panel{list: demoidp.FaultList(), input: ui.NewLineInput(c, "a duration: 10m, -5m, 3s"), keys: defaultFaultKeys()}
}

// StateMsg is the provider's faults and keys after a panel command.
type StateMsg struct {
	reqID  int
	faults demoidp.Faults
	kids   []string
	notice string
}

// readDemo reads the provider's state, after apply (which may be nil) ran on it.
func readDemo(d ui.DemoControls, id int, apply func(ui.DemoControls) string) tea.Cmd {
	return func() tea.Msg {
		notice := ""
		if apply != nil {
			notice = apply(d)
		}
		return StateMsg{reqID: id, faults: d.Faults(), kids: d.KeyIDs(), notice: notice}
	}
}

// Show opens the panel and asks the provider for its state.
func (p Panel) Show(d ui.DemoControls) (Panel, tea.Cmd) {
	p.Open, p.editing, p.notice, p.failure = true, false, "", ""
	p.Faults = d.Faults()
	p.reqID++
	return p, readDemo(d, p.reqID, nil)
}

func (p Panel) OnState(msg StateMsg) Panel {
	if msg.reqID != p.reqID {
		return p
	}
	p.Faults, p.kids = msg.faults, msg.kids
	if msg.notice != "" {
		p.notice = msg.notice
	}
	return p
}

// HandleKey acts on a key while the panel is open.
func (p Panel) HandleKey(msg tea.KeyPressMsg, d ui.DemoControls) (Panel, tea.Cmd) {
	if p.editing {
		return p.handleEditKey(msg, d)
	}
	k := p.keys
	switch {
	case key.Matches(msg, k.Close):
		p.Open = false
	case key.Matches(msg, k.Up):
		p.sel = max(0, p.sel-1)
	case key.Matches(msg, k.Down):
		p.sel = min(len(p.list)-1, p.sel+1)
	case key.Matches(msg, k.Toggle):
		return p.toggle(d)
	case key.Matches(msg, k.Rotate):
		p.reqID++
		p.notice, p.failure = "generating a new signing key…", ""
		return p, readDemo(d, p.reqID, func(d ui.DemoControls) string {
			d.RotateKeys()
			return "new signing key " + shortKID(d.KeyIDs()[0]) + ": tokens from now on carry its kid, which a client's cached JWKS lacks (it must fetch the JWKS again)"
		})
	case key.Matches(msg, k.Retire):
		p.reqID++
		p.notice, p.failure = "", ""
		return p, readDemo(d, p.reqID, func(d ui.DemoControls) string {
			if n := d.RetireOldKeys(); n > 0 {
				return ui.CountNoun(n, "old key") + " no longer published: tokens signed with them now fail the signature check"
			}
			return "only the current key is published; nothing to retire"
		})
	}
	return p, nil
}

// toggle turns the selected fault off, or on (a duration fault asks for its value first).
func (p Panel) toggle(d ui.DemoControls) (Panel, tea.Cmd) {
	fault := p.list[p.sel]
	p.notice, p.failure = "", ""
	if p.Faults.Get(fault.Name) == "" && fault.TakesDuration {
		p.editing = true
		p.input.SetValue(defaultDuration[fault.Name])
		p.input.CursorEnd()
		return p, p.input.Focus()
	}
	spec := fault.Name
	if p.Faults.Get(fault.Name) != "" {
		spec += "=false"
		if fault.TakesDuration {
			spec = fault.Name + "=0s"
		}
	}
	return p.apply(d, spec)
}

func (p Panel) handleEditKey(msg tea.KeyPressMsg, d ui.DemoControls) (Panel, tea.Cmd) {
	switch {
	case key.Matches(msg, p.keys.Cancel):
		p.editing = false
		p.input.Blur()
		return p, nil
	case key.Matches(msg, p.keys.Done):
		np, cmd := p.apply(d, p.list[p.sel].Name+"="+strings.TrimSpace(p.input.Value()))
		if np.failure == "" {
			np.editing = false
			np.input.Blur()
		}
		return np, cmd
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return p, cmd
}

// apply sets one fault by its Set form, in the panel's copy and then on the provider.
func (p Panel) apply(d ui.DemoControls, spec string) (Panel, tea.Cmd) {
	f := p.Faults
	p.failure = ""
	if err := f.Set(spec); err != nil {
		p.failure = err.Error()
		return p, nil
	}
	p.Faults = f
	p.reqID++
	return p, readDemo(d, p.reqID, func(d ui.DemoControls) string {
		d.SetFaults(f)
		return "applies from the provider's next request"
	})
}

func (p Panel) ShortHelp() []key.Binding {
	if p.editing {
		return []key.Binding{p.keys.Done, p.keys.Cancel}
	}
	return []key.Binding{p.keys.Toggle, p.keys.Rotate, p.keys.Retire, p.keys.Close}
}

// shortKID shortens a thumbprint kid for a line of text.
func shortKID(kid string) string {
	if len(kid) > 10 {
		return kid[:8] + "…"
	}
	return kid
}

// View lays the panel out in w × h cells.
func (p Panel) View(st *ui.Styles, w, h int) string {
	head := []string{
		st.Title.Render("Built-in provider — faults"),
		ui.WrapIndent("Make the provider misbehave, run the flow again, and watch the checks catch it.", w, ""),
	}
	fault := p.list[p.sel]
	tail := []string{ui.WrapIndent(fault.Name+": "+fault.About, w, "  ")}
	if p.editing {
		tail = append(tail, "duration> "+p.input.View())
	}
	keys := "signing keys: none read yet"
	if len(p.kids) > 0 {
		keys = "signing keys: " + ui.CountNoun(len(p.kids), "published key") + "; current kid \"" + shortKID(p.kids[0]) + "\""
	}
	tail = append(tail, st.Muted.Render(keys))
	switch {
	case p.failure != "":
		tail = append(tail, ui.WrapEach(st.Fail, "✗ "+p.failure, w, "  "))
	case p.notice != "":
		tail = append(tail, ui.WrapEach(st.Muted, p.notice, w, "  "))
	}
	used := strings.Count(strings.Join(head, "\n")+"\n"+strings.Join(tail, "\n"), "\n") + 2
	rows := max(3, h-used-1)
	offset := max(0, min(p.sel-rows+1, len(p.list)-rows))
	nameW := 0
	for _, f := range p.list {
		nameW = max(nameW, len(f.Name))
	}
	lines := append([]string{}, head...)
	lines = append(lines, "")
	for i := offset; i < offset+rows && i < len(p.list); i++ {
		lines = append(lines, p.row(st, i, nameW, w))
	}
	lines = append(lines, "")
	lines = append(lines, tail...)
	return strings.Join(lines, "\n")
}

// row is one fault: its box, name, value, and the start of what it does.
func (p Panel) row(st *ui.Styles, i, nameW, w int) string {
	fault := p.list[i]
	box, value := "[ ]", ""
	if on := p.Faults.Get(fault.Name); on != "" {
		box = "[x]"
		if _, v, ok := strings.Cut(on, "="); ok {
			value = v
		}
	}
	mark := "  "
	if i == p.sel {
		mark = "▸ "
	}
	text := mark + box + " " + ui.PadCell(fault.Name, nameW) + " " + ui.PadCell(value, 6) + " "
	if i == p.sel {
		return st.Selected.Render(ui.PadCell(ui.Truncate(text+fault.About, w), w))
	}
	if box == "[x]" {
		text = mark + st.Warn.Render(box+" "+ui.PadCell(fault.Name, nameW)) + " " + ui.PadCell(value, 6) + " "
	}
	return ui.Truncate(text+st.Muted.Render(fault.About), w)
}
