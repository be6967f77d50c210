package profilescreen

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Tests of the profiles list: filter, delete, the empty and broken stores, copy, import, export,
// open failures, the layout.

var backspace = tea.KeyPressMsg{Code: tea.KeyBackspace}

// TestProfilesFilter: / focuses the filter (the root then types single letters instead of acting
// on them), typing narrows the list as it goes, enter keeps the filter, esc clears it.
func TestProfilesFilter(t *testing.T) {
	t.Parallel()
	st := tuitest.Store(t, tuitest.AcmeProfile(), tuitest.BetaProfile(), profiles.Profile{Name: "acme-staging", Issuer: "https://sso.acme.test/realms/staging", ClientID: "acme-web", AuthMethod: "none"})
	s := newProfilesScreen(profilesCommon(st, nil, 80, 22))
	if len(s.shown) != 3 || s.CapturingText() {
		t.Fatalf("%d shown, capturing %v", len(s.shown), s.CapturingText())
	}
	s, _ = pKeys(s, "/")
	if !s.CapturingText() {
		t.Fatal("/ did not focus the filter")
	}
	s = pType(s, "ACME")
	if len(s.shown) != 2 {
		t.Fatalf("filter ACME: %d shown, want 2", len(s.shown))
	}
	s = pType(s, "-s")
	if r, _ := s.selected(); len(s.shown) != 1 || r.p.Name != "acme-staging" {
		t.Fatalf("filter acme-s: %v", s.shown)
	}
	s = pType(s, "x")
	if len(s.shown) != 0 || !strings.Contains(viewOf(s), "no profile matches") {
		t.Fatalf("filter acme-sx: %d shown\n%s", len(s.shown), viewOf(s))
	}
	s, _ = pUpdate(s, backspace)
	s, _ = pUpdate(s, backspace)
	s, _ = pKeys(s, "enter")
	if s.CapturingText() || len(s.shown) != 2 || s.filter.Value() != "ACME-" {
		t.Fatalf("enter: capturing %v, %d shown, filter %q", s.CapturingText(), len(s.shown), s.filter.Value())
	}
	// By issuer too.
	s, _ = pKeys(s, "esc")
	if len(s.shown) != 3 || s.filter.Value() != "" {
		t.Fatalf("esc did not clear the filter: %d shown", len(s.shown))
	}
	s, _ = pKeys(s, "/")
	s = pType(s, "login.beta")
	if r, _ := s.selected(); len(s.shown) != 1 || r.p.Name != "beta" {
		t.Fatalf("filter by issuer: %v", s.shown)
	}
}

// TestProfilesDeleteConfirm: d asks, any key but y keeps the profile, y deletes it from the file.
func TestProfilesDeleteConfirm(t *testing.T) {
	t.Parallel()
	st := tuitest.Store(t, tuitest.AcmeProfile(), tuitest.BetaProfile())
	s := newProfilesScreen(profilesCommon(st, nil, 80, 22))
	s, _ = pKeys(s, "j", "d")
	if s.mode != modeConfirmDelete || !strings.Contains(viewOf(s), "Delete profile beta?") {
		t.Fatalf("d did not ask:\n%s", viewOf(s))
	}
	s, cmd := pKeys(s, "n")
	if s.mode != modeList || cmd != nil || len(st.List()) != 2 {
		t.Fatalf("n deleted, or stayed: mode %v", s.mode)
	}
	s, cmd = pKeys(s, "d", "y")
	if s.op != opDelete {
		t.Fatalf("y started no delete (op %v)", s.op)
	}
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if s.op != opNone || len(s.all) != 1 || s.all[0].p.Name != "acme-prod" {
		t.Fatalf("after delete: op %v, %d profiles", s.op, len(s.all))
	}
	if strings.Contains(fileText(t, st), "beta") {
		t.Errorf("beta is still in the file:\n%s", fileText(t, st))
	}
	if !strings.Contains(viewOf(s), "deleted beta") {
		t.Errorf("no notice:\n%s", viewOf(s))
	}
}

// TestProfilesEmptyOffersDemoAndPresets: with no profiles the screen is the demo and the presets
// (not an empty list); enter on the demo opens it, enter on a preset opens the form on it.
func TestProfilesEmptyOffersDemoAndPresets(t *testing.T) {
	t.Parallel()
	st := tuitest.Store(t)
	s := newProfilesScreen(profilesCommon(st, nil, 80, 22))
	v := viewOf(s)
	for _, want := range []string{"No profiles yet", "▸ Built-in demo", "Keycloak", "Okta", "Microsoft Entra ID", "From a discovery URL", "Blank profile"} {
		if !strings.Contains(v, want) {
			t.Errorf("the empty state lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "NAME") {
		t.Errorf("the empty state shows an empty table:\n%s", v)
	}
	// Enter on the demo: the built-in provider's client comes back as ClientReadyMsg.
	d, cmd := pKeys(s, "enter")
	if d.op != opDemo {
		t.Fatalf("enter on the demo: op %v", d.op)
	}
	d, cmd = pUpdate(d, tuitest.AwaitMsg[demoStartedMsg](t, cmd))
	ready := tuitest.AwaitMsg[ui.ClientReadyMsg](t, cmd)
	if ready.Config.ClientID != "demo-basic" || ready.Note == "" || d.op != opNone {
		t.Errorf("demo: %+v", ready)
	}
	// A preset: the form opens on it.
	for s.menu.items[s.menu.sel].title != "Keycloak" {
		s, _ = pKeys(s, "j")
	}
	s, _ = pKeys(s, "enter")
	if s.mode != modeForm || s.form.get("preset") != "keycloak" || !s.CapturingText() {
		t.Fatalf("enter on Keycloak: mode %v, preset %q", s.mode, s.form.get("preset"))
	}
	// esc on an untouched form goes back to the offer.
	s, _ = pKeys(s, "esc")
	if s.mode != modeList || !strings.Contains(viewOf(s), "No profiles yet") {
		t.Fatalf("esc: mode %v\n%s", s.mode, viewOf(s))
	}
}

// TestProfilesCorruptStoreRefusesWrites: a profile file that does not load is shown with its error
// and path, offers the demo, and no key writes to it.
func TestProfilesCorruptStoreRefusesWrites(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "config")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	broken := "version: 1\nprofiles:\n  - name: acme\n    client_id: [unclosed\n"
	path := filepath.Join(dir, profiles.FileName)
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := profiles.Open(dir)
	var le *profiles.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Open: %v", err)
	}
	s := newProfilesScreen(profilesCommon(st, nil, 80, 22))
	v := viewOf(s)
	for _, want := range []string{"does not load", "$TMP/config/profiles.yaml:4", "ctrl+l", "Built-in demo"} {
		if !strings.Contains(v, want) {
			t.Errorf("the broken state lacks %q:\n%s", want, v)
		}
	}
	for _, k := range []string{"n", "e", "C", "d", "I", "x", "X"} {
		s2, cmd := pKeys(s, k)
		if cmd != nil || s2.op != opNone || s2.mode != modeList {
			t.Errorf("%s: op %v, mode %v, cmd %v", k, s2.op, s2.mode, cmd != nil)
		}
	}
	// Even a form opened before the file broke is refused by the store.
	if err := st.Put(profiles.Profile{Name: "x", Issuer: "https://x.test", ClientID: "x", AuthMethod: "none"}); err == nil {
		t.Error("the store accepted a write")
	}
	if data, _ := os.ReadFile(path); string(data) != broken {
		t.Errorf("the file changed:\n%s", data)
	}
	// The demo is still offered.
	s, cmd := pKeys(s, "enter")
	if s.op != opDemo {
		t.Fatalf("enter: op %v", s.op)
	}
	_, cmd = pUpdate(s, tuitest.AwaitMsg[demoStartedMsg](t, cmd))
	tuitest.AwaitMsg[ui.ClientReadyMsg](t, cmd)

	// Fixed in an editor, ctrl+l reads it again.
	if err := os.WriteFile(path, []byte("version: 1\nprofiles:\n  - name: acme\n    issuer: https://a.test\n    client_id: a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s = newProfilesScreen(profilesCommon(st, nil, 80, 22))
	s, cmd = pUpdate(s, tea.KeyPressMsg{Code: 'l', Mod: tea.ModCtrl})
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if s.readOnly() || len(s.all) != 1 {
		t.Fatalf("after ctrl+l: read-only %v, %d profiles", s.readOnly(), len(s.all))
	}
}

// TestProfilesCopyImportExport: C copies under a new name; x exports without secrets (0600); i
// imports, and a name clash asks rename / replace / cancel.
func TestProfilesCopyImportExport(t *testing.T) {
	t.Parallel()
	st := tuitest.Store(t, tuitest.AcmeProfile(), tuitest.BetaProfile())
	s := newProfilesScreen(profilesCommon(st, nil, 80, 22))

	s, _ = pKeys(s, "C")
	if s.mode != modeCopyName || s.prompt.Value() != "acme-prod-copy" || !s.CapturingText() {
		t.Fatalf("C: mode %v, %q", s.mode, s.prompt.Value())
	}
	for range len("copy") {
		s, _ = pUpdate(s, backspace)
	}
	s = pType(s, "2")
	s, cmd := pKeys(s, "enter")
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if r, _ := s.selected(); len(s.all) != 3 || r.p.Name != "acme-prod-2" {
		t.Fatalf("copy: %d profiles, selected %s; %v", len(s.all), r.p.Name, s.failure)
	}

	file := filepath.Join(t.TempDir(), "out.yaml")
	s, _ = pKeys(s, "x")
	s.prompt.SetValue(file)
	s, cmd = pKeys(s, "enter")
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export: %v %v (%v)", fi, err, s.failure)
	}
	data, _ := os.ReadFile(file)
	if !strings.Contains(string(data), "acme-prod-2") || strings.Contains(string(data), "ACME_SECRET") || strings.Contains(string(data), "client_secret") {
		t.Errorf("the export:\n%s", data)
	}
	// The same file again: asked before replacing.
	s, _ = pKeys(s, "x")
	s.prompt.SetValue(file)
	s, cmd = pKeys(s, "enter")
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if !errors.Is(s.failure, errExportExists) || s.mode != modeExportPath {
		t.Fatalf("export over a file: %v, mode %v", s.failure, s.mode)
	}
	s, cmd = pKeys(s, "enter")
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if s.failure != nil || s.mode != modeList {
		t.Fatalf("second enter: %v", s.failure)
	}

	// Import the file: acme-prod-2 is taken, so the screen asks.
	s, _ = pKeys(s, "I")
	s = pType(s, file)
	s, cmd = pKeys(s, "enter")
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if s.mode != modeImportClash || !strings.Contains(viewOf(s), "acme-prod-2") {
		t.Fatalf("import: mode %v, %v\n%s", s.mode, s.failure, viewOf(s))
	}
	s, cmd = pKeys(s, "enter") // rename
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	if r, _ := s.selected(); len(s.all) != 4 || r.p.Name != "acme-prod-2-2" {
		t.Fatalf("import renamed: %d profiles, selected %q, %v", len(s.all), r.p.Name, s.failure)
	}
	// And cancel leaves everything as it is.
	s, _ = pKeys(s, "I")
	s = pType(s, file)
	s, cmd = pKeys(s, "enter")
	s, _ = pUpdate(s, tuitest.AwaitMsg[profilesChangedMsg](t, cmd))
	s, _ = pKeys(s, "esc")
	if s.mode != modeList || len(st.List()) != 4 {
		t.Fatalf("cancel: mode %v, %d profiles", s.mode, len(st.List()))
	}
}

// TestProfilesOpenFailureInPlace: a profile whose secret cannot be had is reported on the screen
// with what to do; esc while it resolves cancels and its late answer is dropped.
func TestProfilesOpenFailureInPlace(t *testing.T) {
	t.Parallel()
	st := tuitest.Store(t, tuitest.AcmeProfile())
	s := newProfilesScreen(profilesCommon(st, map[string]string{}, 80, 22))
	s, cmd := pKeys(s, "enter")
	if s.op != opOpen || len(s.ShortHelp()) != 1 {
		t.Fatalf("enter: op %v", s.op)
	}
	s, cmd = pUpdate(s, tuitest.AwaitMsg[ProfileOpenedMsg](t, cmd))
	if cmd != nil || s.failure == nil {
		t.Fatalf("a missing variable opened the profile (%v)", s.failure)
	}
	v := viewOf(s)
	for _, want := range []string{"could not open acme-prod", "ACME_SECRET", "export ACME_SECRET=", "press e"} {
		if !strings.Contains(v, want) {
			t.Errorf("the failure lacks %q:\n%s", want, v)
		}
	}

	// Cancelled: the answer that comes later is dropped.
	s, cmd = pKeys(s, "enter")
	s, _ = pKeys(s, "esc")
	if s.op != opNone || !strings.Contains(viewOf(s), "cancelled") {
		t.Fatalf("esc: op %v", s.op)
	}
	late := tuitest.AwaitMsg[ProfileOpenedMsg](t, cmd)
	late.err = nil
	if _, cmd := pUpdate(s, late); cmd != nil {
		t.Error("a cancelled open still opened the profile")
	}
}

// TestProfilesFitTheBody: in every mode and at small sizes, no line of the screen is wider than the
// body and the screen is no taller: long values are wrapped or cut.
func TestProfilesFitTheBody(t *testing.T) {
	t.Parallel()
	long := tuitest.AcmeProfile()
	long.Name = "a-very-long-profile-name-for-a-customer-tenant"
	long.Notes = strings.Repeat("a note that goes on and on ", 8)
	long.Params["host"] = "sso.a-very-long-customer-domain-name.example.com"
	st := tuitest.Store(t, long, tuitest.BetaProfile())
	for _, size := range [][2]int{{40, 10}, {60, 16}, {80, 22}, {120, 38}} {
		w, h := size[0], size[1]
		s := newProfilesScreen(profilesCommon(st, nil, w, h))
		states := map[string]Model{"list": s}
		states["filter"], _ = pKeys(s, "/")
		states["delete"], _ = pKeys(s, "d")
		states["copy"], _ = pKeys(s, "C")
		states["menu"], _ = pKeys(s, "n")
		states["discovery"], _ = pKeys(states["menu"], "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "j", "enter")
		states["form"], _ = pKeys(s, "e")
		states["form-bottom"] = states["form"]
		for range 30 {
			states["form-bottom"], _ = pKeys(states["form-bottom"], "down")
		}
		s.failure = errors.New(strings.Repeat("a long failure message ", 10))
		states["failure"] = s
		for name, st := range states {
			lines := strings.Split(viewOf(st), "\n")
			if len(lines) > h {
				t.Errorf("%dx%d %s: %d lines", w, h, name, len(lines))
			}
			for _, l := range lines {
				if n := ansiWidth(l); n > w {
					t.Errorf("%dx%d %s: a line of %d cells: %q", w, h, name, n, l)
				}
			}
		}
	}
}
