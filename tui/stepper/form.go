package stepper

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The request form: the parameters a user edits before sending (e), applied to the client's
// configuration when the next step starts.

// flowForm is the request form. The inputs are indexed by fieldID; choice fields have none.
//
// inputs is a slice, not an array: a textinput.Model is about 8 KB and there are some thirty of
// them, so an array made every copy of the screen (each Update, each boxing into ui.Screen) copy a
// quarter of a megabyte. Copies of the form share the inputs, as copies of a bubbles list share
// its items; the program keeps only the model Update returns.
type flowForm struct {
	inputs []textinput.Model
	grant  grantKind
	pkce   int // index in pkceChoices
	target int // index in targetChoices
	// opt is the index of the newer choice fields' values in their options.
	opt     [numFields]int
	focus   fieldID
	editing bool
	// direct says the provider offers BlockID's direct authorize (ClientConfig.DirectAuthorize):
	// the form then asks for the proof JWT.
	direct bool
	// The authorization_details file as last read (fileCheckedMsg): the path, its compact JSON and
	// the error that stops it being sent. checking is the path being read now.
	detailsPath, details, checking string
	detailsErr                     error
	// api says the form shows the API call step's request instead of the grant's (apicall.go).
	api bool
}

// fieldPlaceholders say what a text field wants while it is empty (shown as ui.Hint).
func fieldPlaceholders() map[fieldID]string {
	return map[fieldID]string{
		fieldPrompt:            "none, login, consent, select_account",
		fieldMaxAge:            "seconds",
		fieldExtra:             "name=value name=value",
		fieldResources:         "e.g. https://api.example.com/, space-separated",
		fieldAuthzDetails:      "a JSON file, RFC 9396",
		fieldAssertionIssuer:   "the client_id",
		fieldAssertionSubject:  "required, e.g. demo-user-1",
		fieldAssertionAudience: "the token endpoint",
		fieldAssertionLifetime: "in " + secondsText(int64(flows.DefaultAssertionLifetime.Seconds())) + "; 90s, 10m, 1h …",
		fieldAssertionKey:      "PEM or JWK file; default: client's key",
		fieldSubjectToken:      "paste the subject token",
		fieldActorToken:        "optional, for delegation",
		fieldAudience:          "optional, space-separated",
		fieldBindingMessage:    "shown on both devices",
		fieldIDTokenHint:       "an ID token, instead of login_hint",
		fieldUserCode:          "optional; the demo user's is demo",
		fieldLoginHintToken:    "a hint token, instead of login_hint",
		fieldRequestedExpiry:   "optional lifetime: 120, 90s, 5m …",
		fieldProofJWT:          "paste it to post the request without a browser",
		fieldNotifyEndpoint:    "the registered one: http://127.0.0.1:PORT/PATH",
	}
}

func newFlowForm(c *ui.Common, cfg flows.ClientConfig) flowForm {
	f := flowForm{inputs: make([]textinput.Model, numFields)}
	for id := fieldID(0); id < numFields; id++ {
		if id.isChoice() {
			continue
		}
		in := textinput.New()
		in.Prompt = ""
		in.SetStyles(c.Styles.Input)
		if id.secret() {
			in.EchoMode, in.EchoCharacter = textinput.EchoPassword, '•'
		}
		f.inputs[id] = in
	}
	f.inputs[fieldScope].SetValue(strings.Join(cfg.Scopes, " "))
	for id, hint := range fieldPlaceholders() {
		f.inputs[id].Placeholder = ui.Hint(hint)
	}
	f.direct = cfg.DirectAuthorize
	f.inputs[fieldNotifyEndpoint].SetValue(cfg.CIBANotificationEndpoint)
	f.setOption(fieldCIBAMode, cfg.CIBAMode)
	for _, name := range []string{"prompt", "login_hint", "max_age"} {
		id := map[string]fieldID{"prompt": fieldPrompt, "login_hint": fieldLoginHint, "max_age": fieldMaxAge}[name]
		f.inputs[id].SetValue(cfg.AuthParams.Get(name))
	}
	for i, m := range pkceChoices {
		if m == cfg.PKCE {
			f.pkce = i
		}
	}
	f.setOption(fieldResponseType, cfg.ResponseType)
	f.setOption(fieldResponseMode, cfg.ResponseMode)
	if cfg.PAR {
		f.opt[fieldPAR] = 1
	}
	if cfg.RequestObject {
		f.opt[fieldRequestObject] = 1
	}
	if cfg.DPoP || cfg.DPoPKey != nil {
		f.opt[fieldDPoP] = 1
	}
	return f
}

// setOption selects a choice by its value, leaving it when the value is not one of its options.
func (f *flowForm) setOption(id fieldID, v string) {
	for i, o := range id.options() {
		if o == v {
			f.opt[id] = i
		}
	}
}

// on reports whether an on/off field is on.
func (f flowForm) on(id fieldID) bool { return f.opt[id] == 1 }

func (f flowForm) restyle(c *ui.Common) flowForm {
	for id := range f.inputs {
		if !fieldID(id).isChoice() {
			f.inputs[id].SetStyles(c.Styles.Input)
		}
	}
	return f
}

// visible lists the fields that apply to the chosen grant; the others are hidden.
func (f flowForm) visible() []fieldID {
	if f.api {
		return apiFields
	}
	out := []fieldID{fieldGrant, fieldScope}
	switch f.grant {
	case grantAuthCode:
		if f.direct {
			out = append(out, fieldProofJWT)
		}
		out = append(out, fieldPrompt, fieldLoginHint, fieldMaxAge, fieldExtra, fieldPKCE,
			fieldResponseType, fieldResponseMode, fieldPAR, fieldRequestObject, fieldResources, fieldAuthzDetails)
	case grantPassword:
		out = append(out, fieldUsername, fieldPassword, fieldExtra, fieldResources)
	case grantClientCredentials:
		out = append(out, fieldExtra, fieldResources, fieldAuthzDetails)
	case grantJWTBearer:
		// An assertion file gives the assertion; without one, tokenbench makes it from these.
		out = append(out, fieldAssertionFile)
		if f.value(fieldAssertionFile) == "" {
			out = append(out, fieldAssertionIssuer, fieldAssertionSubject, fieldAssertionAudience, fieldAssertionLifetime, fieldAssertionKey)
		}
		out = append(out, fieldExtra, fieldResources)
	case grantSAMLBearer:
		out = append(out, fieldAssertionFile, fieldExtra, fieldResources)
	case grantTokenExchange:
		out = append(out, fieldSubjectSource)
		if f.opt[fieldSubjectSource] == subjectPasted {
			out = append(out, fieldSubjectToken)
		}
		out = append(out, fieldSubjectType, fieldRequestedType, fieldActorToken)
		if f.value(fieldActorToken) != "" {
			out = append(out, fieldActorType)
		}
		out = append(out, fieldAudience, fieldResources)
	case grantCIBA:
		out = append(out, fieldLoginHint, fieldIDTokenHint, fieldBindingMessage, fieldUserCode, fieldLoginHintToken, fieldRequestedExpiry,
			fieldCIBAMode)
		if f.value(fieldCIBAMode) != flows.CIBAPoll {
			out = append(out, fieldNotifyEndpoint)
		}
		out = append(out, fieldExtra, fieldResources, fieldAuthzDetails)
	case grantDevice, numGrants:
		out = append(out, fieldExtra, fieldResources)
	}
	return append(out, fieldDPoP, fieldTarget)
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
	if opts := id.options(); opts != nil {
		return opts[f.opt[id]]
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
	default:
		n := len(f.focus.options())
		if n == 0 {
			return f
		}
		f.opt[f.focus] = (f.opt[f.focus] + delta + n) % n
		if f.focus == fieldSubjectSource && f.opt[f.focus] < len(subjectSourceType) {
			// The subject token type follows the session token chosen (RFC 8693 §3).
			f.setOption(fieldSubjectType, subjectSourceType[f.opt[f.focus]])
		}
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

// sendsDetails reports whether the grant sends authorization_details (the flows grant table).
func (g grantKind) sendsDetails() bool { return g.spec().AuthorizationDetails }

// detailsProblem is what stops the authorization_details file from being sent, or nil: not read
// yet, or the error ParseAuthorizationDetails (or reading it) gave.
func (f flowForm) detailsProblem() error {
	path := f.value(fieldAuthzDetails)
	if path == "" || !f.grant.sendsDetails() {
		return nil
	}
	if f.detailsPath != path {
		return errors.New("auth details: the file is read when the field is left")
	}
	return f.detailsErr
}

// validate reports the first invalid field.
func (f flowForm) validate() error {
	if v := f.value(fieldMaxAge); v != "" && f.grant == grantAuthCode {
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return fmt.Errorf("max_age %q is not a number of seconds", v)
		}
	}
	if _, err := f.extraParams(); err != nil {
		return err
	}
	if err := f.detailsProblem(); err != nil {
		return err
	}
	switch f.grant {
	case grantPassword:
		if f.value(fieldUsername) == "" {
			return errors.New("the password grant needs a username and a password: type them in the form's username and password fields (e opens the form)")
		}
	case grantJWTBearer:
		return f.jwtAssertionProblem()
	case grantSAMLBearer:
		if f.value(fieldAssertionFile) == "" {
			return errors.New("saml2_bearer: name the SAML 2.0 assertion file (assertion file)")
		}
	case grantTokenExchange:
		if f.opt[fieldSubjectSource] == subjectPasted && f.value(fieldSubjectToken) == "" {
			return errors.New("token_exchange: paste the subject token, or take one from this session")
		}
	case grantCIBA:
		return f.cibaProblem()
	case grantAuthCode, grantClientCredentials, grantDevice, numGrants:
	}
	return nil
}

// jwtAssertionProblem is what stops a JWT bearer request: neither an assertion file nor a subject
// to make one, or a lifetime that is not a duration.
func (f flowForm) jwtAssertionProblem() error {
	if f.value(fieldAssertionFile) != "" {
		return nil
	}
	if f.value(fieldAssertionSubject) == "" {
		return errors.New("jwt_bearer: name an assertion file, or give assertion sub for tokenbench to sign one (RFC 7523 §3)")
	}
	_, err := f.assertionLifetime()
	return err
}

// assertionLifetime is the lifetime typed for the JWT assertion tokenbench signs; 0, MakeAssertion's
// default, when none is.
func (f flowForm) assertionLifetime() (time.Duration, error) {
	v := f.value(fieldAssertionLifetime)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("assertion exp %q is not a lifetime such as 90s, 10m or 1h", v)
	}
	return d, nil
}

// cibaHintFields are the fields that name the user to a backchannel authentication request.
var cibaHintFields = []fieldID{fieldLoginHint, fieldIDTokenHint, fieldLoginHintToken}

// cibaProblem is what stops a backchannel authentication request: no hint naming the user, or more
// than one, or a requested_expiry that is not a lifetime in whole seconds.
func (f flowForm) cibaProblem() error {
	var given []string
	for _, id := range cibaHintFields {
		if f.value(id) != "" {
			given = append(given, id.label())
		}
	}
	// CIBA Core §7.1: exactly one of login_hint_token, id_token_hint and login_hint is required.
	switch len(given) {
	case 0:
		return errors.New("ciba: name the user to authenticate with login_hint (the demo's is demo), id_token_hint or login_hint_token")
	case 1:
	case 2:
		return fmt.Errorf("ciba: %s and %s both name the user; keep exactly one (CIBA Core §7.1)", given[0], given[1])
	default:
		return fmt.Errorf("ciba: %s, %s and %s all name the user; keep exactly one (CIBA Core §7.1)", given[0], given[1], given[2])
	}
	if _, err := f.requestedExpiry(); err != nil {
		return err
	}
	// CIBA Core §10: ping and push come to the client notification endpoint, which tokenbench
	// serves on loopback.
	if e := f.value(fieldNotifyEndpoint); f.value(fieldCIBAMode) != flows.CIBAPoll && (!strings.HasPrefix(e, "http://") || !flows.IsLoopback(e)) {
		return fmt.Errorf("ciba: %s mode needs the client's registered notification endpoint, an http loopback URL tokenbench listens on (http://127.0.0.1:PORT/PATH)", f.value(fieldCIBAMode))
	}
	return nil
}

// requestedExpiry is the lifetime typed for auth_req_id, as plain seconds or a duration; 0, which
// sends none, when none is. CIBA Core §7.1: requested_expiry is a positive integer of seconds.
func (f flowForm) requestedExpiry() (time.Duration, error) {
	v := f.value(fieldRequestedExpiry)
	if v == "" {
		return 0, nil
	}
	text := v
	if _, err := strconv.Atoi(v); err == nil {
		text += "s" // plain seconds; ParseDuration catches an overflow
	}
	d, err := time.ParseDuration(text)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("requested_expiry %q is not a lifetime such as 120, 90s or 5m", v)
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("requested_expiry %q is not a whole number of seconds (CIBA Core §7.1)", v)
	}
	return d, nil
}

// resources are the resource indicators typed (RFC 8707).
func (f flowForm) resources() []string { return strings.Fields(f.value(fieldResources)) }

// config is the client configuration the form asks for, on top of base; dpopKey is the session's
// DPoP key (nil until made).
func (f flowForm) config(base flows.ClientConfig, dpopKey *jose.JSONWebKey) flows.ClientConfig {
	cfg := base
	cfg.Scopes = strings.Fields(f.value(fieldScope))
	cfg.PKCE = pkceChoices[f.pkce]
	extra, _ := f.extraParams()
	details := ""
	if f.detailsProblem() == nil && f.value(fieldAuthzDetails) != "" && f.grant.sendsDetails() {
		details = f.details
	}
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
		if rs := f.resources(); len(rs) > 0 {
			params["resource"] = rs // RFC 8707 §2.1
		}
		if details != "" {
			params.Set("authorization_details", details) // RFC 9396 §3
		}
		cfg.AuthParams = params
		cfg.PAR, cfg.RequestObject = f.on(fieldPAR), f.on(fieldRequestObject)
		cfg.ResponseType, cfg.ResponseMode = f.value(fieldResponseType), f.value(fieldResponseMode)
		if cfg.ResponseType == "code" {
			cfg.ResponseType = ""
		}
		if cfg.ResponseMode == "default" {
			cfg.ResponseMode = ""
		}
	}
	tokenParams := url.Values{}
	for k, vs := range base.TokenParams {
		tokenParams[k] = append([]string(nil), vs...)
	}
	if f.grant != grantAuthCode {
		for k, vs := range extra {
			tokenParams[k] = vs
		}
	}
	if rs := f.resources(); len(rs) > 0 && f.grant != grantTokenExchange && f.grant != grantCIBA {
		tokenParams["resource"] = rs // RFC 8707 §2.2; token exchange and CIBA send their own
	}
	if details != "" && f.grant == grantClientCredentials {
		tokenParams.Set("authorization_details", details) // RFC 9396 §6
	}
	cfg.TokenParams = tokenParams
	if len(cfg.TokenParams) == 0 {
		cfg.TokenParams = nil
	}
	if len(cfg.AuthParams) == 0 {
		cfg.AuthParams = nil
	}
	cfg.DPoP, cfg.DPoPKey = false, nil
	if f.on(fieldDPoP) {
		cfg.DPoP, cfg.DPoPKey = true, dpopKey
	}
	return cfg
}

// cibaParams are the further parameters of a backchannel authentication request: the extra ones,
// resources (RFC 8707) and authorization_details (RFC 9396).
func (f flowForm) cibaParams() url.Values {
	v, _ := f.extraParams()
	if rs := f.resources(); len(rs) > 0 {
		v["resource"] = rs
	}
	if f.detailsProblem() == nil && f.value(fieldAuthzDetails) != "" {
		v.Set("authorization_details", f.details)
	}
	return v
}

// sameConfig compares two configurations on the fields the form edits.
func sameConfig(a, b flows.ClientConfig) bool {
	return reflect.DeepEqual(a.Scopes, b.Scopes) && a.PKCE == b.PKCE &&
		reflect.DeepEqual(a.AuthParams, b.AuthParams) && reflect.DeepEqual(a.TokenParams, b.TokenParams) &&
		a.PAR == b.PAR && a.RequestObject == b.RequestObject && a.ResponseType == b.ResponseType &&
		a.ResponseMode == b.ResponseMode && a.DPoP == b.DPoP && a.DPoPKey == b.DPoPKey
}
