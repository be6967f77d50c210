package tui

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
)

// The request form: the parameters a user edits before sending (e), applied to the client's
// configuration when the next step starts.

// fieldID names a field of the form, in display order.
type fieldID int

const (
	fieldGrant fieldID = iota
	fieldScope
	fieldPrompt
	fieldLoginHint
	fieldMaxAge
	fieldExtra
	fieldPKCE
	fieldUsername
	fieldPassword
	fieldTarget
	numFields
)

// label is the field's name as shown (the parameter's name where it is one).
func (f fieldID) label() string {
	switch f {
	case fieldGrant:
		return "grant"
	case fieldScope:
		return "scope"
	case fieldPrompt:
		return "prompt"
	case fieldLoginHint:
		return "login_hint"
	case fieldMaxAge:
		return "max_age"
	case fieldExtra:
		return "extra params"
	case fieldPKCE:
		return "PKCE"
	case fieldUsername:
		return "username"
	case fieldPassword:
		return "password"
	case fieldTarget:
		return "token for introspect/revoke"
	case numFields:
	}
	return ""
}

// isChoice reports whether the field is a choice cycled with ←/→ rather than typed.
func (f fieldID) isChoice() bool { return f == fieldGrant || f == fieldPKCE || f == fieldTarget }

var pkceChoices = []flows.PKCEMethod{flows.PKCES256, flows.PKCEPlain, flows.PKCENone}

// targetChoices are the tokens introspection and revocation can act on.
var targetChoices = []string{"access_token", "refresh_token"}

// flowForm is the request form. The inputs are indexed by fieldID; choice fields have none.
type flowForm struct {
	inputs  [numFields]textinput.Model
	grant   grantKind
	pkce    int // index in pkceChoices
	target  int // index in targetChoices
	focus   fieldID
	editing bool
}

func newFlowForm(c *common, cfg flows.ClientConfig) flowForm {
	var f flowForm
	for id := fieldID(0); id < numFields; id++ {
		if id.isChoice() {
			continue
		}
		in := textinput.New()
		in.Prompt = ""
		in.SetStyles(c.st.Input)
		f.inputs[id] = in
	}
	f.inputs[fieldScope].SetValue(strings.Join(cfg.Scopes, " "))
	f.inputs[fieldPrompt].Placeholder = "none, login, consent, select_account"
	f.inputs[fieldMaxAge].Placeholder = "seconds"
	f.inputs[fieldExtra].Placeholder = "name=value name=value"
	f.inputs[fieldPassword].EchoMode = textinput.EchoPassword
	f.inputs[fieldPassword].EchoCharacter = '•'
	for _, name := range []string{"prompt", "login_hint", "max_age"} {
		id := map[string]fieldID{"prompt": fieldPrompt, "login_hint": fieldLoginHint, "max_age": fieldMaxAge}[name]
		f.inputs[id].SetValue(cfg.AuthParams.Get(name))
	}
	for i, m := range pkceChoices {
		if m == cfg.PKCE {
			f.pkce = i
		}
	}
	return f
}

func (f flowForm) restyle(c *common) flowForm {
	for id := range f.inputs {
		if !fieldID(id).isChoice() {
			f.inputs[id].SetStyles(c.st.Input)
		}
	}
	return f
}

// visible lists the fields that apply to the chosen grant.
func (f flowForm) visible() []fieldID {
	out := []fieldID{fieldGrant, fieldScope}
	switch f.grant {
	case grantAuthCode:
		out = append(out, fieldPrompt, fieldLoginHint, fieldMaxAge, fieldExtra, fieldPKCE)
	case grantPassword:
		out = append(out, fieldUsername, fieldPassword, fieldExtra)
	case grantClientCredentials, grantDevice, numGrants:
		out = append(out, fieldExtra)
	}
	return append(out, fieldTarget)
}

// value is a text field's value, or a choice's current name.
func (f flowForm) value(id fieldID) string {
	switch id {
	case fieldGrant:
		return f.grant.String()
	case fieldPKCE:
		return string(pkceChoices[f.pkce])
	case fieldTarget:
		return targetChoices[f.target]
	}
	return strings.TrimSpace(f.inputs[id].Value())
}

// setWidth sizes the inputs to the pane.
func (f flowForm) setWidth(w int) flowForm {
	for id := range f.inputs {
		if !fieldID(id).isChoice() {
			f.inputs[id].SetWidth(max(10, w))
		}
	}
	return f
}

// focusField moves the focus, blurring the others.
func (f flowForm) focusField(id fieldID) (flowForm, tea.Cmd) {
	f.focus = id
	var cmd tea.Cmd
	for i := range f.inputs {
		if fieldID(i).isChoice() {
			continue
		}
		if fieldID(i) == id {
			cmd = f.inputs[i].Focus()
		} else {
			f.inputs[i].Blur()
		}
	}
	return f, cmd
}

// blurAll ends editing.
func (f flowForm) blurAll() flowForm {
	for i := range f.inputs {
		if !fieldID(i).isChoice() {
			f.inputs[i].Blur()
		}
	}
	f.editing = false
	return f
}

// step moves the focus to the previous or next visible field.
func (f flowForm) step(delta int) (flowForm, tea.Cmd) {
	vis := f.visible()
	i := 0
	for j, id := range vis {
		if id == f.focus {
			i = j
		}
	}
	i = (i + delta + len(vis)) % len(vis)
	return f.focusField(vis[i])
}

// cycle changes a choice field.
func (f flowForm) cycle(delta int) flowForm {
	switch f.focus {
	case fieldGrant:
		f.grant = grantKind((int(f.grant) + delta + int(numGrants)) % int(numGrants))
	case fieldPKCE:
		f.pkce = (f.pkce + delta + len(pkceChoices)) % len(pkceChoices)
	case fieldTarget:
		f.target = (f.target + delta + len(targetChoices)) % len(targetChoices)
	}
	return f
}

// update hands a message to the focused text input.
func (f flowForm) update(msg tea.Msg) (flowForm, tea.Cmd) {
	if f.focus.isChoice() {
		return f, nil
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return f, cmd
}

// extraParams parses "name=value name=value" (or &-separated).
func (f flowForm) extraParams() (url.Values, error) {
	v := url.Values{}
	s := strings.NewReplacer("&", " ", "\n", " ").Replace(f.value(fieldExtra))
	for _, pair := range strings.Fields(s) {
		name, value, ok := strings.Cut(pair, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("extra params: %q is not name=value", pair)
		}
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if u, err := url.QueryUnescape(value); err == nil {
			value = u
		}
		v.Add(name, value)
	}
	return v, nil
}

// validate reports the first invalid field.
func (f flowForm) validate() error {
	if v := f.value(fieldMaxAge); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return fmt.Errorf("max_age %q is not a number of seconds", v)
		}
	}
	if _, err := f.extraParams(); err != nil {
		return err
	}
	if f.grant == grantPassword && f.value(fieldUsername) == "" {
		return errors.New("the password grant needs a username")
	}
	return nil
}

// config is the client configuration the form asks for, on top of base.
func (f flowForm) config(base flows.ClientConfig) flows.ClientConfig {
	cfg := base
	cfg.Scopes = strings.Fields(f.value(fieldScope))
	cfg.PKCE = pkceChoices[f.pkce]
	extra, _ := f.extraParams()
	if f.grant == grantAuthCode {
		params := url.Values{}
		for k, vs := range base.AuthParams {
			params[k] = append([]string(nil), vs...)
		}
		for _, name := range []fieldID{fieldPrompt, fieldLoginHint, fieldMaxAge} {
			if v := f.value(name); v != "" {
				params.Set(name.label(), v)
			} else {
				params.Del(name.label())
			}
		}
		for k, vs := range extra {
			params[k] = vs
		}
		cfg.AuthParams = params
	} else if len(extra) > 0 {
		params := url.Values{}
		for k, vs := range base.TokenParams {
			params[k] = append([]string(nil), vs...)
		}
		for k, vs := range extra {
			params[k] = vs
		}
		cfg.TokenParams = params
	}
	if len(cfg.AuthParams) == 0 {
		cfg.AuthParams = nil
	}
	return cfg
}

// sameConfig compares two configurations on the fields the form edits.
func sameConfig(a, b flows.ClientConfig) bool {
	return reflect.DeepEqual(a.Scopes, b.Scopes) && a.PKCE == b.PKCE &&
		reflect.DeepEqual(a.AuthParams, b.AuthParams) && reflect.DeepEqual(a.TokenParams, b.TokenParams)
}

// startEditing opens the form on the grant field.
func (s flowModel) startEditing() (flowModel, tea.Cmd) {
	s.form.editing = true
	s.showRaw = false
	var cmd tea.Cmd
	s.form, cmd = s.form.focusField(fieldGrant)
	return s, cmd
}

func (s flowModel) handleFormKey(msg tea.KeyPressMsg) (flowModel, tea.Cmd) {
	k := s.keys
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, k.Done):
		s.form = s.form.blurAll()
		return s.applyGrant(), nil
	case key.Matches(msg, k.FieldUp):
		s.form, cmd = s.form.step(-1)
	case key.Matches(msg, k.FieldDown):
		s.form, cmd = s.form.step(+1)
	case s.form.focus.isChoice() && key.Matches(msg, k.Toggle):
		delta := 1
		if msg.String() == "left" {
			delta = -1
		}
		s.form = s.form.cycle(delta)
		if s.form.focus == fieldGrant {
			s = s.applyGrant()
		}
	default:
		s.form, cmd = s.form.update(msg)
	}
	return s, cmd
}

// cycleGrant is g: the next grant.
func (s flowModel) cycleGrant() flowModel {
	if s.running != numSteps {
		s.notice = "esc first: a request is running"
		return s
	}
	s.form.grant = grantKind((int(s.form.grant) + 1) % int(numGrants))
	s = s.applyGrant()
	s.notice = "grant: " + s.grant.String()
	return s
}

// applyGrant follows a grant change: Authorize and Callback apply only to some grants.
func (s flowModel) applyGrant() flowModel {
	s.grant = s.form.grant
	skip := func(id stepID, skipped bool) {
		switch {
		case skipped && s.steps[id].state != stateRunning:
			s.steps[id] = stepResult{state: stateSkipped}
		case !skipped && s.steps[id].state == stateSkipped:
			s.steps[id] = stepResult{}
		}
	}
	skip(stepAuthorize, s.grant == grantClientCredentials || s.grant == grantPassword)
	skip(stepCallback, s.grant != grantAuthCode)
	return s
}
