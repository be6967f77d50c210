package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

func newProfileExportCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "export [NAME…]",
		Short: "Print profiles as YAML for another machine, without their secrets",
		Long: `Print the named profiles (all by default) as YAML on stdout, in the format profile import reads.
Client secret references are left out, a plain secret above all: whoever imports the file sets
their own. The auth method stays, written out when it was inferred from the secret, so that the
imported copy asks for a secret instead of running as a public client.`,
		Example: `  tokenbench profile export acme > acme.yaml
  tokenbench profile export | ssh jumphost tokenbench profile import -`,
		RunE: func(_ *cobra.Command, args []string) error {
			s, err := openStore(e)
			if err != nil {
				return err
			}
			ps := s.List()
			if len(args) > 0 {
				ps = ps[:0]
				for _, n := range args {
					p, err := getProfile(s, n)
					if err != nil {
						return err
					}
					ps = append(ps, p)
				}
			}
			data, err := profiles.Export(ps)
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(data)
			return err
		},
	}
}

// importOptions are the flags of `profile import`.
type importOptions struct {
	rename, replace bool
}

func newProfileImportCmd(e *env) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Add the profiles of a file made by profile export ('-' reads stdin)",
		Long: `Add the profiles of a file made by profile export (or a copy of a profiles.yaml). A profile whose
name is taken is refused, and with it the whole import, unless --rename (it is imported as NAME-2,
NAME-3 …) or --replace; on a terminal you are asked instead (y replaces, n skips it).`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), e, args[0])
		},
	}
	cmd.Flags().BoolVar(&o.rename, "rename", false, "import a profile whose name is taken as NAME-2 (NAME-3 …)")
	cmd.Flags().BoolVar(&o.replace, "replace", false, "replace a profile whose name is taken")
	return cmd
}

func (o *importOptions) run(ctx context.Context, e *env, file string) error {
	if o.rename && o.replace {
		return usagef("give --rename or --replace, not both")
	}
	data, name, err := readImport(ctx, e, file)
	if err != nil {
		return err
	}
	ps, err := profiles.ParseProfiles(name, data)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return fmt.Errorf("%s holds no profiles", name)
	}
	s, err := openStore(e)
	if err != nil {
		return err
	}
	opts := profiles.ImportOptions{OnClash: profiles.ClashRefuse}
	switch {
	case o.rename:
		opts.OnClash = profiles.ClashRename
	case o.replace:
		opts.OnClash = profiles.ClashReplace
	case e.stdinIsTerminal && file != "-":
		if opts.Decisions, err = askClashes(ctx, e, s, ps); err != nil {
			return err
		}
	}
	res, err := s.Import(ps, opts)
	var ce *profiles.ClashError
	switch {
	case errors.As(err, &ce):
		return usagef("%v: import with --rename (as NAME-2 …) or --replace", err)
	case err != nil:
		var fe *profiles.FieldError
		if errors.As(err, &fe) {
			return usageError{fmt.Sprintf("%s: %v", name, err)}
		}
		return err
	}
	reportImport(e, s, res)
	return nil
}

// readImport reads the file, or stdin for '-'.
func readImport(ctx context.Context, e *env, file string) ([]byte, string, error) {
	if file == "-" {
		s, err := e.readAsync(ctx, func() (string, error) {
			b, err := io.ReadAll(io.LimitReader(e.stdin, 16<<20))
			return string(b), err
		})
		return []byte(s), "stdin", err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, file, usagef("%v", err)
	}
	return data, file, nil
}

// askClashes asks, for each profile whose name is taken, whether to replace the one saved.
func askClashes(ctx context.Context, e *env, s *profiles.Store, ps []profiles.Profile) (map[string]profiles.ClashAction, error) {
	decisions := map[string]profiles.ClashAction{}
	in := bufio.NewReader(e.stdin)
	for _, p := range ps {
		if _, err := s.Get(p.Name); err != nil {
			continue
		}
		yes, err := askYesNo(ctx, e, in, fmt.Sprintf("A profile named %s exists. Replace it with the imported one?", p.Name))
		if err != nil {
			return nil, err
		}
		decisions[p.Name] = profiles.ClashSkip
		if yes {
			decisions[p.Name] = profiles.ClashReplace
		}
	}
	return decisions, nil
}

// reportImport says what the import did, and which profiles still need their secret.
func reportImport(e *env, s *profiles.Store, res profiles.ImportResult) {
	var done []string
	if len(res.Added) > 0 {
		done = append(done, "added "+strings.Join(res.Added, ", "))
	}
	for _, r := range res.Renamed {
		done = append(done, fmt.Sprintf("imported %s as %s", r.From, r.To))
	}
	if len(res.Replaced) > 0 {
		done = append(done, "replaced "+strings.Join(res.Replaced, ", "))
	}
	if len(res.Skipped) > 0 {
		done = append(done, "skipped "+strings.Join(res.Skipped, ", "))
	}
	if len(done) == 0 {
		done = append(done, "nothing imported")
	}
	fmt.Fprintf(e.stderr, "%s (in %s)\n", strings.Join(done, "; "), s.Path())
	names := append(append([]string{}, res.Added...), res.Replaced...)
	for _, r := range res.Renamed {
		names = append(names, r.To)
	}
	for _, n := range names {
		p, err := s.Get(n)
		if err != nil {
			continue
		}
		if missingSecret(p.Validate(), p) {
			fmt.Fprintf(e.stderr, "  %s needs its client secret: tokenbench profile edit %s --client-secret-ref keyring: (or env:NAME, file:PATH, cmd:COMMAND)\n", n, n)
		} else if set, err := p.Settings(); err == nil && set.AuthMethod == "" && p.ClientSecret == "" {
			// Exports by earlier versions left out a method inferred from the secret, so a
			// confidential client may arrive looking like a public one.
			fmt.Fprintf(e.stderr, "  %s names no auth method and has no client secret, so it runs as a public client (none); if it is a confidential client, give it both: tokenbench profile edit %s --auth-method client_secret_basic --client-secret-ref keyring:\n", n, n)
		}
		printWarnings(e, p.Warnings())
	}
}

func newProfilePresetsCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "presets [NAME]",
		Short: "List the vendor presets with their parameters (one preset in full with NAME)",
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			ps, err := profiles.Presets()
			if err != nil {
				return err
			}
			if len(args) == 1 {
				p, ok := profiles.LookupPreset(args[0])
				if !ok {
					names := make([]string, len(ps))
					for i, p := range ps {
						names[i] = p.Name
					}
					return usagef("unknown preset %q; known presets: %s", args[0], strings.Join(names, ", "))
				}
				printPreset(e.stdout, p, true)
				return nil
			}
			for i, p := range ps {
				if i > 0 {
					fmt.Fprintln(e.stdout)
				}
				printPreset(e.stdout, p, false)
			}
			return nil
		},
	}
}

// printPreset describes a preset: its parameters, its issuer template, and how to use it; full
// adds the endpoints, defaults and quirks.
func printPreset(w io.Writer, p profiles.Preset, full bool) {
	fmt.Fprintf(w, "%s — %s\n", p.Name, p.Title)
	if full {
		fmt.Fprintf(w, "  %s\n", p.Description)
	}
	fmt.Fprintf(w, "  issuer:     %s\n", p.Issuer)
	if p.Discovery == "" {
		fmt.Fprintf(w, "  discovery:  none: the preset's endpoints are used\n")
	} else if full {
		fmt.Fprintf(w, "  discovery:  %s\n", p.Discovery)
	}
	usage := "tokenbench profile add NAME --preset " + p.Name
	if len(p.Params) == 0 {
		fmt.Fprintf(w, "  parameters: none\n")
	} else {
		fmt.Fprintf(w, "  parameters:\n")
	}
	for _, pp := range p.Params {
		var extra []string
		if pp.Example != "" {
			extra = append(extra, "e.g. "+pp.Example)
		}
		if pp.Default != "" {
			extra = append(extra, "default "+pp.Default)
		}
		if pp.Optional {
			extra = append(extra, "optional")
		}
		fmt.Fprintf(w, "    %-12s %s", pp.Name, pp.Description)
		if len(extra) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(extra, "; "))
		}
		fmt.Fprintln(w)
		if pp.Default == "" && !pp.Optional {
			usage += " --set " + pp.Name + "=" + pp.Example
		}
	}
	if full {
		for _, k := range flows.EndpointNames() {
			if t := p.Endpoints[k]; t != "" {
				fmt.Fprintf(w, "  %-22s %s\n", k+":", t)
			}
		}
	}
	fmt.Fprintf(w, "  defaults:   %s; scopes %s\n", p.AuthMethod, strings.Join(p.Scopes, " "))
	if full {
		if q := quirksText(p.Quirks); q != "" {
			fmt.Fprintf(w, "  quirks:     %s\n", q)
		}
		for _, n := range p.Quirks.Notes {
			fmt.Fprintf(w, "    - %s\n", n)
		}
		if p.Docs != "" {
			fmt.Fprintf(w, "  docs:       %s\n", p.Docs)
		}
	}
	fmt.Fprintf(w, "  add one:    %s --client-id ID --client-secret-ref keyring:\n", usage)
}
