package profilescreen

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The profile form: the name, the preset and its parameters (each with its description and
// example, defaults prefilled), the URLs they expand to, then the client (id, authentication, the
// secret entered masked and saved by reference), the run defaults and the endpoint overrides. Every
// change rebuilds the profile and validates it (Profile.Validate): the *FieldError is shown beside
// its field and saving is refused until it is fixed. form_view.go renders it.

// fieldKind is how a form field is edited.
type fieldKind int

const (
	fieldText   fieldKind = iota
	fieldChoice           // cycled with ←/→
	fieldSecret           // typed masked, never shown unless revealed
)

// Form field ids that are not a profile field's own name (the others are: "name", "issuer",
// "params.NAME", "endpoints.NAME" …, as *profiles.FieldError names them).
const (
	fieldSecretTarget = "secret_target" // the reference's target: account, variable, path, command
	fieldSecretValue  = "secret_value"  // the secret itself, for the keyring or a new file
)

// formField is one field of the form.
type formField struct {
	id    string
	label string
	// help is a line under the field (a preset parameter's description and example).
	help    string
	kind    fieldKind
	input   textinput.Model
	choices []string
	choice  int
	// fixed fields are shown and not edited (the name of a profile being edited).
	fixed bool
}

// value is the field's text, or its choice.
func (f formField) value() string {
	if f.kind == fieldChoice {
		if f.choice < len(f.choices) {
			return f.choices[f.choice]
		}
		return ""
	}
	return strings.TrimSpace(f.input.Value())
}

// urlLine is one line of the "Resolves to" block.
type urlLine struct {
	label, url string
	// override marks a URL the profile sets itself over the preset's.
	override bool
}

// profileForm is the form and what it derives from its fields.
type profileForm struct {
	fields []formField
	focus  int
	isNew  bool
	// orig is the profile edited (or the starting point of a new one): the fields the form does not
	// show (auth_params, TLS, unknown keys, comments) are kept from it.
	orig profiles.Profile
	// found is the discovery document a new profile started from, shown at the top.
	found *flows.Metadata
	// reveal shows the secret being typed.
	reveal bool
	// noKeyring is why the OS keyring did not answer (nil when it did): a keyring store is then
	// warned about (keyring.go).
	noKeyring error
	// dirty is set by any change; discard asks esc twice before dropping them.
	dirty   bool
	discard bool

	// Derived by refresh after every change.
	prof     profiles.Profile
	err      error  // Validate's verdict
	errField string // the field it names, when it is one of the form's
	// saveErr is what the last save attempt said; saveField the field it names.
	saveErr   error
	saveField string
	urls      []urlLine
	urlNote   string
	warnings  []string
	method    flows.AuthMethod // the client authentication in effect
	others    []string         // fields set in the file that the form does not show
}

// Choices of the choice fields; "" is "the default", shown as such.
var (
	secretKinds = []string{"none", string(profiles.SecretKeyring), string(profiles.SecretEnv), string(profiles.SecretFile), string(profiles.SecretCmd)}
)

func authMethodChoices() []string {
	out := []string{""}
	for _, m := range flows.AuthMethods() {
		out = append(out, string(m))
	}
	return out
}

// formFieldOrder is the order of the registry's fields in the form after the client's identity and
// secret; the endpoints come last. Fields not listed (extra parameters, TLS) are kept as they are.
var formFieldOrder = []string{"signing_key", "signing_alg", "decryption_key", "redirect_uri", "scopes", "grant", "pkce", "par",
	"request_object", "request_object_by", "response_type", "response_mode", "dpop", "dpop_key", "resources", "authorization_details",
	"ciba_mode", "ciba_notification_endpoint", "token_headers", "notes"}

// listSeparators split a list field whose values hold spaces (a header is "Name: value"); the
// other lists are split on spaces.
var listSeparators = map[string]string{"token_headers": "|"}

// fieldChoices are the values of the fields chosen from a list, the empty value first where the
// field may be left to its default.
var fieldChoices = map[string]func() []string{
	"auth_method":    authMethodChoices,
	"signing_alg":    func() []string { return append([]string{""}, profiles.SigningAlgs()...) },
	"grant":          func() []string { return append([]string{""}, profiles.Grants()...) },
	"pkce":           pkceChoiceNames,
	"par":            func() []string { return onOff },
	"request_object": func() []string { return onOff },
	"response_type":  func() []string { return append([]string{""}, flows.ResponseTypes...) },
	"response_mode":  func() []string { return append([]string{""}, flows.ResponseModes...) },
	"dpop":           func() []string { return onOff },
	"request_object_by": func() []string {
		return []string{"", flows.RequestByValue, flows.RequestByReference}
	},
	"ciba_mode": func() []string { return append([]string{""}, flows.CIBAModes...) },
}

// fieldPlaceholders say what a text field wants while it is empty.
var fieldPlaceholders = map[string]string{
	"issuer":                     "e.g. https://login.example.com/realms/acme",
	"client_id":                  "the client_id the provider registered",
	"signing_key":                "private key file, PEM or JWK, for private_key_jwt",
	"decryption_key":             "private key file, PEM or JWK, that decrypts JWE tokens",
	"redirect_uri":               profiles.DefaultRedirectURI + ": loopback, any free port",
	"dpop_key":                   "key file, PEM or JWK; empty: a fresh ES256 key each run",
	"resources":                  "e.g. https://api.example.com/, space-separated, RFC 8707",
	"authorization_details":      "JSON file of authorization_details, RFC 9396",
	"notes":                      "free text: the customer, the ticket …",
	"ciba_notification_endpoint": "for ping and push: e.g. http://127.0.0.1:8765/ciba",
	"token_headers":              "e.g. X-Gateway-Key: abc | X-Tenant: acme (not for secrets)",
}

// onOff are the choices of a yes-or-no field.
var onOff = []string{"off", "on"}

func onOffValue(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func pkceChoiceNames() []string {
	out := []string{""}
	for _, m := range profiles.PKCEMethods() {
		out = append(out, string(m))
	}
	return out
}

// newProfileForm opens the form on p: a new profile (isNew) or one to edit.
func newProfileForm(c *ui.Common, p profiles.Profile, isNew bool) (profileForm, tea.Cmd) {
	f := profileForm{isNew: isNew, orig: p.Clone()}
	text := func(id, label, value, placeholder string) formField {
		in := ui.NewLineInput(c, placeholder)
		in.SetValue(value)
		return formField{id: id, label: label, kind: fieldText, input: in}
	}
	choice := func(id, label string, choices []string, value string) formField {
		i := slices.Index(choices, value)
		if i < 0 {
			// A value this version does not offer (a newer version's preset, a typo in the file) is
			// kept as a choice, and validation says what is wrong with it.
			choices, i = append(slices.Clone(choices), value), len(choices)
		}
		return formField{id: id, label: label, kind: fieldChoice, choices: choices, choice: i}
	}
	name := text("name", "name", p.Name, "acme-prod")
	name.fixed = !isNew
	presetNames := []string{""}
	if ps, err := profiles.Presets(); err == nil {
		for _, pr := range ps {
			presetNames = append(presetNames, pr.Name)
		}
	}
	f.fields = append(f.fields, name, choice("preset", "preset", presetNames, p.Preset))
	f.fields = append(f.fields, presetParamFields(c, p.Preset, p.Params)...)
	// field is the form's input for a field of the registry (profiles.Fields): a choice when the
	// field has a fixed set of values, else a line of text with a placeholder.
	field := func(key string) formField {
		fd, _ := profiles.LookupField(key)
		sep := " "
		if s, ok := listSeparators[key]; ok {
			sep = " " + s + " "
		}
		value := strings.Join(fd.Get(p), sep)
		if choices, ok := fieldChoices[key]; ok {
			if fd.Kind == profiles.KindBool {
				value = onOffValue(value == "true")
			}
			return choice(key, fd.Label, choices(), value)
		}
		return text(key, fd.Label, value, fieldPlaceholders[key])
	}
	f.fields = append(f.fields, field("issuer"), field("client_id"), field("auth_method"))
	kinds := secretKinds
	if p.ClientSecret.Kind() == profiles.SecretPlain {
		kinds = append(slices.Clone(kinds), string(profiles.SecretPlain))
	}
	kind := string(p.ClientSecret.Kind())
	if p.ClientSecret == "" {
		kind = "none"
		if isNew {
			kind = string(profiles.SecretKeyring)
		}
	}
	target := ""
	if p.ClientSecret.Kind() != profiles.SecretPlain {
		target = p.ClientSecret.Target()
	}
	secret := text(fieldSecretValue, "client secret", "", "")
	secret.kind = fieldSecret
	secret.input.EchoMode = textinput.EchoPassword
	secret.input.EchoCharacter = '•'
	f.fields = append(f.fields,
		choice("client_secret", "secret kept in", kinds, kind),
		text(fieldSecretTarget, "", target, ""),
		secret,
	)
	for _, key := range formFieldOrder {
		f.fields = append(f.fields, field(key))
	}
	for _, name := range flows.EndpointNames() {
		f.fields = append(f.fields, field("endpoints."+name))
	}
	f.focus = -1
	f = f.refresh()
	f.dirty = false
	start := 0
	if !isNew || p.Name != "" {
		start = 1 // the name is filled in: start on the preset (or its first parameter)
		if len(f.paramIndices()) > 0 {
			start = f.paramIndices()[0]
		}
	}
	if p.Issuer != "" && p.Preset == "" {
		start = f.index("client_id")
	}
	return f.focusField(start)
}

// presetParamFields are the fields of a preset's parameters, filled from values or the defaults.
func presetParamFields(c *ui.Common, preset string, values map[string]string) []formField {
	pr, ok := profiles.LookupPreset(preset)
	if !ok {
		return nil
	}
	var out []formField
	for _, pp := range pr.Params {
		example := ""
		if pp.Example != "" {
			example = "e.g. " + pp.Example
		}
		in := ui.NewLineInput(c, example)
		v := values[pp.Name]
		if v == "" {
			v = pp.Default
		}
		in.SetValue(v)
		help := pp.Description
		if pp.Example != "" {
			help += " · e.g. " + pp.Example
		}
		if pp.Optional {
			help += " · optional"
		}
		out = append(out, formField{id: "params." + pp.Name, label: pp.Name, help: help, kind: fieldText, input: in})
	}
	return out
}

func (f profileForm) restyle(c *ui.Common) profileForm {
	for i := range f.fields {
		if f.fields[i].kind != fieldChoice {
			f.fields[i].input.SetStyles(c.Styles.Input)
		}
	}
	return f
}

// index is the position of the field id, or -1.
func (f profileForm) index(id string) int {
	return slices.IndexFunc(f.fields, func(ff formField) bool { return ff.id == id })
}

// get is the value of the field id ("" when absent).
func (f profileForm) get(id string) string {
	if i := f.index(id); i >= 0 {
		return f.fields[i].value()
	}
	return ""
}

// paramIndices are the positions of the preset's parameter fields.
func (f profileForm) paramIndices() []int {
	var out []int
	for i, ff := range f.fields {
		if strings.HasPrefix(ff.id, "params.") {
			out = append(out, i)
		}
	}
	return out
}

// visible reports whether field i applies: the secret's target and value depend on where it is kept.
func (f profileForm) visible(i int) bool {
	kind := f.get("client_secret")
	switch f.fields[i].id {
	case fieldSecretTarget:
		return kind != "none" && kind != string(profiles.SecretPlain)
	case fieldSecretValue:
		return kind == string(profiles.SecretKeyring) || kind == string(profiles.SecretFile)
	}
	return true
}

// focusable reports whether the cursor may stop on field i.
func (f profileForm) focusable(i int) bool { return f.visible(i) && !f.fields[i].fixed }

// focusField moves the focus to field i, blurring the others.
func (f profileForm) focusField(i int) (profileForm, tea.Cmd) {
	if i < 0 || i >= len(f.fields) {
		return f, nil
	}
	f.focus = i
	var cmd tea.Cmd
	for j := range f.fields {
		if f.fields[j].kind == fieldChoice {
			continue
		}
		if j == i {
			cmd = f.fields[j].input.Focus()
		} else {
			f.fields[j].input.Blur()
		}
	}
	return f, cmd
}

// step moves the focus to the previous or next field that can take it.
func (f profileForm) step(delta int) (profileForm, tea.Cmd) {
	n := len(f.fields)
	for i, tries := f.focus, 0; tries < n; tries++ {
		i = (i + delta + n) % n
		if f.focusable(i) {
			return f.focusField(i)
		}
	}
	return f, nil
}

// focused is the focused field.
func (f profileForm) focused() (formField, bool) {
	if f.focus < 0 || f.focus >= len(f.fields) {
		return formField{}, false
	}
	return f.fields[f.focus], true
}

// cycle changes the focused choice; a new preset brings its own parameter fields.
func (f profileForm) cycle(c *ui.Common, delta int) profileForm {
	ff, ok := f.focused()
	if !ok || ff.kind != fieldChoice || len(ff.choices) == 0 {
		return f
	}
	ff.choice = (ff.choice + delta + len(ff.choices)) % len(ff.choices)
	f.fields[f.focus] = ff
	f.dirty, f.discard = true, false
	if ff.id == "preset" {
		f = f.replaceParams(c)
	}
	return f
}

// replaceParams swaps the parameter fields for the chosen preset's, keeping the values of the
// parameters both presets have (as `profile edit --preset` does).
func (f profileForm) replaceParams(c *ui.Common) profileForm {
	old := map[string]string{}
	for _, i := range f.paramIndices() {
		old[strings.TrimPrefix(f.fields[i].id, "params.")] = f.fields[i].input.Value()
	}
	fresh := presetParamFields(c, f.get("preset"), old)
	at := f.index("preset") + 1
	kept := slices.DeleteFunc(slices.Clone(f.fields), func(ff formField) bool { return strings.HasPrefix(ff.id, "params.") })
	f.fields = slices.Insert(kept, at, fresh...)
	f.focus = at - 1
	return f
}

// typeKey hands a key to the focused text field.
func (f profileForm) typeKey(msg tea.Msg) (profileForm, tea.Cmd) {
	ff, ok := f.focused()
	if !ok || ff.kind == fieldChoice || ff.fixed {
		return f, nil
	}
	before := ff.input.Value()
	var cmd tea.Cmd
	f.fields[f.focus].input, cmd = ff.input.Update(msg)
	if f.fields[f.focus].input.Value() != before {
		f.dirty, f.discard = true, false
		f.saveErr, f.saveField = nil, ""
	}
	return f, cmd
}

// updateInput hands a non-key message (the cursor's blink) to the focused input.
func (f profileForm) updateInput(msg tea.Msg) (profileForm, tea.Cmd) {
	ff, ok := f.focused()
	if !ok || ff.kind == fieldChoice {
		return f, nil
	}
	var cmd tea.Cmd
	f.fields[f.focus].input, cmd = ff.input.Update(msg)
	return f, cmd
}

// toggleReveal shows or masks the secret being typed.
func (f profileForm) toggleReveal() profileForm {
	f.reveal = !f.reveal
	if i := f.index(fieldSecretValue); i >= 0 {
		f.fields[i].input.EchoMode = textinput.EchoPassword
		if f.reveal {
			f.fields[i].input.EchoMode = textinput.EchoNormal
		}
	}
	return f
}
