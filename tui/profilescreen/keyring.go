package profilescreen

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/profiles"
)

// Where a new profile's secret goes by default. The OS keyring is the first choice, but there is
// usually none over SSH or in a container: the screen asks the keyring once (in a command, when it
// is built) and, when it does not answer, a new profile keeps its secret in a file only its owner
// can read, and the form says why. The secret typed stays typed whatever store is chosen; it is
// stored in the keyring or written to the file when the profile is saved.

// keyringProbeTimeout bounds the probe: a Secret Service that never answers is as good as none.
const keyringProbeTimeout = 5 * time.Second

// keyringProbedMsg is the probe's answer: nil when the OS keyring answers.
type keyringProbedMsg struct{ err error }

// probeKeyring asks the OS keyring whether it answers.
func probeKeyring(sec *profiles.Secrets) tea.Cmd {
	if sec == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), keyringProbeTimeout)
		defer cancel()
		return keyringProbedMsg{err: sec.ProbeKeyring(ctx)} // a timeout is an error too
	}
}

// Init starts the keyring probe.
func (s Model) Init() tea.Cmd { return probeKeyring(s.c.Secrets) }

// newForm opens the form on a new profile, its secret's store following the probe.
func (s Model) newForm(p profiles.Profile) (profileForm, tea.Cmd) {
	f, cmd := newProfileForm(s.c, p, true)
	return f.defaultStore(s.keyringErr, s.secretsDir()), cmd
}

// editForm opens the form on a saved profile; a keyring store is warned about where none answers.
func (s Model) editForm(p profiles.Profile) (profileForm, tea.Cmd) {
	f, cmd := newProfileForm(s.c, p, false)
	f.noKeyring = s.keyringErr
	return f.refresh(), cmd
}

// keyringWarning is the form's warning when the secret is to go to a keyring that did not answer.
func (f profileForm) keyringWarning() string {
	if f.noKeyring == nil || f.get("client_secret") != string(profiles.SecretKeyring) {
		return ""
	}
	return "no OS keyring answers here: saving to it will fail; choose file, env or cmd"
}

// onKeyringProbed keeps the answer; a new profile's form not touched yet follows it.
func (s Model) onKeyringProbed(msg keyringProbedMsg) Model {
	s.keyringErr, s.keyringProbed = msg.err, true
	if s.mode == modeForm && s.form.isNew && !s.form.dirty {
		s.form = s.form.defaultStore(s.keyringErr, s.secretsDir())
	}
	return s
}

// secretsDir is where a new profile's secret file goes by default: beside the profile file.
func (s Model) secretsDir() string {
	if s.c.Store == nil {
		return ""
	}
	return filepath.Join(filepath.Dir(s.c.Store.Path()), "secrets")
}

// defaultStore moves a new profile's secret from the keyring to a file when the keyring does not
// answer (err), saying why beside the choice; it leaves a store the user chose.
func (f profileForm) defaultStore(err error, dir string) profileForm {
	f.noKeyring = err
	i := f.index("client_secret")
	if err == nil || i < 0 || !f.isNew || f.orig.ClientSecret != "" || f.get("client_secret") != string(profiles.SecretKeyring) {
		return f
	}
	ff := f.fields[i]
	for j, k := range ff.choices {
		if k == string(profiles.SecretFile) {
			ff.choice = j
		}
	}
	ff.help = "no OS keyring answers here (" + keyringReason(err) + "): the secret typed below is written to a file only you can read; ←/→ chooses another store"
	f.fields[i] = ff
	if t := f.index(fieldSecretTarget); t >= 0 && f.fields[t].input.Value() == "" && dir != "" {
		name := f.get("name")
		if name == "" {
			name = "client-secret"
		}
		f.fields[t].input.SetValue(filepath.Join(dir, name))
	}
	return f.refresh()
}

// keyringReason is why the keyring did not answer, in a few words.
func keyringReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer within " + keyringProbeTimeout.String()
	}
	return "no Secret Service, usual over SSH or in a container"
}

// writeSecretFile writes a typed secret to a new file only its owner can read (file: store). An
// existing file is left alone: it may hold the secret already.
func writeSecretFile(path, secret string) error {
	path = profiles.ExpandHome(path)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return errors.New(path + " exists: leave the secret empty to use what it holds, or name another file")
		}
		return err
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
