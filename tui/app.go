// Package tui is tokenbench's terminal workbench: a Bubble Tea v2 app in which the user picks or
// creates a tenant profile (the Profiles screen), runs an OAuth 2.0 / OpenID Connect flow step by
// step on it (Flow), reads the tokens (Inspector) and every HTTP exchange (Trace).
//
// The root Model (this file) owns the shared *ui.Common context, handles the global keys and routes
// messages to the screens (see ui.Screen for the routing rules); it is the only package that knows
// every screen (newScreen). Each screen is a package of its own (stepper, profilescreen, inspector,
// tracescreen, and faultpanel for F); they share tui/ui and talk through its messages. All protocol
// work happens in the flows package, through the commands each screen issues.
package tui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/faultpanel"
	"github.com/tokenbench/tokenbench/tui/inspector"
	"github.com/tokenbench/tokenbench/tui/profilescreen"
	"github.com/tokenbench/tokenbench/tui/stepper"
	"github.com/tokenbench/tokenbench/tui/tracescreen"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Options are what the app needs from the command line.
type Options struct {
	// Client is the session's OAuth client; its Trace records every exchange. It may be nil until
	// the profiles screen opens a profile (ClientReadyMsg).
	Client *flows.Client
	// Name labels the client in the header ("demo-basic @ built-in provider").
	Name string
	// Note is a one-line hint shown beside the tabs ("demo user: demo / demo").
	Note string
	// Grant is the grant the flow screen starts on (flows.GrantSpec.Name), a profile's; empty
	// means the authorization code grant.
	Grant string
	// InTmux says the program runs inside tmux ($TMUX): copies are also sent through its passthrough.
	InTmux bool
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
	Start ui.ScreenID

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
	// TokenCache and Profile: the profile Client was made from, whose cached token is reused
	// (ui.Common).
	TokenCache *profiles.TokenCache
	Profile    string
	// DemoControls, with Client, says the session runs on the built-in provider started by the
	// caller: F then opens its faults panel.
	DemoControls DemoControls
}

// Demo is the built-in provider's ready client, which the Profiles screen opens without a profile.
type Demo = ui.Demo

// DemoControls is the built-in provider's control panel (the faults panel, F).
type DemoControls = ui.DemoControls

// Model is the root model: the tab bar, the active screen, the footer.
type Model struct {
	c       *ui.Common
	keys    globalKeys
	help    help.Model
	screens [ui.NumScreens]ui.Screen
	active  ui.ScreenID
	// fullHelp shows every key of the active screen instead of the body (`?`).
	fullHelp bool
	// quitting shows the quit question (q with something to lose); tokens counts the tokens the
	// session received (quit.go).
	quitting bool
	quitKeys quitKeys
	tokens   int
	// demo is the built-in provider the session runs on (nil for a profile's tenant); faults is its
	// panel (F), shown instead of the body while open.
	demo   ui.DemoControls
	faults faultpanel.Panel
	// session counts clients; exchanges of an older one are dropped.
	session int
	traceCh chan flows.Exchange
	// frame is the last frame View laid out, shared by the copies of the model.
	frame  *frameCache
	width  int
	height int
	name   string
	note   string
}

// New builds the app on opts.
func New(opts Options) Model {
	c := &ui.Common{
		Styles:      ui.NewStyles(true),
		IsDark:      true,
		Profile:     colorprofile.TrueColor,
		Now:         opts.Now,
		OpenBrowser: opts.OpenBrowser,
		Scrub:       opts.Scrub,
		ClientName:  opts.Name,
		Store:       opts.Store,
		StoreErr:    opts.StoreErr,
		Secrets:     opts.Secrets,
		StartDemo:   opts.StartDemo,
		TokenCache:  opts.TokenCache,
		ProfileName: opts.Profile,
	}
	if c.Secrets == nil {
		c.Secrets = profiles.NewSecrets()
	}
	if opts.Client != nil && opts.Start == ui.ProfilesScreen {
		opts.Start = ui.FlowScreen
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Grant = opts.Grant
	c.InTmux = opts.InTmux
	if c.Scrub == nil {
		c.Scrub = func(s string) string { return s }
	}
	c.Active = opts.Start
	m := Model{c: c, keys: defaultGlobalKeys(), quitKeys: defaultQuitKeys(), help: help.New(), active: opts.Start, name: opts.Name, note: opts.Note, frame: &frameCache{}}
	m.help.Styles = c.Styles.Help
	m.faults = faultpanel.New(c)
	if opts.Client != nil && opts.DemoControls != nil {
		m.demo = opts.DemoControls
		m.faults.Faults = m.demo.Faults()
	}
	m = m.useClient(opts.Client)
	return m
}

// useClient makes client the session's client and builds the screens on it. The profiles screen,
// which does not depend on the client, is built once and kept; when the workbench starts on another
// screen, it is built when first shown (show): reading and checking every saved profile waits until
// then, not the first frame.
func (m Model) useClient(client *flows.Client) Model {
	m.session++
	m.tokens = 0
	m.c.Client = client
	m.c.Trace = nil
	m.traceCh = nil
	if client != nil {
		m.c.Trace = client.Trace
		m.traceCh = make(chan flows.Exchange, 256)
		client.Trace.Notify(m.traceCh)
	}
	for id := ui.ScreenID(0); id < ui.NumScreens; id++ {
		if id == ui.ProfilesScreen && (m.screens[id] != nil || m.active != ui.ProfilesScreen) {
			continue
		}
		m.screens[id] = newScreen(id, m.c)
	}
	return m
}

// newScreen is the registry of screens: add a case here to add a screen (and its ScreenID).
func newScreen(id ui.ScreenID, c *ui.Common) ui.Screen {
	switch id {
	case ui.ProfilesScreen:
		return profilescreen.New(c)
	case ui.FlowScreen:
		return stepper.New(c)
	case ui.InspectScreen:
		return inspector.New(c)
	case ui.TraceScreen:
		return tracescreen.New(c)
	case ui.NumScreens:
	}
	return inspector.New(c)
}

// Init asks for the background colour and starts watching the trace and each screen's own command.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.watch()}
	for _, s := range m.screens {
		if si, ok := s.(ui.ScreenInit); ok {
			cmds = append(cmds, si.Init())
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

// Update handles the app-level messages and routes the rest (see ui.Screen).
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m.resize(msg)
	case tea.BackgroundColorMsg:
		return m.restyle(msg)
	case tea.ColorProfileMsg:
		m.c.Profile = msg.Profile
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case ui.NavigateMsg:
		return m.navigate(msg)
	case ui.ExchangeRecordedMsg:
		return m.onExchange(msg)
	case ui.ClientReadyMsg:
		return m, startSession(msg)
	case sessionClientBuiltMsg:
		return m.onSession(msg)
	case ui.TokensReceivedMsg:
		return m.countTokens(msg).broadcast(msg)
	case faultpanel.StateMsg:
		m.faults = m.faults.OnState(msg)
		return m, nil
	case tea.MouseClickMsg:
		// The screens lay out their body from its top line: make the click relative to it.
		msg.Y -= lipgloss.Height(m.header())
		if m.fullHelp || m.quitting || m.faults.Open || msg.Y < 0 {
			return m, nil
		}
		return m.updateActive(msg)
	case tea.MouseMsg, tea.PasteMsg, tea.KeyReleaseMsg:
		return m.updateActive(msg)
	case spinner.TickMsg, ui.ClockTickedMsg:
		return m.broadcastTo(msg, func(s ui.Screen) bool { _, ok := s.(ui.TimeShower); return ok })
	}
	return m.broadcast(msg)
}

func (m Model) resize(msg tea.WindowSizeMsg) (tea.Model, tea.Cmd) {
	m.width, m.height = msg.Width, msg.Height
	m.help.SetWidth(msg.Width - m.c.Styles.Footer.GetHorizontalFrameSize())
	m.c.Width = msg.Width
	m.c.Height = max(1, msg.Height-lipgloss.Height(m.header())-lipgloss.Height(m.footer()))
	return m.broadcast(tea.WindowSizeMsg{Width: m.c.Width, Height: m.c.Height})
}

// restyle rebuilds the shared styles in place for the terminal's background, then tells the screens
// (which restyle their bubbles).
func (m Model) restyle(msg tea.BackgroundColorMsg) (tea.Model, tea.Cmd) {
	m.c.IsDark = msg.IsDark()
	*m.c.Styles = *ui.NewStyles(m.c.IsDark)
	m.help.Styles = m.c.Styles.Help
	return m.broadcast(msg)
}

// capturingText reports whether the active screen has a text input focused.
func (m Model) capturingText() bool {
	tc, ok := m.screens[m.active].(ui.TextCapturer)
	return ok && tc.CapturingText()
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.keys.ForceQuit) {
		return m, tea.Quit
	}
	if m.quitting {
		return m.handleQuitKey(msg)
	}
	if m.fullHelp && (key.Matches(msg, m.keys.Help) || msg.String() == "esc") {
		m.fullHelp = false
		return m, nil
	}
	if m.faults.Open {
		var cmd tea.Cmd
		m.faults, cmd = m.faults.HandleKey(msg, m.demo)
		return m, cmd
	}
	switch {
	case m.capturingText():
		// tab and shift+tab move between a form's fields; the letters and digits are typed.
		return m.updateActive(msg)
	case key.Matches(msg, m.keys.Next):
		return m.navigate(ui.NavigateMsg{To: (m.active + 1) % ui.NumScreens})
	case key.Matches(msg, m.keys.Prev):
		return m.navigate(ui.NavigateMsg{To: (m.active + ui.NumScreens - 1) % ui.NumScreens})
	case key.Matches(msg, m.keys.Quit):
		return m.askQuit()
	case key.Matches(msg, m.keys.Help):
		m.fullHelp = !m.fullHelp
		return m, nil
	case key.Matches(msg, m.keys.Learn):
		m.c.Learn = !m.c.Learn
		return m.broadcast(ui.LearnToggledMsg{On: m.c.Learn})
	case key.Matches(msg, m.keys.Reveal):
		m.c.Reveal = !m.c.Reveal
		return m.broadcast(ui.RevealToggledMsg{On: m.c.Reveal})
	case key.Matches(msg, m.keys.Faults) && m.demo != nil:
		m.fullHelp = false
		var cmd tea.Cmd
		m.faults, cmd = m.faults.Show(m.demo)
		return m, cmd
	}
	for id, b := range m.keys.Screen {
		if key.Matches(msg, b) {
			return m.navigate(ui.NavigateMsg{To: ui.ScreenID(id)})
		}
	}
	return m.updateActive(msg)
}

// show makes a screen the active one.
func (m Model) show(id ui.ScreenID) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	if id >= 0 && id < ui.NumScreens {
		m.active, m.c.Active = id, id
		m.fullHelp = false
		m.faults.Open = false
		if m.screens[id] == nil {
			// Built now on the shared context, as it would stand after every message it missed
			// (sizes, styles, Learn).
			m.screens[id] = newScreen(id, m.c)
			if si, ok := m.screens[id].(ui.ScreenInit); ok {
				cmd = si.Init()
			}
		}
	}
	return m, cmd
}

// navigate acts on a screen's request to show another, then hands the request to it.
func (m Model) navigate(msg ui.NavigateMsg) (tea.Model, tea.Cmd) {
	mm, cmd := m.show(msg.To)
	mm, cmd2 := mm.(Model).updateActive(msg)
	return mm, tea.Batch(cmd, cmd2)
}

func (m Model) onExchange(msg ui.ExchangeRecordedMsg) (tea.Model, tea.Cmd) {
	if msg.Session != m.session {
		return m, nil // an exchange of a replaced client; its watcher ends here
	}
	mm, cmd := m.broadcastTo(msg, func(s ui.Screen) bool { _, ok := s.(ui.TraceShower); return ok })
	return mm, tea.Batch(cmd, mm.(Model).watch())
}

func (m Model) onSession(msg sessionClientBuiltMsg) (tea.Model, tea.Cmd) {
	m.name = msg.name
	m.note = msg.note
	m.c.ClientName = msg.name
	m.c.ProfileName = msg.profile
	m.c.Grant = msg.grant
	m = m.useClient(msg.client)
	m.active = ui.FlowScreen
	m.fullHelp = false
	m.demo = msg.demo
	m.faults.Open = false
	m.faults.Faults = msg.faults
	cmds := []tea.Cmd{m.watch()}
	for _, s := range m.screens {
		if si, ok := s.(ui.ScreenInit); ok {
			cmds = append(cmds, si.Init())
		}
	}
	mm, cmd := m.broadcast(tea.WindowSizeMsg{Width: m.c.Width, Height: m.c.Height})
	mm2, cmd2 := mm.(Model).broadcast(ui.SessionStartedMsg{Session: m.session})
	return mm2, tea.Batch(append(cmds, cmd, cmd2)...)
}

// waitsForClient reports whether the active screen is the stepper while there is no client yet
// (tokenbench started on the Profiles screen): it gets no input and a hint is shown instead.
func (m Model) waitsForClient() bool { return m.active == ui.FlowScreen && m.c.Client == nil }

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
	return m.broadcastTo(msg, func(ui.Screen) bool { return true })
}

// broadcastTo hands msg to the screens for which takes holds.
func (m Model) broadcastTo(msg tea.Msg, takes func(ui.Screen) bool) (tea.Model, tea.Cmd) {
	cmds := make([]tea.Cmd, 0, ui.NumScreens)
	for id := range m.screens {
		if m.screens[id] == nil || !takes(m.screens[id]) {
			continue // a screen not built yet reads the shared context when it is
		}
		var cmd tea.Cmd
		m.screens[id], cmd = m.screens[id].Update(msg)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// View lays out the tab bar, the active screen (or the full help) and the footer.
func (m Model) View() tea.View {
	var body string
	releases := false // the active screen shows a value for selecting with the mouse
	switch {
	case m.quitting:
		body = m.quitView()
	case m.fullHelp:
		body = m.fullHelpView()
	case m.faults.Open:
		body = m.c.Scrub(m.faults.View(m.c.Styles, m.width, m.c.Height))
	case m.waitsForClient():
		body = m.c.Styles.Title.Render("No client yet") + "\n" +
			ui.WrapIndent("Open a profile (or the built-in demo) on the Profiles screen: press 1, choose one, enter. The flow runs here on it.", m.width, "")
	default:
		body = m.screens[m.active].View()
		r, ok := m.screens[m.active].(ui.MouseReleaser)
		releases = ok && r.ReleasesMouse()
	}
	if releases {
		v := tea.NewView(body) // alone, and the mouse left to the terminal for selecting
		v.AltScreen = true
		return v
	}
	v := tea.NewView(m.frame.lay(m.header(), body, m.footer(), m.width, m.c.Height))
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "tokenbench"
	if m.name != "" {
		v.WindowTitle += " — " + m.name
	}
	return v
}

// frameCache keeps the last frame and what it was laid out from. Bubble Tea calls View after every
// message, and most (ticks, another screen's results) change nothing on screen: the same parts
// then give back the same frame without measuring every cell of it again.
type frameCache struct {
	header, body, footer string
	width, height        int
	frame                string
	// footerText is the footer last drawn, from footerFrom.
	footerFrom, footerText string
}

// lay is the tab bar, the body cut to width × height, and the footer, one above the other.
func (c *frameCache) lay(header, body, footer string, width, height int) string {
	if c == nil {
		c = &frameCache{}
	}
	if c.frame != "" && c.header == header && c.body == body && c.footer == footer && c.width == width && c.height == height {
		return c.frame
	}
	c.header, c.body, c.footer, c.width, c.height = header, body, footer, width, height
	c.frame = stack(header, body, footer, width, height)
	return c.frame
}

// stack is lipgloss.JoinVertical(lipgloss.Left, header, body, footer) with the body cut to
// width × height by lipgloss (MaxWidth, Height, MaxHeight). A screen's body is usually a block
// already: height lines of one width within the width, which that cut leaves as it is; stack then
// measures each line once, where the cut and the join measure every line three times or more
// (TestStackIsLipgloss holds the two ways to the same frame).
func stack(header, body, footer string, width, height int) string {
	lines, w, ok := block(body)
	if !ok || len(lines) != height || w > width {
		fitted := lipgloss.NewStyle().MaxWidth(width).Height(height).MaxHeight(height).Render(body)
		return lipgloss.JoinVertical(lipgloss.Left, header, fitted, footer)
	}
	// JoinVertical's own steps: lines split as lipgloss splits them, each padded to the widest.
	split := func(s string) []string {
		s = strings.ReplaceAll(s, "\t", "    ")
		return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	}
	top, bottom := split(header), split(footer)
	widths := make([]int, 0, len(top)+len(bottom))
	widest := w
	for _, l := range append(top, bottom...) {
		lw := ui.CellWidth(l)
		widths = append(widths, lw)
		widest = max(widest, lw)
	}
	var b strings.Builder
	b.Grow(len(header) + len(body) + len(footer) + 2*widest)
	put := func(l string, lw int) {
		b.WriteString(l)
		b.WriteString(strings.Repeat(" ", widest-lw))
	}
	for i, l := range top {
		put(l, widths[i])
		b.WriteByte('\n')
	}
	for _, l := range lines {
		put(l, w)
		b.WriteByte('\n')
	}
	for i, l := range bottom {
		put(l, widths[len(top)+i])
		if i < len(bottom)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// block splits s into its lines and reports their common width; false when s has a tab or a
// carriage return (which lipgloss rewrites) or lines of different widths.
func block(s string) (lines []string, width int, ok bool) {
	if strings.ContainsAny(s, "\t\r") {
		return nil, 0, false
	}
	lines = strings.Split(s, "\n")
	width = ui.CellWidth(lines[0])
	for _, l := range lines[1:] {
		if ui.CellWidth(l) != width {
			return nil, 0, false
		}
	}
	return lines, width, true
}

// header is the tab bar, with the note at its right when it fits.
func (m Model) header() string {
	st := m.c.Styles
	tabs := make([]string, 0, ui.NumScreens)
	for id := ui.ScreenID(0); id < ui.NumScreens; id++ {
		label := string(rune('1'+int(id))) + " " + id.Title()
		if id == m.active {
			tabs = append(tabs, st.TabActive.Render(label))
		} else {
			tabs = append(tabs, st.TabInactive.Render(label))
		}
	}
	bar := strings.Join(tabs, " ")
	if m.c.Learn {
		bar += " " + st.TabActive.Render("Learn")
	}
	if m.c.Reveal {
		bar += " " + st.Warn.Render("⚠ secrets shown (s hides)")
	}
	note := m.note
	if m.demo != nil {
		if on := m.faults.Faults.String(); on != "" {
			note += " · faults: " + on
		}
	}
	if note != "" {
		room := m.width - lipgloss.Width(bar) - 2
		if room > 10 {
			bar += "  " + st.Note.Render(ui.Truncate(note, room))
		}
	}
	if m.width > 0 {
		bar = ui.Truncate(bar, m.width)
	}
	return st.TabBar.Render(bar)
}

// footer is the short help: the active screen's keys, then the global ones. It is drawn again
// only when a key's help, the width or the background changed (frameCache.footerFrom).
func (m Model) footer() string {
	screen, global := m.shortHelp()
	if m.frame == nil {
		return m.drawFooter(screen, global)
	}
	from := footerFrom(m.width, m.c.IsDark, screen, global)
	if m.frame.footerFrom != from || m.frame.footerText == "" {
		m.frame.footerFrom, m.frame.footerText = from, m.drawFooter(screen, global)
	}
	return m.frame.footerText
}

// footerFrom is what the footer is drawn from, as one string: the width, the background and each
// key's help.
func footerFrom(width int, dark bool, keys ...[]key.Binding) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(width))
	b.WriteString(strconv.FormatBool(dark))
	for _, ks := range keys {
		b.WriteByte(0)
		for _, k := range ks {
			h := k.Help()
			b.WriteString(strconv.FormatBool(k.Enabled()))
			b.WriteString(h.Key)
			b.WriteByte(0)
			b.WriteString(h.Desc)
			b.WriteByte(0)
		}
	}
	return b.String()
}

// drawFooter lays the footer's keys out within the width.
func (m Model) drawFooter(screen, global []key.Binding) string {
	st := m.c.Styles.Footer
	if m.width <= 0 {
		return st.Render(m.help.ShortHelpView(append(screen, global...)))
	}
	// ? all keys and q quit always show; the other keys give way from the last (the global tab and
	// L first, then the screen's own), as far as needed to fit. help.ShortHelpView would cut the
	// line at its end instead.
	width := m.width - st.GetHorizontalFrameSize()
	h := m.help
	h.SetWidth(0)
	for {
		line := h.ShortHelpView(append(slices.Clone(screen), global...))
		if ansi.StringWidth(line) <= width || len(screen) == 0 {
			return st.Render(ui.Truncate(line, width))
		}
		screen = screen[:len(screen)-1]
	}
}

// shortHelp is the footer's keys: the active screen's (or the faults panel's), then the global
// ones, which a screen typing text (ui.TextCapturer) keeps for itself.
func (m Model) shortHelp() (screen, global []key.Binding) {
	if m.quitting {
		return []key.Binding{m.quitKeys.Yes, m.quitKeys.No, m.quitKeys.SaveHAR}, nil
	}
	if m.faults.Open {
		return m.faults.ShortHelp(), nil
	}
	if m.screens[m.active] != nil && !m.waitsForClient() {
		screen = m.screens[m.active].ShortHelp()
	}
	if m.capturingText() {
		return screen, nil // the letters are typed and tab is the screen's: no global key applies
	}
	if m.demo != nil {
		screen = append(slices.Clone(screen), m.keys.Faults)
	}
	return append(slices.Clone(screen), m.keys.Next, m.keys.Learn), []key.Binding{m.keys.Help, m.keys.Quit}
}

// fullHelpView is every key of the active screen, then the global keys (`?`), each block laid out
// in columns within the width.
func (m Model) fullHelpView() string {
	h := m.help
	h.ShowAll = true
	st := m.c.Styles
	parts := []string{st.Title.Render(m.active.Title()+" — all keys") + st.Muted.Render("  (? or esc closes this)")}
	if groups := m.screens[m.active].FullHelp(); len(groups) > 0 {
		parts = append(parts, helpColumns(h, groups, m.width))
	}
	global := m.keys.FullHelp()
	if m.demo != nil {
		global = append(global, []key.Binding{m.keys.Faults})
	}
	parts = append(parts, "", st.Title.Render("Everywhere"), helpColumns(h, global, m.width))
	return strings.Join(parts, "\n")
}

// helpColumns lays the groups out as columns, as help.FullHelpView does, starting a new row of
// columns where the next would not fit in width: FullHelpView alone cuts the columns that do not
// fit ("…"), which at 80 columns hid most of a screen's keys.
func helpColumns(h help.Model, groups [][]key.Binding, width int) string {
	h.SetWidth(0)
	var rows []string
	var row [][]key.Binding
	for _, g := range groups {
		if len(row) > 0 && width > 0 && lipgloss.Width(h.FullHelpView(append(slices.Clone(row), g))) > width {
			rows = append(rows, h.FullHelpView(row))
			row = nil
		}
		row = append(row, g)
	}
	if len(row) > 0 {
		rows = append(rows, h.FullHelpView(row))
	}
	return strings.Join(rows, "\n")
}
