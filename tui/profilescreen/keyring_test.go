package profilescreen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestProfileFormWithoutKeyring: where no OS keyring answers (SSH, a container), a new profile's
// secret goes to a file only its owner can read, the form says why, the secret typed survives a
// change of store, and saving writes it there (mode 0600), never into the profile file.
func TestProfileFormWithoutKeyring(t *testing.T) {
	const secret = "s3cr3t-Without-Keyring"
	st := tuitest.Store(t)
	c := profilesCommon(st, nil, 100, 60)
	c.Secrets = tuitest.Secrets(tuitest.NoKeyring{})
	s := newProfilesScreen(c)
	s, _ = pUpdate(s, tuitest.AwaitMsg[keyringProbedMsg](t, s.Init()))
	if s.keyringErr == nil {
		t.Fatal("the probe found a keyring on a machine without one")
	}
	for i := 0; s.activeMenu()[s.menu.sel].preset.Name != "keycloak"; i++ {
		if i > 30 {
			t.Fatal("no keycloak preset in the menu")
		}
		s, _ = pKeys(s, "j")
	}
	s, _ = pKeys(s, "enter")
	s = pType(s, "sso.acme.test")
	s = focusOn(t, s, "client_id")
	s = pType(s, "acme-web")
	if got := s.form.get("client_secret"); got != "file" {
		t.Fatalf("without a keyring a new profile keeps its secret in %q", got)
	}
	if v := flat(viewOf(s)); !strings.Contains(v, "no OS keyring answers here") || !strings.Contains(v, "usual over SSH or in a container") {
		t.Errorf("the form does not say why:\n%s", viewOf(s))
	}
	path := s.form.get(fieldSecretTarget)
	if filepath.Dir(path) != filepath.Join(filepath.Dir(st.Path()), "secrets") {
		t.Errorf("the default secret file is %q", path)
	}
	if strings.Contains(flat(viewOf(s)), "saving to it will fail") {
		t.Error("the file store is warned about")
	}
	s = focusOn(t, s, fieldSecretValue)
	s = pType(s, secret)
	// The keyring chosen anyway is warned about: saving there would fail.
	s = focusOn(t, s, "client_secret")
	for s.form.get("client_secret") != "keyring" {
		s, _ = pKeys(s, "left")
	}
	if v := flat(viewOf(s)); !strings.Contains(v, "⚠ no OS keyring answers here") || !strings.Contains(v, "saving to it will fail") {
		t.Errorf("the keyring chosen where none answers is not warned about:\n%s", viewOf(s))
	}
	for s.form.get("client_secret") != "file" {
		s, _ = pKeys(s, "right")
	}
	// To env and back: the secret typed is kept.
	s = focusOn(t, s, "client_secret")
	s, _ = pKeys(s, "right")
	if got := s.form.get("client_secret"); got != "cmd" && got != "env" {
		t.Fatalf("→ chose %q", got)
	}
	s, _ = pKeys(s, "left")
	if got := s.form.get(fieldSecretValue); got != secret {
		t.Fatalf("changing the store lost the secret typed: %q", got)
	}
	s, cmd := pUpdate(s, ctrlS)
	if s.op != opSave {
		t.Fatalf("ctrl+s: op %v (%v, %v)", s.op, s.form.saveErr, s.form.err)
	}
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if s.mode != modeList || s.failure != nil {
		t.Fatalf("after saving: mode %v, %v, %v", s.mode, s.failure, s.form.saveErr)
	}
	data, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(data)) != secret {
		t.Fatalf("the secret file holds %q (%v)", data, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("the secret file's mode is %04o", fi.Mode().Perm())
	}
	if file := fileText(t, st); strings.Contains(file, secret) || !strings.Contains(file, "file:"+path) {
		t.Errorf("the profile file:\n%s", file)
	}
	p, _ := st.Get(s.SelectedName())
	if got, err := profiles.NewSecrets().Resolve(t.Context(), p.ClientSecret, p.Name); err != nil || got != secret {
		t.Errorf("the reference resolves to %q, %v", got, err)
	}
}
