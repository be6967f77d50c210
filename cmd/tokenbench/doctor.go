package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
	"github.com/tokenbench/tokenbench/profiles"
)

// doctorOptions are the flags of `tokenbench doctor`.
type doctorOptions struct {
	client      clientFlags
	redirectURI string
	scope       string
	asJSON      bool
	saveReport  string
}

// newDoctorCmd is `tokenbench doctor`: every read-only probe of a tenant, each finding with what it
// means and what to do.
func newDoctorCmd(e *env) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Probe a tenant without a login and say what is wrong, and what to do",
		Long: `Probes the provider and the client's registration without a user login and without changing
anything on the tenant, and reports each finding as ✓ (fine), ✗ (broken) or ? (could not tell, or
worth a look), with what it means and what to do:

  transport     DNS, TCP, TLS (chain, host name, days to expiry, protocol), http→https, a proxy
  discovery     both well-known locations, HTML answered with 200, the issuer, https, required members
  keys          the JWKS, key types and sizes, kids, advertised algorithms, x5c certificate dates
  client        which client authentication the token endpoint accepts for these credentials, found
                with a made-up authorization code (invalid_grant: accepted; invalid_client: refused)
  redirect_uri  whether the authorization endpoint accepts it (prompt=none; never followed)
  features      scopes, PKCE S256, RFC 9207 iss, PAR / DPoP / mTLS advertised versus configured
  clock         skew between this machine and the provider's Date header

The exit status is 0 only when nothing failed, 1 when something did, 2 for a usage error.`,
		Example: `  tokenbench doctor --issuer https://sso.acme.test/realms/main --client-id app --client-secret-file secret.txt
  tokenbench doctor --profile acme-prod --save-report acme-doctor.md
  tokenbench doctor --profile acme-prod --json | jq '.findings[] | select(.status=="failed")'`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), e, cmd.Flags())
		},
	}
	fs := cmd.Flags()
	o.client.register(fs)
	fs.StringVar(&o.redirectURI, "redirect-uri", "", "the redirect URI to check (default: the profile's, else "+profiles.DefaultRedirectURI+")")
	fs.StringVar(&o.scope, "scope", "", "scopes to compare with scopes_supported, space- or comma-separated (default: the profile's, else "+strings.Join(profiles.DefaultUserScopes, " ")+")")
	fs.BoolVar(&o.asJSON, "json", false, "print the findings as JSON on stdout, for scripts (secrets masked)")
	fs.StringVar(&o.saveReport, "save-report", "", "also write the report as Markdown to this file (mode 0600), secrets redacted, to attach to a ticket")
	return cmd
}

func (o *doctorOptions) run(ctx context.Context, e *env, fs *pflag.FlagSet) error {
	o.client.run = profiles.Run{Grant: flows.GrantAuthorizationCode}
	if fs.Changed("scope") {
		o.client.run.Scopes = append([]string{}, splitScopes(o.scope)...)
	}
	c, err := o.client.newClient(ctx, e, fs, func(cfg *flows.ClientConfig) {
		if fs.Changed("redirect-uri") {
			cfg.RedirectURI = o.redirectURI
		}
	})
	if err != nil {
		return err
	}
	defer o.client.trace.printer(e).flush(c.Trace)
	d := flows.Diagnose(ctx, c, flows.DoctorOptions{})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if o.asJSON {
		out, err := json.MarshalIndent(d.Redacted(), "", "  ")
		if err != nil {
			return err
		}
		e.writeBody(out)
	} else {
		printDiagnosis(e.stdout, d)
	}
	if o.saveReport != "" {
		if err := os.WriteFile(o.saveReport, d.Markdown(), 0o600); err != nil {
			return fmt.Errorf("--save-report: %w", err)
		}
		fmt.Fprintf(e.stderr, "saved the report to %s, secrets redacted\n", o.saveReport)
	}
	if !d.OK() {
		return errChecksFailed
	}
	return nil
}

// printDiagnosis prints the findings area by area, then a count.
func printDiagnosis(w io.Writer, d flows.Diagnosis) {
	d = d.Redacted()
	fmt.Fprintf(w, "tokenbench doctor: %s", untrusted.Line(d.Issuer))
	if d.ClientID != "" {
		fmt.Fprintf(w, ", client %s", untrusted.Line(d.ClientID))
	}
	fmt.Fprintln(w)
	printFindings(w, d.Findings)
}

// printFindings prints findings under their area's name, each with its mark, and for those not
// ✓ what it means, what to do and the explanation title of its code; a count closes it. The
// doctor and har commands print through it.
func printFindings(w io.Writer, findings []flows.Finding) {
	area := ""
	counts := map[flows.FindingStatus]int{}
	for _, f := range findings {
		counts[f.Status]++
		if f.Area != area {
			area = f.Area
			fmt.Fprintf(w, "\n%s\n", area)
		}
		fmt.Fprintf(w, "  %s %s: %s\n", f.Status.Symbol(), f.Check, untrusted.Line(f.Summary))
		if f.Status == flows.FindingOK {
			continue
		}
		if f.Meaning != "" {
			fmt.Fprintf(w, "      means: %s\n", untrusted.Line(f.Meaning))
		}
		if f.Action != "" {
			fmt.Fprintf(w, "      do:    %s\n", untrusted.Line(f.Action))
		}
		if ex, ok := assets.Explain(f.Code); ok {
			fmt.Fprintf(w, "      %s: %s (%s)\n", untrusted.Line(f.Code), ex.Title, ex.Spec)
		}
	}
	fmt.Fprintf(w, "\n%d ✓  %d ✗  %d ?\n", counts[flows.FindingOK], counts[flows.FindingFailed], counts[flows.FindingUnknown])
}
