package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// The faults panel (F, while the session runs on the built-in provider): the provider's faults,
// each turned on or off in place, and its signing keys rotated or retired, so that a learner can
// make the provider misbehave and watch the checks catch it on the next run. The panel lies over
// the active screen like the full help; every call on the provider happens in a command.

// DemoControls is the built-in provider's control panel. *demoidp.Provider implements it.
type DemoControls interface {
	Faults() demoidp.Faults
	SetFaults(demoidp.Faults)
	// RotateKeys makes a new signing key current and keeps publishing the earlier ones.
	RotateKeys()
	// RetireOldKeys stops publishing every key but the current one; it returns how many.
	RetireOldKeys() int
	// KeyIDs are the published keys' kids, the current one first.
	KeyIDs() []string
}

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
		Up:     keyUp(),
		Down:   keyDown(),
		Toggle: key.NewBinding(key.WithKeys("space", "enter"), key.WithHelp("space", "on/off")),
		Rotate: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rotate signing key")),
		Retire: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "retire old keys")),
		Close:  key.NewBinding(key.WithKeys("F", "esc"), key.WithHelp("F/esc", "close")),
		Done:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "set")),
		Cancel: keyCancel(),
	}
}

// defaultDuration is offered when a fault that takes a duration is turned on.
var defaultDuration = map[string]string{"clock-skew": "10m", "slow": "5s"}

// faultsPanel is the panel's state. The faults shown are the panel's copy, set in Update and sent
// to the provider by a command; demoStateMsg brings back what the provider then holds.
type faultsPanel struct {
	open    bool
	list    []demoidp.Fault
	sel     int
	faults  demoidp.Faults
	kids    []string
	editing bool // a duration is being typed into input
	input   textinput.Model
	notice  string
	failure string
	keys    faultKeys
	// reqID numbers the panel's commands; an older answer is dropped.
	reqID int
}

func newFaultsPanel(c *common) faultsPanel {
	return faultsPanel{list: demoidp.FaultList(), input: newLineInput(c, "a duration: 10m, -5m, 3s"), keys: defaultFaultKeys()}
}

// demoStateMsg is the provider's faults and keys after a panel command.
type demoStateMsg struct {
	reqID  int
	faults demoidp.Faults
	kids   []string
	notice string
}

// readDemo reads the provider's state, after apply (which may be nil) ran on it.
func readDemo(d DemoControls, id int, apply func(DemoControls) string) tea.Cmd {
	return func() tea.Msg {
		notice := ""
		if apply != nil {
			notice = apply(d)
		}
		return demoStateMsg{reqID: id, faults: d.Faults(), kids: d.KeyIDs(), notice: notice}
	}
}

// show opens the panel and asks the provider for its state.
func (p faultsPanel) show(d DemoControls) (faultsPanel, tea.Cmd) {
	p.open, p.editing, p.notice, p.failure = true, false, "", ""
	p.faults = d.Faults()
	p.reqID++
	return p, readDemo(d, p.reqID, nil)
}

func (p faultsPanel) onState(msg demoStateMsg) faultsPanel {
	if msg.reqID != p.reqID {
		return p
	}
	p.faults, p.kids = msg.faults, msg.kids
	if msg.notice != "" {
		p.notice = msg.notice
	}
	return p
}

// handleKey acts on a key while the panel is open.
func (p faultsPanel) handleKey(msg tea.KeyPressMsg, d DemoControls) (faultsPanel, tea.Cmd) {
	if p.editing {
		return p.handleEditKey(msg, d)
	}
	k := p.keys
	switch {
	case key.Matches(msg, k.Close):
		p.open = false
	case key.Matches(msg, k.Up):
		p.sel = max(0, p.sel-1)
	case key.Matches(msg, k.Down):
		p.sel = min(len(p.list)-1, p.sel+1)
	case key.Matches(msg, k.Toggle):
		return p.toggle(d)
	case key.Matches(msg, k.Rotate):
		p.reqID++
		p.notice, p.failure = "generating a new signing key…", ""
		return p, readDemo(d, p.reqID, func(d DemoControls) string {
			d.RotateKeys()
			return "new signing key " + shortKID(d.KeyIDs()[0]) + ": tokens from now on carry its kid, which a client's cached JWKS lacks (it must fetch the JWKS again)"
		})
	case key.Matches(msg, k.Retire):
		p.reqID++
		p.notice, p.failure = "", ""
		return p, readDemo(d, p.reqID, func(d DemoControls) string {
			if n := d.RetireOldKeys(); n > 0 {
				return plural(n, "old key") + " no longer published: tokens signed with them now fail the signature check"
			}
			return "only the current key is published; nothing to retire"
		})
	}
	return p, nil
}

// toggle turns the selected fault off, or on (a duration fault asks for its value first).
func (p faultsPanel) toggle(d DemoControls) (faultsPanel, tea.Cmd) {
	fault := p.list[p.sel]
	p.notice, p.failure = "", ""
	if p.faults.Get(fault.Name) == "" && fault.TakesDuration {
		p.editing = true
		p.input.SetValue(defaultDuration[fault.Name])
		p.input.CursorEnd()
		return p, p.input.Focus()
	}
	spec := fault.Name
	if p.faults.Get(fault.Name) != "" {
		spec += "=false"
		if fault.TakesDuration {
			spec = fault.Name + "=0s"
		}
	}
	return p.apply(d, spec)
}

func (p faultsPanel) handleEditKey(msg tea.KeyPressMsg, d DemoControls) (faultsPanel, tea.Cmd) {
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
func (p faultsPanel) apply(d DemoControls, spec string) (faultsPanel, tea.Cmd) {
	f := p.faults
	p.failure = ""
	if err := f.Set(spec); err != nil {
		p.failure = err.Error()
		return p, nil
	}
	p.faults = f
	p.reqID++
	return p, readDemo(d, p.reqID, func(d DemoControls) string {
		d.SetFaults(f)
		return "applies from the provider's next request"
	})
}

func (p faultsPanel) shortHelp() []key.Binding {
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

// view lays the panel out in w × h cells.
func (p faultsPanel) view(st *styles, w, h int) string {
	head := []string{
		st.Title.Render("Built-in provider — faults"),
		wrapIndent("Make the provider misbehave, run the flow again, and watch the checks catch it.", w, ""),
	}
	fault := p.list[p.sel]
	tail := []string{wrapIndent(fault.Name+": "+fault.About, w, "  ")}
	if p.editing {
		tail = append(tail, "duration> "+p.input.View())
	}
	keys := "signing keys: none read yet"
	if len(p.kids) > 0 {
		keys = "signing keys: " + plural(len(p.kids), "published key") + "; current kid \"" + shortKID(p.kids[0]) + "\""
	}
	tail = append(tail, st.Muted.Render(keys))
	switch {
	case p.failure != "":
		tail = append(tail, wrapEach(st.Fail, "✗ "+p.failure, w, "  "))
	case p.notice != "":
		tail = append(tail, wrapEach(st.Muted, p.notice, w, "  "))
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
func (p faultsPanel) row(st *styles, i, nameW, w int) string {
	fault := p.list[i]
	box, value := "[ ]", ""
	if on := p.faults.Get(fault.Name); on != "" {
		box = "[x]"
		if _, v, ok := strings.Cut(on, "="); ok {
			value = v
		}
	}
	mark := "  "
	if i == p.sel {
		mark = "▸ "
	}
	text := mark + box + " " + padCell(fault.Name, nameW) + " " + padCell(value, 6) + " "
	if i == p.sel {
		return st.Selected.Render(padCell(truncate(text+fault.About, w), w))
	}
	if box == "[x]" {
		text = mark + st.Warn.Render(box+" "+padCell(fault.Name, nameW)) + " " + padCell(value, 6) + " "
	}
	return truncate(text+st.Muted.Render(fault.About), w)
}
