package profilescreen

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The new-profile menu (n, and the whole screen while the store is empty): the built-in demo, every
// vendor preset with its title and description, a discovery URL, a blank profile, an import. The
// discovery URL is fetched in a command and what it holds is shown before the form opens on it.
// / filters the entries by title, description or preset name, as it filters the list.

// menuKind is what a menu entry does.
type menuKind int

const (
	menuDemo menuKind = iota
	menuPreset
	menuDiscovery
	menuBlank
	menuImport
	menuRegister
)

// menuItem is one entry of the menu.
type menuItem struct {
	kind   menuKind
	title  string
	desc   string
	preset profiles.Preset
}

// profileMenu is the menu's entries and selection.
type profileMenu struct {
	items []menuItem
	// sel indexes the entries the filter lets through (activeMenu).
	sel    int
	filter textinput.Model
	// presetsErr is why the presets did not load (embedded data: a bug), shown in place.
	presetsErr error
}

// newProfileMenu lists the entries; the demo only where the command line can start it.
func newProfileMenu(c *ui.Common, demo bool) profileMenu {
	m := profileMenu{filter: ui.NewLineInput(c, "title, description …")}
	m.filter.Prompt = "/ "
	if demo {
		m.items = append(m.items, menuItem{kind: menuDemo, title: "Built-in demo",
			desc: "A provider running inside tokenbench with a ready client (user demo / demo): run a whole flow with nothing to set up."})
	}
	ps, err := profiles.Presets()
	m.presetsErr = err
	for _, p := range ps {
		m.items = append(m.items, menuItem{kind: menuPreset, title: p.Title, desc: oneLine(p.Description), preset: p})
	}
	m.items = append(m.items,
		menuItem{kind: menuDiscovery, title: "From a discovery URL", desc: "Paste an issuer or its .well-known/openid-configuration URL: tokenbench fetches it and fills the issuer."},
		menuItem{kind: menuRegister, title: "By registration", desc: "Paste an issuer that allows dynamic client registration (RFC 7591): tokenbench registers a new client there and opens the form on it."},
		menuItem{kind: menuBlank, title: "Blank profile", desc: "Type the issuer (or the endpoints) and the client yourself."},
		menuItem{kind: menuImport, title: "Import from a file", desc: "Profiles exported by a colleague (x / X here, or tokenbench profile export)."},
	)
	return m
}

// oneLine joins a multi-line description.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// activeMenu is the entries offered now that the filter lets through, case-insensitively on the
// title, the description and the preset's name: only the demo while the store is read-only.
func (s Model) activeMenu() []menuItem {
	q := strings.ToLower(strings.TrimSpace(s.menu.filter.Value()))
	var items []menuItem
	for _, it := range s.menu.items {
		if s.readOnly() && it.kind != menuDemo {
			continue
		}
		if q == "" || strings.Contains(strings.ToLower(it.title+"\x00"+it.desc+"\x00"+it.preset.Name), q) {
			items = append(items, it)
		}
	}
	return items
}

// menuShown reports whether the menu is on screen: opened with n, or as the empty or broken
// store's offer in place of the list.
func (s Model) menuShown() bool {
	return s.mode == modeMenu || s.mode == modeList && (s.empty() || s.readOnly() && len(s.all) == 0)
}

// openMenu shows the new-profile menu, unfiltered, on the first preset.
func (s Model) openMenu() Model {
	s.mode = modeMenu
	s.notice, s.failure = "", nil
	s.menu.filter.SetValue("")
	s.menu.filter.Blur()
	s.menu.sel = 0
	for i, it := range s.activeMenu() {
		if it.kind == menuPreset {
			s.menu.sel = i
			break
		}
	}
	return s
}

// handleMenuKey moves in the menu and chooses an entry; in the empty and broken states the menu is
// the screen, so esc does not leave it and i, ctrl+l still work.
func (s Model) handleMenuKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	if s.menu.filter.Focused() {
		return s.handleMenuFilterKey(msg)
	}
	k := s.keys
	items := s.activeMenu()
	switch {
	case key.Matches(msg, k.Cancel) && s.menu.filter.Value() != "":
		s.menu.filter.SetValue("")
		s.menu.sel = 0
		return s, nil
	case key.Matches(msg, k.Cancel):
		if s.mode == modeMenu && !s.empty() {
			s.mode = modeList
		}
		s.failure = nil
		return s, nil
	case key.Matches(msg, k.Up):
		s.menu.sel = max(0, s.menu.sel-1)
	case key.Matches(msg, k.Down):
		s.menu.sel = max(0, min(len(items)-1, s.menu.sel+1))
	case key.Matches(msg, k.Use):
		if s.menu.sel < len(items) {
			return s.choose(items[s.menu.sel])
		}
	case key.Matches(msg, k.Filter):
		s.notice = ""
		return s, s.menu.filter.Focus()
	case key.Matches(msg, k.Reload):
		return s.reload()
	case key.Matches(msg, k.Import) && !s.readOnly():
		return s.askImport()
	case key.Matches(msg, k.New) && s.readOnly():
		s.failure = errReadOnly(s)
	}
	return s, nil
}

// handleMenuFilterKey: typing filters as it goes; enter keeps the filter, esc clears it; ↑/↓ still
// move, as in the list's filter.
func (s Model) handleMenuFilterKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, s.keys.Cancel):
		s.menu.filter.SetValue("")
		s.menu.filter.Blur()
		s.menu.sel = 0
		return s, nil
	case key.Matches(msg, s.keys.Submit):
		s.menu.filter.Blur()
		return s, nil
	case msg.String() == "up":
		s.menu.sel = max(0, s.menu.sel-1)
		return s, nil
	case msg.String() == "down":
		s.menu.sel = max(0, min(len(s.activeMenu())-1, s.menu.sel+1))
		return s, nil
	}
	var cmd tea.Cmd
	s.menu.filter, cmd = s.menu.filter.Update(msg)
	s.menu.sel = 0
	return s, cmd
}

// choose acts on a menu entry.
func (s Model) choose(it menuItem) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch it.kind {
	case menuDemo:
		return s.openDemo()
	case menuPreset:
		p := profiles.Profile{Name: s.freeName(it.preset.Name), Preset: it.preset.Name}
		s.form, cmd = s.newForm(p)
		s.mode = modeForm
	case menuDiscovery, menuRegister:
		s.mode = modeDiscovery
		s.discovery = newDiscoveryPrompt(s.c, s.width)
		s.discovery.register = it.kind == menuRegister
		cmd = s.discovery.input.Focus()
	case menuBlank:
		s.form, cmd = s.newForm(profiles.Profile{Name: s.freeName("new-profile")})
		s.mode = modeForm
	case menuImport:
		return s.askImport()
	}
	s.notice, s.failure = "", nil
	return s, cmd
}

// freeName is base, or base-2, base-3 … when taken.
func (s Model) freeName(base string) string {
	taken := func(n string) bool {
		return slices.ContainsFunc(s.all, func(r profileRow) bool { return r.p.Name == n })
	}
	if !taken(base) {
		return base
	}
	for i := 2; ; i++ {
		if n := base + "-" + strconv.Itoa(i); !taken(n) {
			return n
		}
	}
}

// discoveryPrompt is the discovery URL typed and what it holds.
type discoveryPrompt struct {
	input textinput.Model
	url   string
	meta  *flows.Metadata
	err   error
	// register says a client is registered at the issuer once it is found (registration.go).
	register bool
}

func newDiscoveryPrompt(c *ui.Common, width int) discoveryPrompt {
	in := ui.NewLineInput(c, "https://login.example.com/realms/acme  (an issuer or a /.well-known/ URL)")
	in.SetWidth(max(10, width-4))
	return discoveryPrompt{input: in}
}

// discoveryTimeout bounds the discovery fetch.
const discoveryTimeout = 20 * time.Second

// handleDiscoveryKey: enter fetches the URL typed, then opens the form on what it holds; esc goes
// back a step.
func (s Model) handleDiscoveryKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	d := s.discovery
	switch {
	case key.Matches(msg, s.keys.Cancel) && d.input.Focused():
		s.discovery.input.Blur()
		return s.openMenu(), nil
	case key.Matches(msg, s.keys.Cancel):
		s.discovery.meta = nil
		return s, s.discovery.input.Focus()
	case key.Matches(msg, s.keys.Submit) && d.input.Focused():
		u := strings.TrimSpace(d.input.Value())
		if u == "" {
			return s, nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), discoveryTimeout)
		s.discovery.err, s.discovery.meta = nil, nil
		s, tick := s.startOp(opDiscover, cancel)
		return s, tea.Batch(tick, fetchDiscovery(ctx, u, s.reqID))
	case key.Matches(msg, s.keys.Submit) && d.meta != nil && d.register:
		return s.startRegistration()
	case key.Matches(msg, s.keys.Submit) && d.meta != nil:
		return s.formFromDiscovery()
	case !d.input.Focused():
		return s, nil
	}
	var cmd tea.Cmd
	s.discovery.input, cmd = s.discovery.input.Update(msg)
	return s, cmd
}

// onDiscovery shows what the discovery URL holds, or why it could not be read.
func (s Model) onDiscovery(msg discoveryFetchedMsg) Model {
	if msg.reqID != s.reqID || s.op != opDiscover {
		return s
	}
	s = s.endOp()
	s.discovery.url, s.discovery.meta, s.discovery.err = msg.url, msg.meta, msg.err
	if msg.err == nil {
		s.discovery.input.Blur()
	}
	return s
}

// formFromDiscovery opens the form on a profile with the discovered issuer; a discovery URL in an
// unusual place is kept as the issuer, which profiles accept.
func (s Model) formFromDiscovery() (Model, tea.Cmd) {
	d := s.discovery
	issuer := s.discoveredIssuer()
	name := "new-profile"
	if u, err := url.Parse(d.meta.Issuer); err == nil && u.Hostname() != "" {
		name = u.Hostname()
	}
	if profiles.ValidateName(name) != nil {
		name = "new-profile"
	}
	p := profiles.Profile{Name: s.freeName(name), Issuer: issuer}
	if len(d.meta.TokenEndpointAuthMethods) > 0 && !slices.Contains(d.meta.TokenEndpointAuthMethods, string(flows.AuthClientSecretBasic)) {
		if m, ok := flows.ParseAuthMethod(d.meta.TokenEndpointAuthMethods[0]); ok {
			p.AuthMethod = m
		}
	}
	var cmd tea.Cmd
	s.form, cmd = s.newForm(p)
	s.form.found = d.meta
	s.mode = modeForm
	return s, cmd
}

// discoveredIssuer is the issuer found; a discovery URL in an unusual place is kept as the issuer,
// which profiles accept.
func (s Model) discoveredIssuer() string {
	d := s.discovery
	if strings.Contains(d.url, "/.well-known/") && !slices.Contains(mustDiscoveryURLs(d.meta.Issuer), d.url) {
		return d.url
	}
	return d.meta.Issuer
}

// mustDiscoveryURLs is flows.DiscoveryURLs without the error.
func mustDiscoveryURLs(issuer string) []string {
	urls, _ := flows.DiscoveryURLs(issuer)
	return urls
}

// menuView is the new-profile menu (also the empty and broken states' offer).
func (s Model) menuView(title, intro string) string {
	st := s.c.Styles
	w := s.width
	items := s.activeMenu()
	lines := []string{st.Title.Render(title), ui.WrapIndent(intro, w, "")}
	if s.menu.presetsErr != nil {
		lines = append(lines, block(st.Fail, "✗ the presets do not load: "+s.menu.presetsErr.Error(), w, "  "))
	}
	if s.menu.filter.Focused() || s.menu.filter.Value() != "" {
		lines = append(lines, ui.Truncate(s.menu.filter.View(), w))
	}
	if len(items) == 0 {
		lines = append(lines, st.Muted.Render("  no entry matches the filter: esc clears it"))
	}
	titleW := 0
	for _, it := range items {
		titleW = max(titleW, len(it.title))
	}
	titleW = min(titleW, 24)
	descLines := 2
	rows := max(3, s.height-len(lines)-descLines-2)
	sel := min(s.menu.sel, len(items)-1)
	offset := max(0, min(sel-rows+1, len(items)-rows))
	for i := offset; i < offset+rows && i < len(items); i++ {
		it := items[i]
		mark := "  "
		if i == sel {
			mark = "▸ "
		}
		line := ui.Truncate(mark+ui.PadCell(ui.Truncate(it.title, titleW), titleW)+"  "+st.Muted.Render(it.desc), w)
		if i == sel {
			line = st.Selected.Render(ui.PadCell(ui.Truncate(mark+ui.PadCell(ui.Truncate(it.title, titleW), titleW)+"  "+it.desc, w), w))
		}
		lines = append(lines, line)
	}
	if sel >= 0 && sel < len(items) {
		desc := items[sel].desc
		if it := items[sel]; it.kind == menuPreset && len(it.preset.Params) > 0 {
			var names []string
			for _, pp := range it.preset.Params {
				names = append(names, pp.Name)
			}
			desc = "parameters: " + strings.Join(names, ", ") + " · issuer " + it.preset.Issuer
		}
		dl := ui.WrapLines(desc, w)
		if len(dl) > descLines {
			dl = append(dl[:descLines-1], ui.Truncate(strings.Join(dl[descLines-1:], " "), w))
		}
		lines = append(lines, "", ui.WrapEach(st.Muted, strings.Join(dl, " "), w, ""))
	}
	return strings.Join(lines, "\n")
}

// discoveryView is the discovery URL and, once fetched, what it holds.
func (s Model) discoveryView() string {
	st := s.c.Styles
	w := s.width
	d := s.discovery
	title, next := "New profile from a discovery URL", "enter: create a profile on this issuer · esc: change the URL"
	if d.register {
		title, next = "New profile by dynamic client registration (RFC 7591)", "enter: register a client here · esc: change the URL"
	}
	lines := []string{st.Title.Render(title),
		ui.WrapIndent("An issuer (https://login.example.com/realms/acme) or its /.well-known/openid-configuration URL:", w, ""),
		d.input.View()}
	if d.err != nil {
		lines = append(lines, st.Fail.Render("✗ ")+ui.WrapEach(st.Fail, s.c.Untrusted(d.err.Error()), w-2, "  "))
	}
	if m := d.meta; m != nil {
		lines = append(lines, "", st.Pass.Render("✓ found ")+st.Muted.Render(ui.Truncate(s.c.Untrusted(m.Source), w-8)))
		const labelW = 15
		field := func(label, value string) {
			if value != "" {
				// A long name (pushed_authorization) takes a line of its own, never running into its URL.
				lines = append(lines, ui.Labelled(st.Label.Render(label), s.c.Untrusted(value), w, labelW))
			}
		}
		field("issuer", m.Issuer)
		for _, e := range m.Endpoints.List() {
			field(shortEndpoint(e.Name), e.URL)
		}
		field("grants", strings.Join(m.GrantTypes, " "))
		field("client auth", strings.Join(m.TokenEndpointAuthMethods, " "))
		field("PKCE", strings.Join(m.CodeChallengeMethods, " "))
		field("scopes", strings.Join(m.Scopes, " "))
		lines = append(lines, st.KeyHint.Render(next))
	}
	return strings.Join(lines, "\n")
}

// shortEndpoint is an endpoint's label in narrow columns.
func shortEndpoint(name string) string {
	if name == "device_authorization" {
		return "device"
	}
	return name
}
