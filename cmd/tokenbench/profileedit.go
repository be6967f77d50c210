package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"github.com/tokenbench/tokenbench/profiles"
)

func newProfileAddCmd(e *env) *cobra.Command {
	f := &profileFlags{}
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Save a new profile",
		Long: `Save a new profile, after checking it: a preset's missing parameter, a malformed URL, an unknown
auth method, private_key_jwt without a key, or a confidential client without a secret reference is
refused with the field at fault.

With --client-secret-ref keyring: the secret is asked for (masked) on a terminal, or read from
stdin when it is piped, and stored in the OS keyring (service tokenbench, account NAME).`,
		Example: `  tokenbench profile add acme --preset okta --set domain=acme.okta.com --client-id 0oa1b2 --client-secret-ref keyring:
  tokenbench profile add kc --preset keycloak --set host=sso.example.com --set realm=acme --client-id app --client-secret-ref env:KC_SECRET
  tokenbench profile add spa --issuer https://login.example.com --client-id spa --auth-method none --scope "openid profile"
  pass show acme/client | tokenbench profile add acme --issuer https://idp.acme.example --client-id app --client-secret-ref keyring:`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return addProfile(cmd.Context(), e, cmd, f, args[0])
		},
	}
	f.register(cmd.Flags(), false)
	return cmd
}

func newProfileEditCmd(e *env) *cobra.Command {
	f := &profileFlags{}
	cmd := &cobra.Command{
		Use:   "edit NAME",
		Short: "Change a profile: only the flags given change",
		Long: `Change a profile: only the flags given change; --unset FIELD clears a field. The result is checked
as profile add checks a new one.`,
		Example: `  tokenbench profile edit acme --scope "openid profile offline_access"
  tokenbench profile edit acme --client-secret-ref keyring:        (asks for the new secret)
  tokenbench profile edit acme --unset endpoints.token --set server=aus1a2b3`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return editProfile(cmd.Context(), e, cmd, f, args[0])
		},
	}
	f.register(cmd.Flags(), true)
	return cmd
}

// addProfile builds, checks and saves a new profile, storing its secret first when it goes in the
// keyring.
func addProfile(ctx context.Context, e *env, cmd *cobra.Command, f *profileFlags, name string) error {
	if err := profiles.ValidateName(name); err != nil {
		return usagef("%v", err)
	}
	s, err := openStore(e)
	if err != nil {
		return err
	}
	if _, err := s.Get(name); err == nil {
		return usagef("a profile named %q already exists; change it with tokenbench profile edit %s, or remove it first", name, name)
	}
	p := profiles.Profile{Name: name}
	if _, err := f.apply(&p, cmd.Flags()); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return profileFieldError(name, err)
	}
	if err := storeSecretIfKeyring(ctx, e, cmd, p, false); err != nil {
		return err
	}
	if err := s.Add(p); err != nil {
		return err
	}
	afterSave(e, p)
	fmt.Fprintf(e.stderr, "added profile %s to %s\n", name, s.Path())
	return nil
}

// editProfile applies the flags given to a saved profile.
func editProfile(ctx context.Context, e *env, cmd *cobra.Command, f *profileFlags, name string) error {
	s, err := openStore(e)
	if err != nil {
		return err
	}
	p, err := getProfile(s, name)
	if err != nil {
		return err
	}
	before := p.Clone()
	given, err := f.apply(&p, cmd.Flags())
	if err != nil {
		return err
	}
	if !given {
		return usagef("nothing to change: give the flags of the fields to change (tokenbench profile edit --help)")
	}
	if err := p.Validate(); err != nil {
		// An imported profile has no secret reference yet: that alone does not block other edits.
		if !missingSecret(err, p) || !missingSecret(before.Validate(), before) {
			return profileFieldError(name, err)
		}
		fmt.Fprintf(e.stderr, "warning: %v\n", profileFieldError(name, err))
	}
	if err := storeSecretIfKeyring(ctx, e, cmd, p, true); err != nil {
		return err
	}
	if err := s.Put(p); err != nil {
		return err
	}
	afterSave(e, p)
	fmt.Fprintf(e.stderr, "updated profile %s in %s\n", name, s.Path())
	return nil
}

// missingSecret reports whether err is only the missing secret reference of p.
func missingSecret(err error, p profiles.Profile) bool {
	var fe *profiles.FieldError
	return errors.As(err, &fe) && fe.Field == "client_secret" && p.ClientSecret == ""
}

// afterSave warns about what the profile will need and does not have.
func afterSave(e *env, p profiles.Profile) {
	if p.ClientSecret.Kind() == profiles.SecretPlain {
		fmt.Fprintf(e.stderr, "warning: the client secret of %s is kept in clear in the profile file; prefer --client-secret-ref keyring: (or env:, file:, cmd:)\n", p.Name)
	}
	for _, f := range []struct{ field, path string }{
		{"signing key", p.SigningKey}, {"decryption key", p.DecryptionKey}, {"CA file", p.TLS.CAFile}, {"client certificate", p.TLS.ClientCert}, {"client key", p.TLS.ClientKey},
		{"authorization_details file", p.AuthorizationDetails},
	} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(profiles.ExpandHome(f.path)); err != nil {
			fmt.Fprintf(e.stderr, "warning: the %s %s cannot be read yet (%v)\n", f.field, f.path, errors.Unwrap(err))
		}
	}
	if p.ClientSecret.Kind() == profiles.SecretFile {
		if _, err := os.Stat(profiles.ExpandHome(p.ClientSecret.Target())); err != nil {
			fmt.Fprintf(e.stderr, "warning: the secret file %s cannot be read yet\n", p.ClientSecret.Target())
		}
	}
}

// storeSecretIfKeyring asks for the secret and stores it in the OS keyring when
// --client-secret-ref keyring:… was given. An explicit keyring:ACCOUNT that already holds a secret
// may be kept by entering nothing.
func storeSecretIfKeyring(ctx context.Context, e *env, cmd *cobra.Command, p profiles.Profile, editing bool) error {
	if !cmd.Flags().Changed("client-secret-ref") || p.ClientSecret.Kind() != profiles.SecretKeyring {
		return nil
	}
	secrets := newSecrets(e)
	account := p.ClientSecret.KeyringAccount(p.Name)
	exists, err := secrets.HasKeyring(ctx, p.ClientSecret, p.Name)
	if err != nil {
		return err // the keyring is not available: the message offers env:, file:, cmd:
	}
	keep := exists && (p.ClientSecret.Target() != "" || editing)
	prompt := fmt.Sprintf("Client secret of %s (stored in the OS keyring, account %s; input hidden): ", p.Name, account)
	if keep {
		prompt = fmt.Sprintf("Client secret of %s (the OS keyring holds one for account %s: press enter to keep it; input hidden): ", p.Name, account)
	}
	secret, err := readSecret(ctx, e, prompt)
	if err != nil {
		return err
	}
	switch {
	case secret == "" && keep:
		fmt.Fprintf(e.stderr, "kept the client secret already in the OS keyring (account %s)\n", account)
		return nil
	case secret == "":
		return usagef("no client secret given: type it when asked, or pipe it on stdin (e.g. pass show acme | tokenbench profile add …)")
	}
	if err := secrets.StoreKeyring(ctx, p.ClientSecret, p.Name, secret); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "stored the client secret in the OS keyring (service %s, account %s)\n", profiles.KeyringService, account)
	return nil
}

// readSecret reads a secret: masked from the terminal, or from stdin when it is piped (less one
// trailing newline).
func readSecret(ctx context.Context, e *env, prompt string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && e.stdinIsTerminal && term.IsTerminal(f.Fd()) {
		fd := f.Fd()
		state, _ := term.GetState(fd)
		fmt.Fprint(e.stderr, prompt)
		s, err := e.readAsync(ctx, func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		})
		fmt.Fprintln(e.stderr)
		if err != nil && state != nil {
			term.Restore(fd, state) //nolint:errcheck // echo back on after ctrl-c, as far as it goes
		}
		return strings.TrimSpace(s), err
	}
	if e.stdinIsTerminal {
		fmt.Fprint(e.stderr, prompt)
	}
	return e.readAsync(ctx, func() (string, error) {
		b, err := io.ReadAll(io.LimitReader(e.stdin, 64<<10))
		s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		return s, err
	})
}
