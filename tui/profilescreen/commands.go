package profilescreen

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The profiles screen's commands. The store is safe for concurrent use and does its own
// locking; every change re-reads the file under the lock and writes it atomically (profiles.Store).

// profileOpenTimeout bounds resolving a profile: a keyring prompt or a cmd: secret (a password
// manager asking for its passphrase) may take a while, and esc cancels sooner.
const profileOpenTimeout = 2 * time.Minute

// openProfile resolves a profile into a client configuration: its secret (keyring, env, file or
// command), its signing key and TLS files (profiles.Profile.Client).
func openProfile(ctx context.Context, p profiles.Profile, sec *profiles.Secrets, id int) tea.Cmd {
	return func() tea.Msg {
		cfg, opts, err := profiles.Resolve(ctx, p, sec, profiles.Run{})
		msg := ProfileOpenedMsg{reqID: id, name: p.Name, grant: p.Grant, config: cfg, transport: opts, err: err}
		msg.secretWarnings = sec.Warnings()
		msg.warnings = append(p.Warnings(), msg.secretWarnings...)
		msg.label = p.Name
		if host := hostOf(cfg.Issuer); host != "" {
			msg.label += " @ " + host
		}
		return msg
	}
}

// hostOf is a URL's host, or "".
func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Host
	}
	return ""
}

// storeChanged is the message after a change (or an attempt): the store as it is now.
func storeChanged(st *profiles.Store, id int, notice, sel string, err error) profilesChangedMsg {
	return profilesChangedMsg{reqID: id, notice: notice, sel: sel, list: st.List(), loadErr: st.Err(), warnings: st.Warnings(), err: err}
}

// profileSave is what the form asks to save.
type profileSave struct {
	profile profiles.Profile
	// isNew adds the profile (refusing a taken name) rather than replacing it.
	isNew bool
	// secret, when not empty, is stored in the OS keyring under the profile's keyring: reference
	// before the profile is saved; it never goes in the file.
	secret string
	// needKeyring says the profile's method needs the secret its keyring: reference names: when
	// none is typed, the keyring must already hold one.
	needKeyring bool
}

// saveProfile stores the secret in the keyring when one was typed, then saves the profile through
// the store (atomic, locked).
func saveProfile(ctx context.Context, st *profiles.Store, sec *profiles.Secrets, ps profileSave, id int) tea.Cmd {
	return func() tea.Msg {
		p := ps.profile
		fail := func(err error) tea.Msg { return storeChanged(st, id, "", "", err) }
		if p.ClientSecret.Kind() == profiles.SecretKeyring {
			switch {
			case ps.secret != "":
				if err := sec.StoreKeyring(ctx, p.ClientSecret, p.Name, ps.secret); err != nil {
					return fail(&profiles.FieldError{Field: "secret_value", Message: err.Error()})
				}
			case ps.needKeyring:
				ok, err := sec.HasKeyring(ctx, p.ClientSecret, p.Name)
				if err != nil {
					return fail(&profiles.FieldError{Field: "client_secret", Message: err.Error()})
				}
				if !ok {
					return fail(&profiles.FieldError{Field: "secret_value", Message: fmt.Sprintf("the OS keyring holds no secret for account %q yet: type the client secret here, it is stored there (never in the profile file)", p.ClientSecret.KeyringAccount(p.Name))})
				}
			}
		}
		var err error
		if ps.isNew {
			err = st.Add(p)
			if errors.Is(err, profiles.ErrExists) {
				err = &profiles.FieldError{Field: "name", Message: err.Error()}
			}
		} else {
			err = st.Put(p)
		}
		if err != nil {
			return fail(err)
		}
		return storeChanged(st, id, "saved "+p.Name+" in "+st.Path(), p.Name, nil)
	}
}

// deleteProfile deletes a profile and, as `tokenbench profile rm` does, its own keyring entry
// unless another profile uses it; a keyring that cannot be reached only changes the notice.
func deleteProfile(ctx context.Context, st *profiles.Store, sec *profiles.Secrets, name string, id int) tea.Cmd {
	return func() tea.Msg {
		p, err := st.Delete(name)
		if err != nil {
			return storeChanged(st, id, "", "", err)
		}
		notice := "deleted " + name
		ref := p.ClientSecret
		if ref.Kind() == profiles.SecretKeyring && ref.KeyringAccount(p.Name) == p.Name && len(st.UsesKeyringAccount(p.Name, p.Name)) == 0 {
			if err := sec.DeleteKeyring(ctx, ref, p.Name); err != nil {
				notice += "; its secret stays in the OS keyring (" + err.Error() + ")"
			} else {
				notice += " and its secret in the OS keyring"
			}
		}
		return storeChanged(st, id, notice, "", nil)
	}
}

// copyProfile saves a copy of a profile under a new name.
func copyProfile(st *profiles.Store, from, to string, id int) tea.Cmd {
	return func() tea.Msg {
		if _, err := st.Copy(from, to); err != nil {
			return storeChanged(st, id, "", "", err)
		}
		return storeChanged(st, id, "copied "+from+" to "+to, to, nil)
	}
}

// reloadProfiles reads the profile file again (after the user fixed it in an editor).
func reloadProfiles(st *profiles.Store, id int) tea.Cmd {
	return func() tea.Msg {
		err := st.Reload()
		notice := "loaded " + st.Path()
		if err != nil {
			notice = ""
		}
		return storeChanged(st, id, notice, "", nil)
	}
}

// importProfiles reads a profile file and imports it. With no decision yet (onClash nil), names
// already taken make it ask: the message then carries the parsed profiles and the names.
func importProfiles(st *profiles.Store, file string, parsed []profiles.Profile, onClash *profiles.ClashAction, id int) tea.Cmd {
	return func() tea.Msg {
		if parsed == nil {
			data, err := os.ReadFile(profiles.ExpandHome(file))
			if err != nil {
				return storeChanged(st, id, "", "", err)
			}
			if parsed, err = profiles.ParseProfiles(file, data); err != nil {
				return storeChanged(st, id, "", "", err)
			}
			if len(parsed) == 0 {
				return storeChanged(st, id, "", "", fmt.Errorf("%s holds no profile", file))
			}
		}
		opts := profiles.ImportOptions{OnClash: profiles.ClashRefuse}
		if onClash != nil {
			opts.OnClash = *onClash
		}
		res, err := st.Import(parsed, opts)
		var ce *profiles.ClashError
		if errors.As(err, &ce) && onClash == nil {
			msg := storeChanged(st, id, "", "", nil)
			msg.clash = &importClash{file: file, parsed: parsed, clashes: ce.Names}
			return msg
		}
		if err != nil {
			return storeChanged(st, id, "", "", err)
		}
		return storeChanged(st, id, importNotice(file, res), firstImported(res), nil)
	}
}

// importNotice says what an import did.
func importNotice(file string, res profiles.ImportResult) string {
	var parts []string
	if n := len(res.Added); n > 0 {
		parts = append(parts, fmt.Sprintf("added %s", strings.Join(res.Added, ", ")))
	}
	if n := len(res.Replaced); n > 0 {
		parts = append(parts, fmt.Sprintf("replaced %s", strings.Join(res.Replaced, ", ")))
	}
	for _, r := range res.Renamed {
		parts = append(parts, fmt.Sprintf("%s imported as %s", r.From, r.To))
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing imported")
	}
	return "imported " + file + ": " + strings.Join(parts, "; ") + " (give confidential clients their secret with e)"
}

func firstImported(res profiles.ImportResult) string {
	switch {
	case len(res.Added) > 0:
		return res.Added[0]
	case len(res.Renamed) > 0:
		return res.Renamed[0].To
	case len(res.Replaced) > 0:
		return res.Replaced[0]
	}
	return ""
}

// exportProfiles writes profiles, without their secret references, to a file only the user can
// read (0600). An existing file is replaced only when overwrite is set.
func exportProfiles(st *profiles.Store, ps []profiles.Profile, file string, overwrite bool, id int) tea.Cmd {
	return func() tea.Msg {
		data, err := profiles.Export(ps)
		if err != nil {
			return storeChanged(st, id, "", "", err)
		}
		path := profiles.ExpandHome(file)
		err = profiles.WriteUserFile(path, data, overwrite)
		if errors.Is(err, profiles.ErrFileExists) {
			return storeChanged(st, id, "", "", errExportExists)
		}
		if err != nil {
			return storeChanged(st, id, "", "", err)
		}
		names := make([]string, len(ps))
		for i, p := range ps {
			names[i] = p.Name
		}
		return storeChanged(st, id, fmt.Sprintf("exported %s to %s (mode 0600, without client secrets)", strings.Join(names, ", "), path), "", nil)
	}
}

// errExportExists is an export to a file that exists; the screen asks before replacing it.
var errExportExists = errors.New("the file exists: press enter again to replace it, or change the name")

// fetchDiscovery fetches the metadata a discovery URL (or an issuer) points to, with a client of
// its own: this is not the session's traffic.
func fetchDiscovery(ctx context.Context, u string, id int) tea.Cmd {
	return func() tea.Msg {
		c, err := flows.NewClient(flows.ClientConfig{Issuer: u}, flows.TransportOptions{Timeout: 15 * time.Second})
		if err != nil {
			return discoveryFetchedMsg{reqID: id, url: u, err: err}
		}
		meta, err := c.Discover(ctx)
		return discoveryFetchedMsg{reqID: id, url: u, meta: meta, err: err}
	}
}

// startDemo starts the built-in provider (once; the command line closes it when the program
// exits) and returns its ready client.
func startDemo(start func() (ui.Demo, error), id int) tea.Cmd {
	return func() tea.Msg {
		if start == nil {
			return demoStartedMsg{reqID: id, err: errors.New("the built-in provider is not available here: run tokenbench demo")}
		}
		d, err := start()
		return demoStartedMsg{reqID: id, demo: d, err: err}
	}
}
