// Package tui is tokenbench's terminal workbench: a Bubble Tea v2 app in which the user picks or
// creates a tenant profile (the Profiles screen), runs an OAuth 2.0 / OpenID Connect flow step by
// step on it (Flow), reads the tokens (Inspector) and every HTTP exchange (Trace).
//
// The root Model (this file) owns the shared *common context, handles the global keys and routes
// messages to the screens (see screen for the routing rules). All protocol work happens in the
// flows package, through the commands in commands.go.
package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// Options are what the app needs from the command line.
type Options struct {
	// Client is the session's OAuth client; its Trace records every exchange. It may be nil until
	// the profiles screen opens a profile (clientReadyMsg).
	Client *flows.Client
	// Name labels the client in the header ("demo-basic @ built-in provider").
	Name string
	// Note is a one-line hint shown beside the tabs ("demo user: demo / demo").
	Note string
	// OpenBrowser opens a URL; it runs inside a tea.Cmd. Nil means no browser (the URL is shown
	// and can be copied).
	OpenBrowser func(url string) error
	// Now is the clock for countdowns; nil means time.Now.
	Now func() time.Time
	// Scrub rewrites dynamic text before layout; nil means none. Tests use it to hide ports and
	// random values.
	Scrub func(string) string
	// Start is the screen shown first (tests open the inspector or the trace directly). Left at its
	// zero value it is the Profiles screen, or the Flow screen when Client is set.
	Start screenID

	// Store is the profile file the Profiles screen lists and changes; nil when there is none, with
	// StoreErr saying why (no configuration directory). A store whose file did not load
	// (Store.Err()) is shown as such and never written.
	Store    *profiles.Store
	StoreErr error
	// Secrets resolves and stores client secrets; nil means profiles.NewSecrets().
	Secrets *profiles.Secrets
	// StartDemo starts the built-in provider in this process (the caller closes it when the
	// program ends) and returns its ready client; it runs inside a tea.Cmd. Nil hides the demo.
	StartDemo func() (Demo, error)
	// DemoControls, with Client, says the session runs on the built-in provider started by the
	// caller: F then opens its faults panel.
	DemoControls DemoControls
}

// Demo is the built-in provider's ready client, which the Profiles screen opens without a profile.
type Demo struct {
	// Name labels the client ("demo-basic @ built-in provider"); Note is the hint beside the tabs.
	Name string
	Note string
	// Config and Transport are the client's configuration, as a profile would give them.
	Config    flows.ClientConfig
	Transport flows.TransportOptions
	// Controls is the provider's control panel (the faults panel, F).
	Controls DemoControls
}

// Model is the root model: the tab bar, the active screen, the footer.
type Model struct {
	c       *common
	keys    globalKeys
	help    help.Model
	screens [numScreens]screen
	active  screenID
	// fullHelp shows every key of the active screen instead of the body (`?`).
	fullHelp bool
	// demo is the built-in provider the session runs on (nil for a profile's tenant); faults is its
	// panel (F), shown instead of the body while open.
	demo   DemoControls
	faults faultsPanel
	// session counts clients; exchanges of an older one are dropped.
	session int
	traceCh chan flows.Exchange
	width   int
	height  int
	name    string
	note    string
}

// New builds the app on opts.
func New(opts Options) Model {
	c := &common{
		st:          newStyles(true),
		isDark:      true,
		profile:     colorprofile.TrueColor,
		now:         opts.Now,
		openBrowser: opts.OpenBrowser,
		scrub:       opts.Scrub,
		clientName:  opts.Name,
		store:       opts.Store,
		storeErr:    opts.StoreErr,
		secrets:     opts.Secrets,
		startDemo:   opts.StartDemo,
	}
	if c.secrets == nil {
		c.secrets = profiles.NewSecrets()
	}
	if opts.Client != nil && opts.Start == profilesScreen {
		opts.Start = flowScreen
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.scrub == nil {
		c.scrub = func(s string) string { return s }
	}
	m := Model{c: c, keys: defaultGlobalKeys(), help: help.New(), active: opts.Start, name: opts.Name, note: opts.Note}
	m.help.Styles = c.st.Help
	m.faults = newFaultsPanel(c)
	if opts.Client != nil && opts.DemoControls != nil {
		m.demo = opts.DemoControls
		m.faults.faults = m.demo.Faults()
	}
	m = m.useClient(opts.Client)
	return m
}

// useClient makes client the session's client and builds the screens on it. The profiles screen,
// which does not depend on the client, is built once and kept.
func (m Model) useClient(client *flows.Client) Model {
	m.session++
	m.c.client = client
	m.c.trace = nil
	m.traceCh = nil
	if client != nil {
		m.c.trace = client.Trace
		m.traceCh = make(chan flows.Exchange, 256)
		client.Trace.Notify(m.traceCh)
	}
	for id := screenID(0); id < numScreens; id++ {
		if id == profilesScreen && m.screens[id] != nil {
			continue
		}
		m.screens[id] = newScreen(id, m.c)
	}
	return m
}

// newScreen is the registry of screens: add a case here to add a screen (and its screenID).
func newScreen(id screenID, c *common) screen {
	switch id {
	case profilesScreen:
		return newProfiles(c)
	case flowScreen:
		return newFlow(c)
	case inspectScreen:
		return newInspect(c)
	case traceScreen:
		return newTrace(c)
	case numScreens:
	}
	return newInspect(c)
}

// Init asks for the background colour and starts watching the trace and each screen's own command.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.watch()}
	for _, s := range m.screens {
		if si, ok := s.(screenInit); ok {
			cmds = append(cmds, si.init())
		}
	}
	return tea.Batch(cmds...)
}

// watch waits for the next exchange of the session's trace.
func (m Model) watch() tea.Cmd {
	if m.traceCh == nil {
		return nil
	}
	return watchTrace(m.traceCh, m.session)
}

// Update handles the app-level messages and routes the rest (see screen).
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m.resize(msg)
	case tea.BackgroundColorMsg:
		return m.restyle(msg)
	case tea.ColorProfileMsg:
		m.c.profile = msg.Profile
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case navigateMsg:
		return m.navigate(msg)
	case exchangeRecordedMsg:
		return m.onExchange(msg)
	case clientReadyMsg:
		return m, startSession(msg)
	case sessionClientBuiltMsg:
		return m.onSession(msg)
	case demoStateMsg:
		m.faults = m.faults.onState(msg)
		return m, nil
	case tea.MouseClickMsg:
		// The screens lay out their body from its top line: make the click relative to it.
		msg.Y -= lipgloss.Height(m.header())
		if m.fullHelp || m.faults.open || msg.Y < 0 {
			return m, nil
		}
		return m.updateActive(msg)
	case tea.MouseMsg, tea.PasteMsg, tea.KeyReleaseMsg:
		return m.updateActive(msg)
	}
	return m.broadcast(msg)
}

func (m Model) resize(msg tea.WindowSizeMsg) (tea.Model, tea.Cmd) {
	m.width, m.height = msg.Width, msg.Height
	m.help.SetWidth(msg.Width - m.c.st.Footer.GetHorizontalFrameSize())
	m.c.width = msg.Width
	m.c.height = max(1, msg.Height-lipgloss.Height(m.header())-lipgloss.Height(m.footer()))
	return m.broadcast(tea.WindowSizeMsg{Width: m.c.width, Height: m.c.height})
}

// restyle rebuilds the shared styles in place for the terminal's background, then tells the screens
// (which restyle their bubbles).
func (m Model) restyle(msg tea.BackgroundColorMsg) (tea.Model, tea.Cmd) {
	m.c.isDark = msg.IsDark()
	*m.c.st = *newStyles(m.c.isDark)
	m.help.Styles = m.c.st.Help
	return m.broadcast(msg)
}

// capturingText reports whether the active screen has a text input focused.
func (m Model) capturingText() bool {
	tc, ok := m.screens[m.active].(textCapturer)
	return ok && tc.capturingText()
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.keys.ForceQuit) {
		return m, tea.Quit
	}
	if m.fullHelp && (key.Matches(msg, m.keys.Help) || msg.String() == "esc") {
		m.fullHelp = false
		return m, nil
	}
	if m.faults.open {
		var cmd tea.Cmd
		m.faults, cmd = m.faults.handleKey(msg, m.demo)
		return m, cmd
	}
	switch {
	case key.Matches(msg, m.keys.Next):
		return m.show((m.active + 1) % numScreens)
	case key.Matches(msg, m.keys.Prev):
		return m.show((m.active + numScreens - 1) % numScreens)
	case m.capturingText():
		return m.updateActive(msg)
	case key.Matches(msg, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(msg, m.keys.Help):
		m.fullHelp = !m.fullHelp
		return m, nil
	case key.Matches(msg, m.keys.Learn):
		m.c.learn = !m.c.learn
		return m.broadcast(learnToggledMsg{on: m.c.learn})
	case key.Matches(msg, m.keys.Faults) && m.demo != nil:
		m.fullHelp = false
		var cmd tea.Cmd
		m.faults, cmd = m.faults.show(m.demo)
		return m, cmd
	}
	for id, b := range m.keys.Screen {
		if key.Matches(msg, b) {
			return m.show(screenID(id))
		}
	}
	return m.updateActive(msg)
}

// show makes a screen the active one.
func (m Model) show(id screenID) (tea.Model, tea.Cmd) {
	if id >= 0 && id < numScreens {
		m.active = id
		m.fullHelp = false
		m.faults.open = false
	}
	return m, nil
}

// navigate acts on a screen's request to show another, then hands the request to it.
func (m Model) navigate(msg navigateMsg) (tea.Model, tea.Cmd) {
	mm, _ := m.show(msg.to)
	return mm.(Model).updateActive(msg)
}

func (m Model) onExchange(msg exchangeRecordedMsg) (tea.Model, tea.Cmd) {
	if msg.session != m.session {
		return m, nil // an exchange of a replaced client; its watcher ends here
	}
	mm, cmd := m.broadcast(msg)
	return mm, tea.Batch(cmd, mm.(Model).watch())
}

func (m Model) onSession(msg sessionClientBuiltMsg) (tea.Model, tea.Cmd) {
	m.name = msg.name
	m.note = msg.note
	m.c.clientName = msg.name
	m = m.useClient(msg.client)
	m.active = flowScreen
	m.fullHelp = false
	m.demo = msg.demo
	m.faults.open = false
	m.faults.faults = msg.faults
	cmds := []tea.Cmd{m.watch()}
	for _, s := range m.screens {
		if si, ok := s.(screenInit); ok {
			cmds = append(cmds, si.init())
		}
	}
	mm, cmd := m.broadcast(tea.WindowSizeMsg{Width: m.c.width, Height: m.c.height})
	mm2, cmd2 := mm.(Model).broadcast(sessionStartedMsg{session: m.session})
	return mm2, tea.Batch(append(cmds, cmd, cmd2)...)
}

// waitsForClient reports whether the active screen is the stepper while there is no client yet
// (tokenbench started on the Profiles screen): it gets no input and a hint is shown instead.
func (m Model) waitsForClient() bool { return m.active == flowScreen && m.c.client == nil }

// updateActive hands msg to the active screen only.
func (m Model) updateActive(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.waitsForClient() {
		return m, nil
	}
	var cmd tea.Cmd
	m.screens[m.active], cmd = m.screens[m.active].Update(msg)
	return m, cmd
}

// broadcast hands msg to every screen.
func (m Model) broadcast(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmds := make([]tea.Cmd, 0, numScreens)
	for id := range m.screens {
		var cmd tea.Cmd
		m.screens[id], cmd = m.screens[id].Update(msg)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// View lays out the tab bar, the active screen (or the full help) and the footer.
func (m Model) View() tea.View {
	var body string
	switch {
	case m.fullHelp:
		body = m.fullHelpView()
	case m.faults.open:
		body = m.c.scrub(m.faults.view(m.c.st, m.width, m.c.height))
	case m.waitsForClient():
		body = m.c.st.Title.Render("No client yet") + "\n" +
			wrapIndent("Open a profile (or the built-in demo) on the Profiles screen: press 1, choose one, enter. The flow runs here on it.", m.width, "")
	default:
		body = m.screens[m.active].View()
	}
	body = lipgloss.NewStyle().MaxWidth(m.width).Height(m.c.height).MaxHeight(m.c.height).Render(body)
	v := tea.NewView(lipgloss.JoinVertical(lipgloss.Left, m.header(), body, m.footer()))
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "tokenbench"
	if m.name != "" {
		v.WindowTitle += " — " + m.name
	}
	return v
}

// header is the tab bar, with the note at its right when it fits.
func (m Model) header() string {
	st := m.c.st
	tabs := make([]string, 0, numScreens)
	for id := screenID(0); id < numScreens; id++ {
		label := string(rune('1'+int(id))) + " " + id.title()
		if id == m.active {
			tabs = append(tabs, st.TabActive.Render(label))
		} else {
			tabs = append(tabs, st.TabInactive.Render(label))
		}
	}
	bar := strings.Join(tabs, " ")
	if m.c.learn {
		bar += " " + st.TabActive.Render("Learn")
	}
	note := m.note
	if m.demo != nil {
		if on := m.faults.faults.String(); on != "" {
			note += " · faults: " + on
		}
	}
	if note != "" {
		room := m.width - lipgloss.Width(bar) - 2
		if room > 10 {
			bar += "  " + st.Note.Render(truncate(note, room))
		}
	}
	if m.width > 0 {
		bar = truncate(bar, m.width)
	}
	return st.TabBar.Render(bar)
}

// footer is the short help: the active screen's keys, then the global ones.
func (m Model) footer() string {
	st := m.c.st.Footer
	// help.ShortHelpView does not always stop at its width (when even the ellipsis does not fit, it
	// goes on adding items), so the line is cut here too.
	line := m.help.ShortHelpView(m.shortHelp())
	if m.width > 0 {
		line = truncate(line, m.width-st.GetHorizontalFrameSize())
	}
	return st.Render(line)
}

func (m Model) shortHelp() []key.Binding {
	if m.faults.open {
		return m.faults.shortHelp()
	}
	var b []key.Binding
	if m.screens[m.active] != nil && !m.waitsForClient() {
		b = append(b, m.screens[m.active].ShortHelp()...)
	}
	if m.demo != nil {
		b = append(b, m.keys.Faults)
	}
	return append(b, m.keys.ShortHelp()...)
}

// fullHelpView is every key of the active screen, then the global keys (`?`), each block laid out
// in columns within the width.
func (m Model) fullHelpView() string {
	h := m.help
	h.ShowAll = true
	st := m.c.st
	parts := []string{st.Title.Render(m.active.title() + " — all keys")}
	if groups := m.screens[m.active].FullHelp(); len(groups) > 0 {
		parts = append(parts, h.FullHelpView(groups))
	}
	global := m.keys.FullHelp()
	if m.demo != nil {
		global = append(global, []key.Binding{m.keys.Faults})
	}
	parts = append(parts, st.Title.Render("Everywhere"), h.FullHelpView(global), st.Muted.Render("? or esc closes this"))
	return strings.Join(parts, "\n\n")
}

// truncate cuts s to width cells with an ellipsis.
func truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}
