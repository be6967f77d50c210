package profilescreen

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Rendering of the profiles screen: the list with the selected profile's detail, the empty and
// broken states (which offer the demo), the new-profile menu, the discovery prompt and the one-line
// prompts. View only reads; the scroll positions are derived from the selection.

// layout sizes the inputs to the body; it runs in Update after every change.
func (s Model) layout() Model {
	w := max(20, s.width)
	s.filter.SetWidth(max(10, w-4))
	s.menu.filter.SetWidth(max(10, w-4))
	s.prompt.SetWidth(max(10, w-4))
	s.discovery.input.SetWidth(max(10, w-4))
	s.form = s.form.setWidth(w)
	return s
}

// View is the screen for the current mode.
func (s Model) View() string {
	if s.width <= 0 {
		return ""
	}
	return fitBody(s.view(), s.width, s.height)
}

// fitBody cuts every line to w cells and the whole to h lines: whatever a part renders, the screen
// never breaks the layout.
func fitBody(body string, w, h int) string {
	lines := strings.Split(body, "\n")
	if h > 0 && len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = ui.Truncate(l, w)
	}
	return strings.Join(lines, "\n")
}

// view is the screen for the current mode, before fitBody.
func (s Model) view() string {
	var body string
	switch {
	case s.mode == modeForm:
		return s.form.view(s.c, s.width, s.height, s.busyLine())
	case s.mode == modeMenu:
		body = s.menuView("New profile", "Choose what the new profile starts from:")
	case s.mode == modeDiscovery:
		body = s.discoveryView()
	case s.mode == modeDoctor:
		body = s.doctorView()
	case s.c.Store == nil:
		body = s.noStoreView()
	case s.loadErr != nil:
		body = s.brokenView()
	case len(s.all) == 0:
		intro := "No profiles yet (" + s.c.Untrusted(s.c.Store.Path()) + "). Start with the built-in demo, or create a profile from a vendor preset:"
		if s.c.StartDemo == nil {
			intro = "No profiles yet (" + s.c.Untrusted(s.c.Store.Path()) + "). Create one from a vendor preset:"
		}
		body = s.menuView("Profiles", intro)
	default:
		body = s.listView()
	}
	return s.withStatus(body)
}

// withStatus adds the prompt, the command waited for, the last notice or failure under body.
func (s Model) withStatus(body string) string {
	var tail []string
	switch s.mode {
	case modeConfirmDelete:
		r, _ := s.selected()
		q := fmt.Sprintf("Delete profile %s? y deletes, any other key keeps it.", r.p.Name)
		if r.p.ClientSecret.Kind() == profiles.SecretKeyring && r.p.ClientSecret.KeyringAccount(r.p.Name) == r.p.Name {
			q = fmt.Sprintf("Delete profile %s and its secret in the OS keyring? y deletes, any other key keeps it.", r.p.Name)
		}
		tail = append(tail, block(s.c.Styles.Warn, q, s.width, ""))
	case modeCopyName:
		r, _ := s.selected()
		tail = append(tail, s.c.Styles.Title.Render(ui.Truncate("Copy "+r.p.Name+" as:", s.width)), s.prompt.View())
	case modeImportPath:
		tail = append(tail, s.c.Styles.Title.Render("Import profiles from the file:"), s.prompt.View())
	case modeExportPath:
		what := "the profile " + s.exportSet()[0].Name
		if s.exportAll {
			what = "all " + ui.CountNoun(len(s.all), "profile")
		}
		tail = append(tail, s.c.Styles.Title.Render("Export "+what+" (without client secrets, mode 0600) to:"), s.prompt.View())
	case modeImportClash:
		tail = append(tail, s.clashView())
	case modeList, modeMenu, modeDiscovery, modeForm:
	}
	if l := s.busyLine(); l != "" {
		tail = append(tail, l)
	}
	if l := s.resultLines(); l != "" {
		tail = append(tail, l)
	}
	if len(tail) == 0 {
		return body
	}
	tailText := strings.Join(tail, "\n")
	// The tail stays on screen: the body gives up its last lines when both do not fit.
	room := max(0, s.height-strings.Count(tailText, "\n")-1)
	lines := strings.Split(body, "\n")
	if len(lines) > room {
		lines = lines[:room]
	}
	return strings.Join(append(lines, tailText), "\n")
}

// busyLine is the spinner and what is waited for.
func (s Model) busyLine() string {
	if s.op == opNone {
		return ""
	}
	return s.c.Styles.Spinner.Render(s.spin.View()) + " " + ui.WrapIndent(s.op.busyText()+" — esc cancels", s.width-2, "  ")
}

// resultLines is the last notice, or the last failure with what to do about it, then the warnings
// of the profile last opened (a secret file others can read, a secret kept in clear).
func (s Model) resultLines() string {
	st := s.c.Styles
	w := s.width
	var out []string
	switch {
	case s.failure != nil:
		msg := s.failure.Error()
		if s.failedOpen != "" {
			msg = "could not open " + s.failedOpen + ": " + msg
		}
		out = append(out, st.Fail.Render("✗ ")+ui.WrapEach(st.Fail, s.c.Untrusted(msg), w-2, "  "))
		if hint := openHint(s.failure); hint != "" && s.failedOpen != "" {
			out = append(out, block(st.KeyHint, "→ "+hint, w, "  "))
		}
	case s.notice != "":
		out = append(out, block(st.Muted, s.c.Untrusted(s.notice), w, ""))
	}
	for _, warn := range s.openWarnings {
		out = append(out, block(st.Warn, "⚠ "+s.c.Untrusted(warn), w, "  "))
	}
	return strings.Join(out, "\n")
}

// block wraps s to w cells with a hanging indent, each line styled on its own (a style rendered
// over several lines would pad them all to the widest).
func block(style lipgloss.Style, s string, w int, indent string) string {
	return ui.WrapEach(style, s, max(1, w-ansi.StringWidth(indent)), indent)
}

// openHint says what to do about a profile that could not be opened.
func openHint(err error) string {
	var se *profiles.SecretError
	var fe *profiles.FieldError
	switch {
	case errors.Is(err, context.Canceled):
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "resolving the secret took too long: check the keyring or the cmd: command, then try again"
	case errors.Is(err, profiles.ErrKeyringUnavailable):
		return "there is no OS keyring here: press e and keep the secret in env:NAME, file:PATH or cmd:COMMAND instead"
	case errors.Is(err, profiles.ErrSecretNotFound):
		return "press e, keep the secret in the keyring and type it: it is stored there, never in the profile file"
	case errors.As(err, &se) && se.Ref.Kind() == profiles.SecretEnv:
		return fmt.Sprintf("export %s=… in the shell that starts tokenbench and start it again, or press e to keep the secret elsewhere", se.Ref.Target())
	case errors.As(err, &se) && se.Ref.Kind() == profiles.SecretFile:
		return "check that the file exists and only you can read it (chmod 600), or press e to change the path"
	case errors.As(err, &se) && se.Ref.Kind() == profiles.SecretCmd:
		return "run the command in a shell to see what it says, or press e to change it"
	case errors.As(err, &fe):
		return "press e to fix " + fe.Field
	}
	return "press e to edit the profile"
}

// listView is the filter, the table and the selected profile's detail.
func (s Model) listView() string {
	st := s.c.Styles
	w := s.width
	count := ui.CountNoun(len(s.all), "profile")
	if len(s.shown) != len(s.all) {
		count = fmt.Sprintf("%d of %s", len(s.shown), ui.CountNoun(len(s.all), "profile"))
	}
	lines := []string{ui.Truncate(st.Title.Render("Profiles")+"  "+st.Muted.Render(count+" · "+s.c.Untrusted(s.c.Store.Path())), w)}
	if s.c.Learn {
		lines = append(lines, st.LearnBox.Width(w).Render(ui.WrapIndent(learnProfiles, w-st.LearnBox.GetHorizontalFrameSize(), "")))
	}
	if s.filter.Focused() || s.filter.Value() != "" {
		lines = append(lines, ui.Truncate(s.filter.View(), w))
	}
	cols := s.columns()
	lines = append(lines, st.TableHeader.Render(ui.Truncate(cols.row("", "NAME", "PRESET", "ISSUER", "CLIENT ID", "AUTH"), w)))
	if len(s.shown) == 0 {
		lines = append(lines, st.Muted.Render("  no profile matches the filter: esc clears it"))
	}
	rows := s.listRows()
	offset := max(0, min(s.sel-rows+1, len(s.shown)-rows))
	for i := offset; i < offset+rows && i < len(s.shown); i++ {
		r := s.all[s.shown[i]]
		mark := "  "
		if i == s.sel {
			mark = "▸ "
		}
		// An imported profile's text is untrusted: escaped before the columns are measured.
		u := s.c.Untrusted
		line := ui.Truncate(cols.row(mark, u(r.p.Name), dashIfEmpty(u(r.p.Preset)), dashIfEmpty(u(r.issuer)), dashIfEmpty(u(r.p.ClientID)), dashIfEmpty(shortMethod(r.method))), w)
		if i == s.sel {
			line = st.Selected.Render(ui.PadCell(line, w))
		}
		lines = append(lines, line)
	}
	lines = append(lines, st.Rule.Render(strings.Repeat("─", w)))
	if r, ok := s.selected(); ok {
		lines = append(lines, s.detailView(r))
	}
	for _, warn := range s.warnings {
		lines = append(lines, block(st.Warn, "⚠ "+s.c.Untrusted(warn), w, "  "))
	}
	return strings.Join(lines, "\n")
}

// listRows is how many profiles the table shows: about half the body, at least 3.
func (s Model) listRows() int {
	return min(len(s.shown), max(3, s.height/2-3))
}

// profileColumns are the widths of the table's columns; auth is 0 when the body is too narrow.
type profileColumns struct{ name, preset, issuer, client, auth int }

func (s Model) columns() profileColumns {
	c := profileColumns{name: 4, preset: 6, client: 9, auth: 4}
	for _, i := range s.shown {
		r := s.all[i]
		c.name = max(c.name, len(r.p.Name))
		c.preset = max(c.preset, len(r.p.Preset))
		c.client = max(c.client, len(r.p.ClientID))
		c.auth = max(c.auth, len(shortMethod(r.method)))
	}
	c.name, c.preset, c.client, c.auth = min(c.name, 20), min(c.preset, 10), min(c.client, 18), min(c.auth, 15)
	fixed := 2 + c.name + 1 + c.preset + 1 + 1 + c.client + 1
	c.issuer = s.width - fixed - c.auth
	if c.issuer < 24 {
		c.auth = 0
		c.issuer = s.width - fixed
	}
	c.issuer = max(8, c.issuer)
	return c
}

// row lays out one line of the table.
func (c profileColumns) row(mark, name, preset, issuer, client, auth string) string {
	var b strings.Builder
	b.WriteString(ui.PadCell(mark, 2))
	b.WriteString(ui.PadCell(ui.Truncate(name, c.name), c.name) + " ")
	b.WriteString(ui.PadCell(ui.Truncate(preset, c.preset), c.preset) + " ")
	b.WriteString(ui.PadCell(ui.Truncate(issuer, c.issuer-1), c.issuer))
	b.WriteString(ui.PadCell(ui.Truncate(client, c.client), c.client))
	if c.auth > 0 {
		b.WriteString(" " + ui.Truncate(auth, c.auth))
	}
	return b.String()
}

// shortMethod drops the client_ of client_secret_*: the table's column is narrow.
func shortMethod(m string) string { return strings.TrimPrefix(m, "client_") }

func dashIfEmpty(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// detailView is the selected profile in full, long values wrapped.
func (s Model) detailView(r profileRow) string {
	st := s.c.Styles
	w := s.width
	const labelW = 10
	indent := strings.Repeat(" ", labelW)
	field := func(label, value string) string {
		return st.Label.Render(ui.PadCell(label, labelW)) + ui.WrapHanging(value, w, indent)
	}
	var lines []string
	u := s.c.Untrusted // an imported profile's text is untrusted
	title := st.Title.Render(u(r.p.Name))
	if pr, ok := profiles.LookupPreset(r.p.Preset); ok {
		title += "  " + st.Muted.Render(pr.Title)
	}
	lines = append(lines, ui.Truncate(title, w))
	lines = append(lines, field("issuer", dashIfEmpty(u(r.issuer))))
	client := dashIfEmpty(u(r.p.ClientID)) + " · " + dashIfEmpty(u(string(r.method)))
	lines = append(lines, field("client", client))
	lines = append(lines, field("secret", s.secretText(r.p)))
	var run []string
	if r.p.RedirectURI != "" {
		run = append(run, r.p.RedirectURI)
	}
	if len(r.p.Scopes) > 0 {
		run = append(run, "scopes "+strings.Join(r.p.Scopes, " "))
	}
	if r.p.Grant != "" {
		run = append(run, "grant "+r.p.Grant)
	}
	if len(run) > 0 {
		lines = append(lines, field("run", u(strings.Join(run, " · "))))
	}
	if r.p.Notes != "" {
		lines = append(lines, field("notes", u(oneLine(r.p.Notes))))
	}
	if r.settingErr != nil {
		lines = append(lines, block(st.Fail, "✗ "+r.settingErr.Error(), w, "  "))
	}
	for _, warn := range r.p.Warnings() {
		lines = append(lines, block(st.Warn, "⚠ "+warn, w, "  "))
	}
	// What a support engineer must know about the vendor (the preset's notes).
	if pr, ok := profiles.LookupPreset(r.p.Preset); ok {
		for _, n := range pr.Quirks.Notes {
			lines = append(lines, block(st.Muted, "• "+n, w, "  "))
		}
	}
	return strings.Join(lines, "\n")
}

// secretText says where the client secret is kept; a plain secret stays masked until s.
func (s Model) secretText(p profiles.Profile) string {
	ref := p.ClientSecret
	switch ref.Kind() {
	case "":
		return "none (a public client, or private_key_jwt)"
	case profiles.SecretKeyring:
		return "OS keyring, account " + ref.KeyringAccount(p.Name)
	case profiles.SecretEnv:
		return "environment variable " + ref.Target()
	case profiles.SecretFile:
		return "file " + ref.Target()
	case profiles.SecretCmd:
		return "output of " + ref.Target()
	case profiles.SecretPlain:
		if s.c.Reveal {
			return "in clear in the file: " + ref.Target()
		}
		return "in clear in the file: ******** (s shows it)"
	}
	return ref.Masked()
}

// brokenView is a profile file that does not load: its error, what to do, and the demo.
func (s Model) brokenView() string {
	st := s.c.Styles
	w := s.width
	lines := []string{st.Title.Render("Profiles") + "  " + st.Fail.Render("the profile file does not load"),
		st.Fail.Render("✗ ") + ui.WrapEach(st.Fail, s.c.Untrusted(s.loadErr.Error()), w-2, "  "),
		ui.WrapIndent("File: "+s.c.Untrusted(s.c.Store.Path()), w, "  "),
		ui.WrapIndent("Nothing is written to it until it is fixed. Fix it in an editor, then press ctrl+l to read it again; the previous version, if any, is "+s.c.Untrusted(s.c.Store.BackupPath())+".", w, ""),
	}
	if len(s.activeMenu()) > 0 {
		sel := s.activeMenu()[0]
		lines = append(lines, "", "Meanwhile:", st.Selected.Render(ui.PadCell(ui.Truncate("▸ "+sel.title+"  "+sel.desc, w), w)))
	}
	return strings.Join(lines, "\n")
}

// noStoreView is a session without a configuration directory.
func (s Model) noStoreView() string {
	st := s.c.Styles
	msg := "There is no profile file here"
	if s.noStore != nil {
		msg += ": " + s.noStore.Error()
	}
	lines := []string{st.Title.Render("Profiles"), ui.WrapIndent(msg, s.width, "")}
	if items := s.activeMenu(); len(items) > 0 {
		lines = append(lines, "", st.Selected.Render(ui.PadCell(ui.Truncate("▸ "+items[0].title+"  "+items[0].desc, s.width), s.width)))
	}
	return strings.Join(lines, "\n")
}

// clashView asks what to do with an import whose names are taken.
func (s Model) clashView() string {
	st := s.c.Styles
	c := s.clash
	q := fmt.Sprintf("%s holds profiles whose names are taken: %s. Import them how?", c.file, strings.Join(c.clashes, ", "))
	lines := []string{block(st.Warn, q, s.width, "")}
	for i, ch := range clashChoices {
		if i == s.clashSel {
			lines = append(lines, st.Selected.Render("▸ "+ch.label))
		} else {
			lines = append(lines, "  "+ch.label)
		}
	}
	return strings.Join(lines, "\n")
}

// learnProfiles is the Profiles screen's Learn text (L).
const learnProfiles = "Learn: a profile keeps one tenant's settings: a vendor preset and its parameters (or an issuer), " +
	"the client, and the defaults of a run. The client secret is never in the file: it is a reference to the OS keyring, " +
	"an environment variable, a file or a command. enter opens the flow on a profile; D diagnoses its tenant without a " +
	"login; the same profile runs headless with tokenbench token --profile NAME, which sends the same requests."
