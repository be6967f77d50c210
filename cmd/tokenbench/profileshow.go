package main

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tokenbench/tokenbench/flows/untrusted"
	"github.com/tokenbench/tokenbench/profiles"
	"go.yaml.in/yaml/v3"
)

func newProfileShowCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "show NAME",
		Short: "Show a profile, and its settings with the preset filled in (secrets never shown)",
		Args:  usageArgs(cobra.ExactArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			s, err := openStore(e)
			if err != nil {
				return err
			}
			p, err := getProfile(s, args[0])
			if err != nil {
				return err
			}
			return showProfile(untrusted.NewWriter(e.stdout), s.Path(), p)
		},
	}
}

// showProfile prints the profile as YAML, its secret reference masked, then its settings with the
// preset filled in, its quirks, and what is wrong with it, as comments.
func showProfile(w io.Writer, path string, p profiles.Profile) error {
	var n yaml.Node
	q := p.Clone()
	q.ClientSecret = profiles.SecretRef(p.ClientSecret.Masked())
	if err := n.Encode(q); err != nil {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "client_secret" {
			n.Content[i+1].LineComment = secretNote(p)
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return err
	}
	fmt.Fprintf(w, "# profile %s, in %s\n%s", p.Name, path, buf.String())
	set, err := p.Settings()
	if err == nil {
		printSettings(w, p, set)
	}
	if err := p.Validate(); err != nil {
		fmt.Fprintf(w, "#\n# problem: %v\n", err)
	}
	for _, warning := range p.Warnings() {
		fmt.Fprintf(w, "# warning: %s\n", warning)
	}
	return nil
}

// secretNote says where the secret is, never what it is.
func secretNote(p profiles.Profile) string {
	ref := p.ClientSecret
	switch ref.Kind() {
	case profiles.SecretKeyring:
		return fmt.Sprintf("in the OS keyring: service %s, account %s", profiles.KeyringService, ref.KeyringAccount(p.Name))
	case profiles.SecretEnv:
		return "read from the environment at run time"
	case profiles.SecretFile:
		return "read from the file at run time"
	case profiles.SecretCmd:
		return "the command's output at run time"
	case profiles.SecretPlain:
		return "kept in clear in the file (masked here)"
	}
	return ""
}

// printSettings prints what a run uses: the preset's values under the profile's.
func printSettings(w io.Writer, p profiles.Profile, set profiles.Settings) {
	from := "no preset"
	if p.Preset != "" {
		from = "the " + p.Preset + " preset filled in"
	}
	fmt.Fprintf(w, "#\n# settings used (%s, the profile's fields over it):\n", from)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "#   %-22s %s\n", k+":", v)
		}
	}
	row("issuer", set.Issuer)
	missing := false
	for _, e := range set.Endpoints.List() {
		row(e.Name, e.URL)
		missing = missing || e.URL == ""
	}
	noDiscovery := set.Preset != nil && set.Preset.Quirks.NoDiscovery
	if set.Issuer != "" && !noDiscovery && missing {
		row("other endpoints", "from discovery")
	}
	method := string(set.AuthMethod)
	if method == "" {
		method = "client_secret_basic with a secret, none without"
	}
	row("auth method", method)
	row("scopes", strings.Join(set.Scopes, " "))
	row("authorize params", valuesText(set.AuthParams))
	row("token params", valuesText(set.TokenParams))
	row("token headers", headerText(set.TokenHeaders))
	row("authorize request", requestText(p))
	row("DPoP", dpopText(p))
	row("resources", strings.Join(p.Resources, " "))
	row("authorization details", p.AuthorizationDetails)
	if x := set.Preset; x != nil {
		row("quirks", quirksText(x.Quirks))
		for _, note := range x.Quirks.Notes {
			fmt.Fprintf(w, "#   - %s\n", note)
		}
	}
}

// requestText describes how the authorization request is sent and answered.
func requestText(p profiles.Profile) string {
	var parts []string
	if p.PAR {
		parts = append(parts, "pushed (PAR)")
	}
	if p.RequestObject {
		parts = append(parts, "as a signed request object (JAR)")
	}
	if p.ResponseType != "" {
		parts = append(parts, "response_type "+p.ResponseType)
	}
	if p.ResponseMode != "" {
		parts = append(parts, "response_mode "+p.ResponseMode)
	}
	return strings.Join(parts, "; ")
}

// dpopText says whether tokens are bound with DPoP, and to which key.
func dpopText(p profiles.Profile) string {
	switch {
	case p.DPoPKey != "":
		return "on, key " + p.DPoPKey
	case p.DPoP:
		return "on, a key generated for each run"
	}
	return ""
}

func valuesText(v url.Values) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(v)) {
		for _, x := range v[k] {
			parts = append(parts, k+"="+x)
		}
	}
	return strings.Join(parts, " ")
}

func headerText(h http.Header) string {
	var parts []string
	for k, vs := range h {
		parts = append(parts, k+": "+strings.Join(vs, ", "))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// quirksText lists the quirks that differ from the common case.
func quirksText(q profiles.Quirks) string {
	var parts []string
	if q.NoDiscovery {
		parts = append(parts, "no usable discovery")
	}
	if q.DirectAuthorize {
		parts = append(parts, "direct authorize (--proof-jwt)")
	}
	if q.UserInfoSubject != "" && q.UserInfoSubject != "sub" {
		parts = append(parts, "userinfo names the subject "+q.UserInfoSubject)
	}
	if q.LogoutRedirectParam != "" && q.LogoutRedirectParam != "post_logout_redirect_uri" {
		parts = append(parts, "logout redirect parameter "+q.LogoutRedirectParam)
	}
	if !q.LogoutIDTokenHint {
		parts = append(parts, "logout takes no id_token_hint")
	}
	if q.CodeLifetime > 0 {
		parts = append(parts, "codes live "+q.CodeLifetime.String())
	}
	if q.RefreshNeedsOptIn != "" {
		parts = append(parts, "refresh tokens: "+q.RefreshNeedsOptIn)
	}
	return strings.Join(parts, "; ")
}
