package tui

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/zalando/go-keyring"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

var mockKeyringOnce sync.Once

// useMockKeyring switches go-keyring to its in-memory stand-in for the whole test binary (the
// profiles package serializes the calls into it).
func useMockKeyring() { mockKeyringOnce.Do(keyring.MockInit) }

// testStore is a profile store in a temporary configuration directory, holding ps.
func testStore(t *testing.T, ps ...profiles.Profile) *profiles.Store {
	t.Helper()
	st, err := profiles.Open(filepath.Join(t.TempDir(), "config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if err := st.Add(p); err != nil {
			t.Fatalf("adding %s: %v", p.Name, err)
		}
	}
	return st
}

// acmeProfile and betaProfile are two customer tenants.
func acmeProfile() profiles.Profile {
	return profiles.Profile{
		Name: "acme-prod", Preset: "keycloak", Params: map[string]string{"host": "sso.acme.test", "realm": "acme"},
		ClientID: "acme-web", ClientSecret: "env:ACME_SECRET", Notes: "ticket 4711",
	}
}

func betaProfile() profiles.Profile {
	return profiles.Profile{
		Name: "beta", Issuer: "https://login.beta.test/oauth2/default", ClientID: "beta-cli",
		AuthMethod: flows.AuthNone, RedirectURI: "http://127.0.0.1:0/callback", Scopes: []string{"openid", "email"},
	}
}

// fakeDemo stands in for the built-in provider where none is needed.
func fakeDemo() (Demo, error) {
	return Demo{Name: "demo-basic @ built-in provider", Note: "built-in provider", Config: flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "demo-basic"}}, nil
}

// profilesScrub hides the temporary directory of a store in views.
func profilesScrub(st *profiles.Store) func(string) string {
	dir := filepath.Dir(st.Dir())
	return func(s string) string { return flowScrub(strings.ReplaceAll(s, dir, "$TMP")) }
}

// profilesCommon is a shared context on st, sized w×h, with env for the secrets.
func profilesCommon(st *profiles.Store, env map[string]string, w, h int) *common {
	sec := profiles.NewSecrets()
	sec.Getenv = func(k string) string { return env[k] }
	c := &common{st: newStyles(true), isDark: true, width: w, height: h, now: flowNow, scrub: func(s string) string { return s },
		store: st, secrets: sec, startDemo: fakeDemo}
	if st != nil {
		c.scrub = profilesScrub(st)
	}
	return c
}

// newProfilesScreen builds the screen on c.
func newProfilesScreen(c *common) profilesModel {
	s, _ := newProfiles(c).(profilesModel)
	return s
}

// pUpdate is one Update of the screen, as a pure function.
func pUpdate(s profilesModel, msg tea.Msg) (profilesModel, tea.Cmd) {
	sc, cmd := s.Update(msg)
	return sc.(profilesModel), cmd
}

// pKeys presses each key in turn and returns the last command.
func pKeys(s profilesModel, keys ...string) (profilesModel, tea.Cmd) {
	var cmd tea.Cmd
	for _, k := range keys {
		s, cmd = pUpdate(s, press(k))
	}
	return s, cmd
}

// pType types text, one key per character.
func pType(s profilesModel, text string) profilesModel {
	for _, r := range text {
		s, _ = pUpdate(s, press(string(r)))
	}
	return s
}

// awaitMsg runs cmd (the children of a batch included) on goroutines and returns the first
// message of type T; cursor blinks and spinner ticks are left to themselves.
func awaitMsg[T tea.Msg](t *testing.T, cmd tea.Cmd) T {
	t.Helper()
	ch := make(chan tea.Msg, 64)
	var start func(tea.Cmd)
	start = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			if batch, ok := msg.(tea.BatchMsg); ok {
				for _, cc := range batch {
					start(cc)
				}
				return
			}
			ch <- msg
		}()
	}
	start(cmd)
	deadline := time.After(15 * time.Second)
	for {
		select {
		case msg := <-ch:
			if m, ok := msg.(T); ok {
				return m
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T came", zero)
			return zero
		}
	}
}

// fileText is the profile file as it is on disk.
func fileText(t *testing.T, st *profiles.Store) string {
	t.Helper()
	data, err := os.ReadFile(st.Path())
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

// viewOf is the screen's view without escape codes.
func viewOf(s profilesModel) string { return stripANSI(s.View()) }

// ansiWidth is a line's width in cells.
func ansiWidth(s string) int { return ansi.StringWidth(s) }
