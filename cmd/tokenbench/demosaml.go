package main

import (
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// newDemoSAMLCmd is `tokenbench demo saml-assertion`: a SAML 2.0 bearer assertion signed by the
// built-in provider's trusted issuer, to try the saml2_bearer grant (RFC 7522) and SAML subject
// tokens (RFC 8693) against `tokenbench demo --serve` without an identity provider of one's own.
func newDemoSAMLCmd(e *env) *cobra.Command {
	var audience, subject, recipient string
	var lifetime time.Duration
	cmd := &cobra.Command{
		Use:   "saml-assertion",
		Short: "Print a SAML 2.0 bearer assertion signed by the built-in provider's trusted issuer",
		Long: `Prints a SAML 2.0 Assertion (XML) for the saml2_bearer grant or a token exchange, signed
(enveloped XML-DSig, RSA-SHA256) by ` + demoidp.TrustedIssuer + `, the one SAML issuer the built-in
provider trusts. --audience is the provider's issuer (or its token endpoint), as the first line of
tokenbench demo --serve prints it; the bearer confirmation's Recipient is that provider's token
endpoint (RFC 7522 §3), unless --recipient says otherwise. The assertion is single use and valid
for --lifetime; the built-in provider accepts at most 10 minutes.`,
		Example: `  tokenbench demo saml-assertion --audience http://127.0.0.1:9000 > assertion.xml
  tokenbench token --issuer http://127.0.0.1:9000 --client-id demo-basic --client-secret … \
    --grant saml2_bearer --assertion assertion.xml`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if audience == "" {
				return usagef("--audience is required: the provider's issuer, as tokenbench demo --serve prints it")
			}
			if u, err := url.Parse(audience); err != nil || u.Scheme == "" || u.Host == "" {
				return usagef("--audience %q is not an absolute URL: give the provider's issuer, as tokenbench demo --serve prints it", audience)
			}
			if lifetime <= 0 {
				return usagef("--lifetime %s: the assertion must be valid for some time", lifetime)
			}
			xml, err := demoidp.SAMLBearerAssertion{NameID: subject, Audience: audience, Recipient: recipient, NotOnOrAfter: time.Now().Add(lifetime)}.Signed()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(e.stdout, "%s\n", xml)
			return err
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&audience, "audience", "", "the provider's issuer or token endpoint (required)")
	fs.StringVar(&subject, "subject", "", "the NameID (default: the demo user, the one user the provider knows)")
	fs.StringVar(&recipient, "recipient", "", "the token endpoint named in the bearer confirmation (default: the audience's token endpoint)")
	fs.DurationVar(&lifetime, "lifetime", 5*time.Minute, "how long the assertion is valid (NotOnOrAfter)")
	return cmd
}
