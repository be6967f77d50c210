package profilescreen

import (
	"errors"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Rendering of the profile form: the fields in sections with the URLs the preset expands to after
// the provider's fields, each field's error beside it, the warnings and the save state at the
// bottom. The window scrolls so that the focused field (and its error) stays in view.

// formLabelW is the width of the labels' column.
const formLabelW = 16

// setWidth sizes the inputs to the value column.
func (f profileForm) setWidth(w int) profileForm {
	for i := range f.fields {
		if f.fields[i].kind != fieldChoice {
			// The input draws its cursor one cell past its width.
			f.fields[i].input.SetWidth(max(10, w-formLabelW-4))
		}
	}
	return f
}

// view lays the form out in w×h; busy is the saving line, if any.
func (f profileForm) view(c *ui.Common, w, h int, busy string) string {
	st := c.Styles
	title := "Edit profile " + f.orig.Name
	if f.isNew {
		title = "New profile"
	}
	if pr, ok := profiles.LookupPreset(f.get("preset")); ok {
		title += " · " + pr.Title
	}
	head := []string{ui.Truncate(st.Title.Render(title), w)}
	if f.found != nil {
		head = append(head, st.Pass.Render("✓ ")+st.Muted.Render(ui.Truncate("discovered "+c.Untrusted(f.found.Source), w-2)))
	}
	body, start, end := f.lines(c, w)
	foot := f.footLines(c, w, busy)
	rows := max(1, h-len(head)-len(foot))
	offset := 0
	if end >= rows {
		offset = min(end-rows+1, start)
	}
	offset = max(0, min(offset, len(body)-rows))
	visible := body[offset:min(len(body), offset+rows)]
	out := append(head, visible...)
	out = append(out, foot...)
	return strings.Join(out, "\n")
}

// lines renders the fields and the URLs; start and end are the lines of the focused field (with
// its help and error), which the window keeps in view.
func (f profileForm) lines(c *ui.Common, w int) (lines []string, start, end int) {
	st := c.Styles
	section := func(name string) { lines = append(lines, st.TableHeader.Render(name)) }
	indent := strings.Repeat(" ", formLabelW+2)
	// Said first, so that it shows however long the form is.
	if len(f.others) > 0 {
		lines = append(lines, block(st.Muted, "Also in the file, kept as they are: "+strings.Join(f.others, ", ")+" (tokenbench profile edit changes them).", w, ""))
	}
	for i, ff := range f.fields {
		switch ff.id {
		case "preset":
			section("Provider")
		case "client_id":
			lines = append(lines, f.urlLines(c, w)...)
			section("Client")
		case "redirect_uri":
			section("Run defaults")
		case "par":
			section("Authorization request and token binding")
		case "endpoints.authorization":
			if noDiscovery(f.prof) {
				section("Endpoint overrides (empty: the preset's)")
			} else {
				section("Endpoint overrides (empty: the preset's, or from discovery)")
			}
		}
		if !f.visible(i) {
			continue
		}
		if i == f.focus {
			start = len(lines)
		}
		lines = append(lines, f.fieldLine(c, i, w))
		if ff.help != "" {
			lines = append(lines, indent+ui.WrapEach(st.Muted, ff.help, w-len(indent), indent))
		}
		if msg := f.errorFor(ff.id); msg != "" {
			lines = append(lines, indent+st.Fail.Render("✗ ")+ui.WrapEach(st.Fail, c.Untrusted(msg), w-len(indent)-2, indent+"  "))
		}
		if i == f.focus {
			end = len(lines) - 1
		}
	}
	// The rendered lines may hold several terminal lines (wrapped help, errors): split them so that
	// the window counts terminal lines.
	var flat []string
	s, e := 0, 0
	for i, l := range lines {
		if i == start {
			s = len(flat)
		}
		flat = append(flat, strings.Split(l, "\n")...)
		if i == end {
			e = len(flat) - 1
		}
	}
	return flat, s, e
}

// fieldLine is one field: the focus mark, the label and the value.
func (f profileForm) fieldLine(c *ui.Common, i, w int) string {
	st := c.Styles
	ff := f.fields[i]
	label := ff.label
	if ff.id == "issuer" && f.get("preset") != "" {
		label = "issuer override"
	}
	if strings.HasPrefix(ff.id, "endpoints.") {
		label = shortEndpoint(label)
	}
	mark, ls := "  ", st.Label
	if i == f.focus {
		mark, ls = "▸ ", st.FieldFocused
	}
	head := mark + ls.Render(ui.PadCell(ui.Truncate(label, formLabelW-1), formLabelW))
	var value string
	switch {
	case ff.kind == fieldChoice:
		value = ui.ChoiceValue(f.choiceText(ff), i == f.focus)
	case ff.fixed:
		value = st.Value.Render(ff.input.Value()) + st.Muted.Render("  (C copies under a new name)")
	default:
		value = ff.input.View()
	}
	return ui.Truncate(head+value, w)
}

// choiceText is a choice's value, with what "" means.
func (f profileForm) choiceText(ff formField) string {
	v := ff.value()
	if v != "" {
		if ff.id == "client_secret" {
			return secretKindText(v)
		}
		return v
	}
	switch ff.id {
	case "preset":
		return "(none)"
	case "auth_method":
		if f.method != "" {
			return "(default: " + string(f.method) + ")"
		}
		return "(default: client_secret_basic with a secret, none without)"
	case "signing_alg":
		return "(default: from the key)"
	case "grant":
		return "(default: authorization_code)"
	case "pkce":
		return "(default: " + string(flows.PKCES256) + ")"
	}
	return "(default)"
}

// secretKindText explains a secret kind.
func secretKindText(kind string) string {
	switch kind {
	case "none":
		return "none (public client, or private_key_jwt)"
	case string(profiles.SecretKeyring):
		return "OS keyring"
	case string(profiles.SecretEnv):
		return "environment variable"
	case string(profiles.SecretFile):
		return "file"
	case string(profiles.SecretCmd):
		return "command output"
	case string(profiles.SecretPlain):
		return "in clear in the file (not recommended)"
	}
	return kind
}

// errorFor is the message to show beside field id: the last save's, else Validate's.
func (f profileForm) errorFor(id string) string {
	var fe *profiles.FieldError
	switch {
	case f.saveErr != nil && f.saveField == id && errors.As(f.saveErr, &fe):
		return fe.Message
	case f.err != nil && f.errField == id && errors.As(f.err, &fe):
		return fe.Message
	}
	return ""
}

// urlLines is the "Resolves to" block.
func (f profileForm) urlLines(c *ui.Common, w int) []string {
	st := c.Styles
	lines := []string{st.TableHeader.Render("Resolves to")}
	const labelW = 16
	indent := strings.Repeat(" ", labelW)
	// Endpoints under the issuer are shown as their paths after it when any of them would wrap, so
	// that the block stays one line per URL on a small terminal.
	issuer, shorten := "", false
	for _, u := range f.urls {
		if u.label == "issuer" {
			issuer = strings.TrimSuffix(c.Untrusted(u.url), "/")
		} else if labelW+ansi.StringWidth(c.Untrusted(u.url)) > w {
			shorten = true
		}
	}
	shortened := false
	for _, u := range f.urls {
		label := shortEndpoint(u.label)
		url := c.Untrusted(u.url)
		if rest, ok := strings.CutPrefix(url, issuer); ok && shorten && issuer != "" && u.label != "issuer" && strings.HasPrefix(rest, "/") {
			url, shortened = "…"+rest, true
		}
		if u.override {
			url += " (override)"
		}
		lines = append(lines, st.Label.Render(ui.PadCell("  "+label, labelW))+ui.WrapEach(st.URL, url, w-labelW, indent))
	}
	if shortened {
		lines = append(lines, st.Muted.Render(ui.Truncate("  … is the issuer above", w)))
	}
	if f.urlNote != "" {
		lines = append(lines, block(st.Muted, "  "+f.urlNote, w, "  "))
	}
	return lines
}

// footLines are the form's verdict, warnings and save state, always on screen.
func (f profileForm) footLines(c *ui.Common, w int, busy string) []string {
	st := c.Styles
	var out []string
	switch {
	case busy != "":
		out = append(out, busy)
	case f.discard:
		out = append(out, st.Warn.Render(ui.Truncate("unsaved changes: esc again discards them, ctrl+s saves", w)))
	case f.saveErr != nil && f.saveField == "":
		out = append(out, st.Fail.Render("✗ ")+ui.WrapEach(st.Fail, c.Untrusted(f.saveErr.Error()), w-2, "  "))
	case f.saveErr != nil:
		out = append(out, st.Fail.Render(ui.Truncate("✗ not saved: see the field marked ✗", w)))
	case f.err != nil && f.errField == "":
		out = append(out, st.Fail.Render("✗ ")+ui.WrapEach(st.Fail, c.Untrusted(f.err.Error()), w-2, "  "))
	case f.err != nil:
		out = append(out, st.Fail.Render(ui.Truncate("✗ not valid yet: "+f.errField+" (marked ✗)", w)))
	default:
		out = append(out, st.Pass.Render(ui.Truncate("✓ valid: ctrl+s saves", w)))
	}
	for _, warn := range f.warnings {
		out = append(out, st.Warn.Render(ui.Truncate("⚠ "+warn, w)))
	}
	// Split the wrapped entries, so that the window counts terminal lines.
	return strings.Split(strings.Join(out, "\n"), "\n")
}
