package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
	"github.com/tokenbench/tokenbench/profiles"
)

// newProfileCmd is `tokenbench profile` and its subcommands.
func newProfileCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "Manage saved tenant profiles (list, show, add, edit, copy, rm, export, import, presets)",
		Long: `A profile keeps everything needed to run flows against one tenant: its provider (a vendor preset
and its parameters, or an issuer, or endpoints), its client, and the defaults of a run. Use one
with --profile NAME on token, userinfo, introspect, revoke and jwt; flags given beside it
override the profile for that run.

Profiles live in profiles.yaml in $TOKENBENCH_CONFIG_HOME, else $XDG_CONFIG_HOME/tokenbench, else
the system's configuration directory. The client secret never goes in that file: a profile
holds a reference to it, resolved each time it is needed:
  keyring:          the OS keyring (asks for the secret when the profile is added or edited)
  env:NAME          an environment variable
  file:PATH         a file only you can read
  cmd:COMMAND       the output of a command, e.g. cmd:pass show acme/client`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(
		newProfileListCmd(e),
		newProfileShowCmd(e),
		newProfileAddCmd(e),
		newProfileEditCmd(e),
		newProfileCopyCmd(e),
		newProfileRmCmd(e),
		newProfileExportCmd(e),
		newProfileImportCmd(e),
		newProfilePresetsCmd(e),
	)
	return cmd
}

// openStore opens the profile store of this invocation's configuration directory and prints its
// warnings. A file that does not load is an error naming the file and the line.
func openStore(e *env) (*profiles.Store, error) {
	dir, err := profiles.DirFrom(e.getenv)
	if err != nil {
		return nil, err
	}
	s, err := profiles.Open(dir)
	printWarnings(e, s.Warnings())
	if err != nil {
		return nil, storeError(s, err)
	}
	return s, nil
}

// openProfile opens the profile store of this invocation's configuration directory on the named
// profile (profiles.OpenProfile: a large file's other profiles are read when first needed), with
// getProfile's and openStore's errors.
func openProfile(e *env, name string) (*profiles.Store, profiles.Profile, error) {
	dir, err := profiles.DirFrom(e.getenv)
	if err != nil {
		return nil, profiles.Profile{}, err
	}
	s, p, err := profiles.OpenProfile(dir, name)
	printWarnings(e, s.Warnings())
	if err != nil && s.Err() != nil {
		return nil, p, storeError(s, err)
	}
	if err != nil {
		p, err = getProfile(s, name)
	}
	return s, p, err
}

// storeError adds to a file that does not load what the user can do about it.
func storeError(s *profiles.Store, err error) error {
	var le *profiles.LoadError
	if !errors.As(err, &le) {
		return err
	}
	return fmt.Errorf("%w\nThe file is left as it is and nothing is saved until it is fixed; the previous version, if any, is %s", err, s.BackupPath())
}

// printWarnings prints each warning on stderr.
func printWarnings(e *env, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
}

// newSecrets is the secret resolver of this invocation: the OS keyring and its environment.
func newSecrets(e *env) *profiles.Secrets {
	s := profiles.NewSecrets()
	s.Getenv = e.getenv
	return s
}

// getProfile loads the named profile, suggesting a near name when there is none.
func getProfile(s *profiles.Store, name string) (profiles.Profile, error) {
	p, err := s.Get(name)
	if errors.Is(err, profiles.ErrNotFound) {
		msg := err.Error()
		if near := nearNames(name, s.Names()); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, " or ") + "?"
		} else {
			msg += " (tokenbench profile list shows them)"
		}
		return p, errors.New(msg) // the command line was right: the profile is not there (exit 1)
	}
	return p, err
}

// nearNames are the names within two edits of name, or that contain it.
func nearNames(name string, names []string) []string {
	var near []string
	for _, n := range names {
		if levenshtein(strings.ToLower(name), strings.ToLower(n)) <= 2 || (len(name) >= 3 && strings.Contains(n, name)) {
			near = append(near, n)
		}
	}
	return near
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// listEntry is one profile in `profile list --json`: no secret, only the kind of its reference.
type listEntry struct {
	Name       string            `json:"name"`
	Preset     string            `json:"preset,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	Issuer     string            `json:"issuer,omitempty"`
	ClientID   string            `json:"client_id"`
	AuthMethod string            `json:"auth_method,omitempty"`
	Secret     string            `json:"secret,omitempty"`
	Problem    string            `json:"problem,omitempty"`
}

// entryOf summarizes a profile: the issuer and method with the preset filled in.
func entryOf(p *profiles.Profile) listEntry {
	le := listEntry{Name: p.Name, Preset: p.Preset, Params: p.Params, Issuer: p.Issuer, ClientID: p.ClientID, AuthMethod: string(p.AuthMethod), Secret: string(p.ClientSecret.Kind())}
	set, err, problem := p.Review()
	if err == nil {
		le.Issuer, le.AuthMethod = set.Issuer, string(set.AuthMethod)
		if le.Issuer == "" {
			le.Issuer = set.Endpoints.Token
		}
	}
	if le.AuthMethod == "" { // the flows default
		le.AuthMethod = string(flows.AuthNone)
		if p.ClientSecret != "" {
			le.AuthMethod = string(flows.AuthClientSecretBasic)
		}
	}
	if problem != nil {
		le.Problem = problem.Error()
	}
	return le
}

func newProfileListCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the profiles",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			s, err := openStore(e)
			if err != nil {
				return err
			}
			entries := []listEntry{} // [] in JSON when there are none
			for p := range s.All() {
				entries = append(entries, entryOf(&p))
			}
			if asJSON {
				b, err := json.MarshalIndent(entries, "", "  ")
				if err != nil {
					return err
				}
				e.writeBody(b)
				return nil
			}
			if len(entries) == 0 {
				fmt.Fprintf(e.stderr, "No profiles yet in %s. Add one:\n  tokenbench profile add NAME --issuer URL --client-id ID --client-secret-ref keyring:\n  tokenbench profile presets     (vendor presets: okta, keycloak, entra …)\n", s.Path())
				return nil
			}
			printProfileTable(untrusted.NewWriter(e.stdout), entries)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

// printProfileTable prints the profiles as aligned columns.
func printProfileTable(w io.Writer, entries []listEntry) {
	// The table is laid out in memory and written once: tabwriter writes cell by cell, and w may
	// clean every write.
	var table bytes.Buffer
	table.Grow(len(entries) * 128) // a row's usual size: no copies as it grows
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPRESET\tISSUER\tCLIENT ID\tAUTH METHOD\tSECRET")
	var row []byte
	for _, le := range entries {
		name := le.Name
		if le.Problem != "" {
			name += " (!)"
		}
		// Cells are escaped before the columns are measured: an imported profile's client_id may
		// hold escape sequences, tabs or line breaks.
		row = row[:0]
		for i, cell := range [...]string{name, dash(le.Preset), dash(le.Issuer), dash(le.ClientID), dash(le.AuthMethod), dash(le.Secret)} {
			if i > 0 {
				row = append(row, '\t')
			}
			row = append(row, untrusted.Line(cell)...)
		}
		_, _ = tw.Write(append(row, '\n'))
	}
	tw.Flush()
	for _, le := range entries {
		if le.Problem != "" {
			fmt.Fprintf(&table, "(!) %s: %s\n", le.Name, le.Problem)
		}
	}
	_, _ = w.Write(table.Bytes())
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newProfileCopyCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "copy OLD NEW",
		Aliases: []string{"cp"},
		Short:   "Copy a profile under a new name",
		Long:    "Copy a profile under a new name. A secret kept in the OS keyring is shared with the copy\n(its reference becomes keyring:OLD); give the copy its own with profile edit NEW --client-secret-ref keyring:.",
		Args:    usageArgs(cobra.ExactArgs(2)),
		RunE: func(_ *cobra.Command, args []string) error {
			s, err := openStore(e)
			if err != nil {
				return err
			}
			if _, err := getProfile(s, args[0]); err != nil {
				return err
			}
			if err := profiles.ValidateName(args[1]); err != nil {
				return usagef("%v", err)
			}
			if _, err := s.Copy(args[0], args[1]); err != nil {
				if errors.Is(err, profiles.ErrExists) {
					return usagef("%v", err)
				}
				return err
			}
			fmt.Fprintf(e.stderr, "copied profile %s to %s in %s\n", args[0], args[1], s.Path())
			return nil
		},
	}
}

func newProfileRmCmd(e *env) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "rm NAME…",
		Aliases: []string{"remove", "delete"},
		Short:   "Delete profiles (asking first on a terminal)",
		Long:    "Delete profiles. On a terminal each is confirmed (y/N); elsewhere --yes is needed. A secret\nkept in the OS keyring under the profile's name goes too, unless another profile uses it.",
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return removeProfiles(cmd.Context(), e, args, yes)
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}

// removeProfiles deletes the named profiles after checking they all exist and asking.
func removeProfiles(ctx context.Context, e *env, names []string, yes bool) error {
	s, err := openStore(e)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := getProfile(s, n); err != nil {
			return err
		}
	}
	if !yes && !e.stdinIsTerminal {
		return usagef("profile rm: stdin is not a terminal to confirm on; pass --yes to delete without asking")
	}
	in := bufio.NewReader(e.stdin)
	kept := 0
	for _, n := range names {
		if !yes {
			p, _ := s.Get(n)
			ok, err := askYesNo(ctx, e, in, fmt.Sprintf("Delete profile %s (%s)?", n, dash(entryOf(&p).Issuer)))
			if err != nil {
				return err
			}
			if !ok {
				fmt.Fprintf(e.stderr, "kept %s\n", n)
				kept++
				continue
			}
		}
		p, err := s.Delete(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "deleted profile %s\n", n)
		forgetKeyringSecret(ctx, e, s, p)
	}
	if kept > 0 {
		return reportedError{code: exitFailure} // not everything asked for was done; scripts must know
	}
	return nil
}

// forgetKeyringSecret removes a deleted profile's own keyring entry, unless another profile uses
// it; a keyring that cannot be reached is only worth a warning.
func forgetKeyringSecret(ctx context.Context, e *env, s *profiles.Store, p profiles.Profile) {
	ref := p.ClientSecret
	if ref.Kind() != profiles.SecretKeyring || ref.KeyringAccount(p.Name) != p.Name || len(s.UsesKeyringAccount(p.Name, p.Name)) > 0 {
		return
	}
	if err := newSecrets(e).DeleteKeyring(ctx, ref, p.Name); err != nil {
		fmt.Fprintf(e.stderr, "warning: the secret of %s stays in the OS keyring: %v\n", p.Name, err)
		return
	}
	fmt.Fprintf(e.stderr, "removed its client secret from the OS keyring\n")
}

// askYesNo asks a question on stderr and reads y or n; anything else, or nothing, is no.
func askYesNo(ctx context.Context, e *env, in *bufio.Reader, question string) (bool, error) {
	fmt.Fprintf(e.stderr, "%s [y/N] ", question)
	line, err := e.readAsync(ctx, func() (string, error) {
		s, err := in.ReadString('\n')
		if errors.Is(err, io.EOF) {
			err = nil
		}
		return s, err
	})
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
