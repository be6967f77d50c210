package profilescreen

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// Tests of the profile form: what it expands as you type, its errors, secrets, edits and settings.

var (
	ctrlS = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	ctrlR = tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl}
)

// flat is a view with its line breaks and runs of spaces made single spaces, to find wrapped text.
func flat(v string) string { return strings.Join(strings.Fields(v), " ") }

// newPresetForm opens the form for a new profile on a preset, from the new-profile menu.
func newPresetForm(t *testing.T, st *profiles.Store, preset string, w, h int) Model {
	t.Helper()
	s := newProfilesScreen(profilesCommon(st, nil, w, h))
	if !s.empty() {
		s, _ = pKeys(s, "n")
	}
	for i := 0; s.activeMenu()[s.menu.sel].preset.Name != preset; i++ {
		if i > 30 {
			t.Fatalf("no preset %s in the menu", preset)
		}
		s, _ = pKeys(s, "j")
	}
	s, _ = pKeys(s, "enter")
	if s.mode != modeForm {
		t.Fatalf("the form did not open (mode %v)", s.mode)
	}
	return s
}

// focusOn moves the form's focus down to field id.
func focusOn(t *testing.T, s Model, id string) Model {
	t.Helper()
	for range len(s.form.fields) + 1 {
		if ff, _ := s.form.focused(); ff.id == id {
			return s
		}
		s, _ = pKeys(s, "down")
	}
	t.Fatalf("no field %s to focus", id)
	return s
}

// clearField deletes the focused field's text.
func clearField(s Model) Model {
	s, _ = pUpdate(s, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	return s
}

// urlOf is the expanded URL labelled label in the form.
func urlOf(f profileForm, label string) string {
	for _, u := range f.urls {
		if u.label == label {
			return u.url
		}
	}
	return ""
}

// TestProfileFormExpandsAsYouType: typing a preset parameter updates the URLs shown below it.
func TestProfileFormExpandsAsYouType(t *testing.T) {
	t.Parallel()
	s := newPresetForm(t, tuitest.Store(t), "keycloak", 120, 40)
	if ff, _ := s.form.focused(); ff.id != "params.host" {
		t.Fatalf("the form starts on %s, not the first parameter", ff.id)
	}
	if got := s.form.get("params.realm"); got != "master" {
		t.Errorf("the realm's default is not prefilled: %q", got)
	}
	v := viewOf(s)
	for _, want := range []string{"the Keycloak host name", "e.g. sso.example.com", "https://{host}/realms/master", "Resolves to"} {
		if !strings.Contains(v, want) {
			t.Errorf("the empty form lacks %q:\n%s", want, v)
		}
	}
	s = pType(s, "sso.acme.test")
	if got := urlOf(s.form, "token"); got != "https://sso.acme.test/realms/master/protocol/openid-connect/token" {
		t.Errorf("token URL %q", got)
	}
	s = focusOn(t, s, "params.realm")
	s = pType(clearField(s), "acme")
	want := map[string]string{
		"issuer":        "https://sso.acme.test/realms/acme",
		"discovery":     "https://sso.acme.test/realms/acme/.well-known/openid-configuration",
		"authorization": "https://sso.acme.test/realms/acme/protocol/openid-connect/auth",
		"jwks":          "https://sso.acme.test/realms/acme/protocol/openid-connect/certs",
	}
	v = viewOf(s)
	for label, u := range want {
		if got := urlOf(s.form, label); got != u {
			t.Errorf("%s: %q, want %q", label, got, u)
		}
		if !strings.Contains(v, u) {
			t.Errorf("the view lacks %s:\n%s", u, v)
		}
	}
	// An issuer override is marked as such.
	s = focusOn(t, s, "issuer")
	s = pType(s, "https://sso.acme.test/realms/other")
	if v := viewOf(s); !strings.Contains(v, "https://sso.acme.test/realms/other (override)") {
		t.Errorf("the override is not shown:\n%s", v)
	}
}

// TestProfileFormShowsErrorsBesideFields: an invalid field shows its error beside it as it is
// typed, and saving is refused while the profile is invalid.
func TestProfileFormShowsErrorsBesideFields(t *testing.T) {
	t.Parallel()
	st := tuitest.Store(t)
	s := newPresetForm(t, st, "keycloak", 100, 40)
	s = pType(s, "bad/host")
	if s.form.errField != "params.host" {
		t.Fatalf("error on %q (%v)", s.form.errField, s.form.err)
	}
	v := viewOf(s)
	hostLine := strings.Index(v, "▸ host")
	errLine := strings.Index(v, "✗ \"bad/host\" cannot be the Keycloak preset's host")
	realmLine := strings.Index(v, "  realm")
	if hostLine < 0 || errLine < hostLine || realmLine < errLine {
		t.Errorf("the error is not under its field:\n%s", v)
	}
	s, cmd := pUpdate(s, ctrlS)
	if cmd != nil || s.op != opNone || !strings.Contains(viewOf(s), "not saved") {
		t.Fatalf("an invalid profile was saved (op %v)", s.op)
	}
	for range len("/host") {
		s, _ = pUpdate(s, backspace)
	}
	// Now the client id is what is missing: the error moves there, and so does ctrl+s.
	if s.form.errField != "client_id" {
		t.Fatalf("error on %q (%v)", s.form.errField, s.form.err)
	}
	s, _ = pUpdate(s, ctrlS)
	if ff, _ := s.form.focused(); ff.id != "client_id" || !strings.Contains(viewOf(s), "✗ missing: the client_id") {
		t.Errorf("ctrl+s on an invalid form focuses %s:\n%s", ff.id, viewOf(s))
	}
	s = pType(s, "acme-web")
	s = focusOn(t, s, "redirect_uri")
	s = pType(s, "https://app.test/cb#frag")
	if s.form.errField != "redirect_uri" || !strings.Contains(flat(viewOf(s)), "a redirect URI must not have a fragment") {
		t.Errorf("redirect URI: %v", s.form.err)
	}
	if fileText(t, st) != "" {
		t.Error("something was written")
	}
}

// TestProfileFormSecretByReference: the client secret is typed masked, stored in the OS keyring,
// and only its reference is written to the profile file; env:NAME and the others are references
// only.
func TestProfileFormSecretByReference(t *testing.T) {
	useMockKeyring()
	const secret = "s3cr3t-Value-42"
	st := tuitest.Store(t)
	s := newPresetForm(t, st, "keycloak", 100, 50)
	s = pType(s, "sso.acme.test")
	s = focusOn(t, s, "name")
	if ff, _ := s.form.focused(); ff.id != "name" {
		s = focusOn(t, s, "name")
	}
	s = pType(clearField(s), "acme-keyring")
	s = focusOn(t, s, "client_id")
	s = pType(s, "acme-web")
	if got := s.form.get("client_secret"); got != "keyring" {
		t.Fatalf("a new profile keeps its secret in %q, not the keyring", got)
	}
	s = focusOn(t, s, fieldSecretValue)
	s = pType(s, secret)
	v := viewOf(s)
	if strings.Contains(v, secret) || !strings.Contains(v, strings.Repeat("•", len(secret))) {
		t.Fatalf("the secret is not masked:\n%s", v)
	}
	s, _ = pUpdate(s, ctrlR)
	if !strings.Contains(viewOf(s), secret) {
		t.Error("ctrl+r did not show the secret")
	}
	s, _ = pUpdate(s, ctrlR)
	if strings.Contains(viewOf(s), secret) {
		t.Error("a second ctrl+r did not mask it again")
	}
	if s.form.err != nil {
		t.Fatalf("the form is invalid: %v", s.form.err)
	}
	s, cmd := pUpdate(s, ctrlS)
	if s.op != opSave {
		t.Fatalf("ctrl+s: op %v (%v)", s.op, s.form.saveErr)
	}
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if s.mode != modeList || s.failure != nil {
		t.Fatalf("after saving: mode %v, %v, %v", s.mode, s.failure, s.form.saveErr)
	}
	if strings.Contains(viewOf(s), secret) {
		t.Error("the secret is on screen after saving")
	}
	file := fileText(t, st)
	if strings.Contains(file, secret) || !strings.Contains(file, "keyring:") {
		t.Errorf("the profile file:\n%s", file)
	}
	if got, err := profiles.OSKeyring().Get(profiles.KeyringService, "acme-keyring"); err != nil || got != secret {
		t.Errorf("the keyring holds %q, %v", got, err)
	}
	p, err := st.Get("acme-keyring")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := profiles.NewSecrets().Resolve(context.Background(), p.ClientSecret, p.Name); err != nil || got != secret {
		t.Errorf("the reference resolves to %q, %v", got, err)
	}

	// The same profile with env:NAME: a reference only, no secret typed or stored.
	s, _ = pKeys(s, "e")
	s = focusOn(t, s, "client_secret")
	s, _ = pKeys(s, "right") // keyring → env
	if got := s.form.get("client_secret"); got != "env" {
		t.Fatalf("right: %q", got)
	}
	if s.form.visible(s.form.index(fieldSecretValue)) {
		t.Error("an env: reference asks for the secret itself")
	}
	s = focusOn(t, s, fieldSecretTarget)
	s = pType(s, "ACME_SECRET")
	s, cmd = pUpdate(s, ctrlS)
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if p, _ := st.Get("acme-keyring"); p.ClientSecret != "env:ACME_SECRET" || s.failure != nil {
		t.Errorf("saved %q (%v)", p.ClientSecret, s.failure)
	}
	for _, f := range []string{st.Path(), st.BackupPath()} {
		if data, _ := os.ReadFile(f); strings.Contains(string(data), secret) {
			t.Errorf("%s holds the secret", f)
		}
	}
}

// TestProfileFormNewKeyringNeedsSecret: a new keyring: reference with nothing typed and nothing in
// the keyring is refused beside the secret field, and nothing is written.
func TestProfileFormNewKeyringNeedsSecret(t *testing.T) {
	useMockKeyring()
	st := tuitest.Store(t)
	s := newPresetForm(t, st, "keycloak", 100, 50)
	s = pType(s, "sso.acme.test")
	s = focusOn(t, s, "name")
	s = pType(clearField(s), "nosecret-in-keyring")
	s = focusOn(t, s, "client_id")
	s = pType(s, "acme-web")
	s, cmd := pUpdate(s, ctrlS)
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if s.mode != modeForm || s.form.saveField != fieldSecretValue || !strings.Contains(flat(viewOf(s)), "type the client secret here") {
		t.Fatalf("mode %v, save error %v on %q\n%s", s.mode, s.form.saveErr, s.form.saveField, viewOf(s))
	}
	if fileText(t, st) != "" {
		t.Error("the profile was written")
	}
}

// TestProfileFormEditKeepsTheRest: editing keeps what the form does not show (auth_params, TLS),
// the name cannot change, and a taken name is refused beside the name field when creating.
func TestProfileFormEditKeepsTheRest(t *testing.T) {
	t.Parallel()
	p := tuitest.BetaProfile()
	p.AuthParams = url.Values{"prompt": {"login"}}
	st := tuitest.Store(t, p)
	s := newProfilesScreen(profilesCommon(st, nil, 100, 40))
	s, _ = pKeys(s, "e")
	if s.mode != modeForm || s.form.isNew || !s.form.fields[s.form.index("name")].fixed {
		t.Fatalf("e: mode %v", s.mode)
	}
	if !strings.Contains(viewOf(s), "auth_params") {
		t.Errorf("the fields kept are not named:\n%s", viewOf(s))
	}
	s = focusOn(t, s, "notes")
	s = pType(s, "moved to the new tenant")
	s, _ = pKeys(s, "up")
	s, cmd := pUpdate(s, ctrlS)
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	got, _ := st.Get("beta")
	if got.Notes != "moved to the new tenant" || got.AuthParams.Get("prompt") != "login" || got.ClientID != "beta-cli" {
		t.Errorf("saved %+v (%v)", got, s.form.saveErr)
	}

	// A new blank profile named like an existing one.
	s, _ = pKeys(s, "n")
	for s.activeMenu()[s.menu.sel].kind != menuBlank {
		s, _ = pKeys(s, "j")
	}
	s, _ = pKeys(s, "enter")
	s = focusOn(t, s, "name")
	s = pType(clearField(s), "beta")
	s = focusOn(t, s, "issuer")
	s = pType(s, "https://login.beta.test")
	s = focusOn(t, s, "client_id")
	s = pType(s, "other")
	s = focusOn(t, s, "client_secret")
	s, _ = pKeys(s, "left") // keyring → none
	s = focusOn(t, s, "auth_method")
	for s.form.get("auth_method") != "none" {
		s, _ = pKeys(s, "right")
	}
	s, cmd = pUpdate(s, ctrlS)
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if s.mode != modeForm || s.form.saveField != "name" || !strings.Contains(viewOf(s), "already exists") {
		t.Errorf("a taken name: mode %v, %v on %q", s.mode, s.form.saveErr, s.form.saveField)
	}
	// esc with changes asks first.
	s, _ = pKeys(s, "esc")
	if s.mode != modeForm || !strings.Contains(viewOf(s), "esc again discards") {
		t.Fatalf("the first esc left the form")
	}
	s, _ = pKeys(s, "esc")
	if s.mode != modeList || len(st.List()) != 1 {
		t.Errorf("mode %v, %d profiles", s.mode, len(st.List()))
	}
}

// TestProfileFormKeepsUnknownChoices: a value the form does not offer (a newer version's preset)
// stays as it is when the profile is edited, and validation names it.
func TestProfileFormKeepsUnknownChoices(t *testing.T) {
	t.Parallel()
	s := newProfilesScreen(profilesCommon(tuitest.Store(t), nil, 100, 40))
	var cmd tea.Cmd
	s.form, cmd = newProfileForm(s.c, profiles.Profile{Name: "x", Preset: "newvendor", ClientID: "c", Grant: "urn:new:grant"}, false)
	_ = cmd
	if s.form.get("preset") != "newvendor" || s.form.get("grant") != "urn:new:grant" {
		t.Errorf("preset %q, grant %q", s.form.get("preset"), s.form.get("grant"))
	}
	if s.form.errField != "preset" {
		t.Errorf("error on %q: %v", s.form.errField, s.form.err)
	}
}

// TestProfileFormRequestSettings: the form shows a profile's PAR, request object, response type and
// mode, DPoP, resources and authorization_details, validates them as they are typed, and saves them.
func TestProfileFormRequestSettings(t *testing.T) {
	t.Parallel()
	p := tuitest.BetaProfile()
	p.DPoP, p.ResponseMode = true, "form_post"
	p.Resources = []string{"https://api.beta.test/"}
	st := tuitest.Store(t, p)
	s := newProfilesScreen(profilesCommon(st, nil, 100, 60))
	s, _ = pKeys(s, "e")
	if s.mode != modeForm {
		t.Fatalf("e: mode %v", s.mode)
	}
	s = focusOn(t, s, "par")
	view := flat(viewOf(s))
	for _, want := range []string{"Authorization request and token binding", "PAR", "request object", "response type", "response mode", "form_post", "DPoP", "https://api.beta.test/", "auth details"} {
		if !strings.Contains(view, want) {
			t.Errorf("the form lacks %q:\n%s", want, viewOf(s))
		}
	}
	s, _ = pKeys(s, "right") // PAR off → on
	s = focusOn(t, s, "response_type")
	for s.form.get("response_type") != "code id_token" {
		s, _ = pKeys(s, "right")
	}
	s = focusOn(t, s, "resources")
	s = pType(s, " api")
	if s.form.errField != "resources" || !strings.Contains(flat(viewOf(s)), "not an absolute URI") {
		t.Fatalf("a relative resource is not refused beside its field: %q %v\n%s", s.form.errField, s.form.err, viewOf(s))
	}
	s, _ = pKeys(s, "backspace", "backspace", "backspace")
	s = pType(s, "urn:beta:ledger")
	if s.form.err != nil {
		t.Fatalf("still refused: %v", s.form.err)
	}
	s, cmd := pUpdate(s, ctrlS)
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	got, _ := st.Get("beta")
	if !got.PAR || got.RequestObject || !got.DPoP || got.ResponseType != "code id_token" || got.ResponseMode != "form_post" ||
		!slices.Equal(got.Resources, []string{"https://api.beta.test/", "urn:beta:ledger"}) {
		t.Errorf("saved %+v (%v)", got, s.form.saveErr)
	}
}

// TestProfileFormHeadersAndDelivery: the form shows and saves a profile's token headers (values
// with spaces, so "|" separates them), its request object delivery and its CIBA delivery mode and
// notification endpoint.
func TestProfileFormHeadersAndDelivery(t *testing.T) {
	t.Parallel()
	p := tuitest.BetaProfile()
	p.TokenHeaders = []string{"X-Gateway-Key: abc def"}
	st := tuitest.Store(t, p)
	s := newProfilesScreen(profilesCommon(st, nil, 100, 60))
	s, _ = pKeys(s, "e")
	s = focusOn(t, s, "token_headers")
	if got := s.form.get("token_headers"); got != "X-Gateway-Key: abc def" {
		t.Fatalf("token headers shown as %q", got)
	}
	s = pType(s, " | X-Tenant: acme")
	s = focusOn(t, s, "request_object_by")
	for s.form.get("request_object_by") != "reference" {
		s, _ = pKeys(s, "right")
	}
	s = focusOn(t, s, "ciba_mode")
	for s.form.get("ciba_mode") != "ping" {
		s, _ = pKeys(s, "right")
	}
	s = focusOn(t, s, "ciba_notification_endpoint")
	s = pType(s, "http://127.0.0.1:8765/ciba")
	if s.form.err != nil {
		t.Fatalf("refused: %v", s.form.err)
	}
	s, cmd := pUpdate(s, ctrlS)
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	got, _ := st.Get("beta")
	if !slices.Equal(got.TokenHeaders, []string{"X-Gateway-Key: abc def", "X-Tenant: acme"}) || got.RequestObjectBy != "reference" ||
		got.CIBAMode != "ping" || got.CIBANotificationEndpoint != "http://127.0.0.1:8765/ciba" {
		t.Errorf("saved headers %q, request object by %q, CIBA %q %q (%v)", got.TokenHeaders, got.RequestObjectBy, got.CIBAMode, got.CIBANotificationEndpoint, s.form.saveErr)
	}
}

// TestAbsKeyPath: a key file named relative to where the TUI runs is saved absolute; home-relative
// and absolute paths are kept as typed.
func TestAbsKeyPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"":               "",
		"keys/rsa.pem":   filepath.Join(wd, "keys", "rsa.pem"),
		"~/keys/rsa.pem": "~/keys/rsa.pem",
		"/etc/rsa.pem":   "/etc/rsa.pem",
	} {
		if got := absKeyPath(in); got != want {
			t.Errorf("absKeyPath(%q) = %q, want %q", in, got, want)
		}
	}
}
