package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/go-jose/go-jose/v4"
	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/flows"
)

// newDiscoverCmd is `tokenbench discover`: the provider's metadata, what it says it supports and
// the signing keys it publishes; the first thing to look at on a tenant one does not know.
func newDiscoverCmd(e *env) *cobra.Command {
	var f clientFlags
	f.noClientAuth = true
	var keys bool
	cmd := &cobra.Command{
		Use:   "discover",
		Short: "Fetch the provider's metadata and signing keys, and say what it supports",
		Long: `Fetches the provider's metadata (OpenID Connect Discovery, then RFC 8414), checks that it names
the issuer it was fetched for, and prints it on stdout as received. On stderr: where it came from,
the endpoints, what the provider says it supports, and what a careful client would miss (PKCE
S256, the iss parameter of RFC 9207). --keys also fetches the JWKS and lists its keys.`,
		Example: `  tokenbench discover --issuer https://sso.acme.test/realms/main --keys
  tokenbench discover --profile acme-prod > metadata.json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := f.newClient(ctx, e, cmd.Flags(), nil)
			if err != nil {
				return err
			}
			defer f.trace.printer(e).flush(c.Trace)
			if c.Config.Issuer == "" {
				return usagef("discover needs the issuer: give --issuer, or a profile that has one")
			}
			meta, err := c.Discover(ctx)
			if err != nil {
				return err
			}
			printMetadata(e.stderr, meta)
			if keys {
				set, err := c.JWKS(ctx)
				if err != nil {
					return err
				}
				printKeys(e.stderr, set)
			}
			out, err := json.MarshalIndent(meta.Raw(), "", "  ")
			if err != nil {
				return err
			}
			e.writeBody(out)
			return nil
		},
	}
	f.registerProvider(cmd.Flags())
	cmd.Flags().BoolVar(&keys, "keys", false, "also fetch the JWKS and list its keys (kid, type, alg, use)")
	return cmd
}

// printMetadata says where the metadata came from, its endpoints and what it supports.
func printMetadata(w io.Writer, m *flows.Metadata) {
	fmt.Fprintf(w, "metadata from %s\n✓ issuer %s: the one it was fetched for (OpenID Connect Discovery §4.3, RFC 8414 §3.3)\n\nendpoints\n", m.Source, m.Issuer)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, ep := range m.Endpoints.List() {
		if ep.URL != "" {
			fmt.Fprintf(tw, "  %s\t%s\n", ep.Name, ep.URL)
		}
	}
	for _, ep := range m.MTLSEndpointAliases.List() {
		if ep.URL != "" {
			fmt.Fprintf(tw, "  %s (mTLS)\t%s\n", ep.Name, ep.URL)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\nsupports")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name string, values []string) {
		v := strings.Join(values, ", ")
		if v == "" {
			v = "(not advertised)"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, v)
	}
	yesNo := func(b bool) []string {
		if b {
			return []string{"yes"}
		}
		return []string{"no"}
	}
	row("grant types", m.GrantTypes)
	row("response types", m.ResponseTypes)
	row("response modes", m.ResponseModes)
	row("scopes", m.Scopes)
	row("PKCE methods", m.CodeChallengeMethods)
	row("client auth", m.TokenEndpointAuthMethods)
	row("id_token algs", m.IDTokenSigningAlgs)
	row("DPoP algs", rawStrings(m.Raw(), "dpop_signing_alg_values_supported"))
	row("request object algs", m.RequestObjectSigningAlgs)
	row("PAR required", yesNo(m.RequirePAR))
	row("iss in responses", yesNo(m.IssParameterSupported))
	row("cert-bound tokens", yesNo(m.CertificateBoundTokens))
	tw.Flush()
	var notes []string
	if !slices.Contains(m.CodeChallengeMethods, "S256") {
		notes = append(notes, "PKCE S256 is not advertised (code_challenge_methods_supported): the provider may ignore code_challenge; RFC 9700 §2.1.1 expects it")
	}
	if !m.IssParameterSupported && m.Endpoints.Authorization != "" {
		notes = append(notes, "the authorization response carries no iss (RFC 9207): a client talking to several providers cannot detect a mix-up attack from it")
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, "! "+n)
		}
	}
}

// rawStrings is a metadata member that is a list of strings, as received.
func rawStrings(raw map[string]any, name string) []string {
	list, _ := raw[name].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// printKeys lists the keys of a JWKS.
func printKeys(w io.Writer, set *jose.JSONWebKeySet) {
	fmt.Fprintf(w, "\nsigning keys (%d)\n", len(set.Keys))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  KID\tTYPE\tALG\tUSE")
	for _, k := range set.Keys {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", orDash(k.KeyID), keyTypeName(k), orDash(k.Algorithm), orDash(k.Use))
	}
	tw.Flush()
}

// keyTypeName is a key's type and size (RSA 2048, EC P-256, Ed25519).
func keyTypeName(k jose.JSONWebKey) string {
	switch pub := k.Public().Key.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", pub.Size()*8)
	case *ecdsa.PublicKey:
		return "EC " + pub.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", k.Key)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
