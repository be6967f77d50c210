package flows

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows/untrusted"
)

// Markdown renders the diagnosis as a report to attach to a ticket: a summary, then each area's
// findings with their marks, meaning and what to do, and the explanation of each failure's code.
// The configured client secret is masked wherever it appears, as are secrets in URLs; the report
// holds nothing else secret, since the probes use no user and no real code. What the provider
// said goes through the sanitiser, so that the file carries no escape sequence to a terminal that
// shows it.
func (d Diagnosis) Markdown() []byte {
	var b bytes.Buffer
	b.WriteString("# tokenbench doctor\n\n")
	if d.Issuer != "" {
		fmt.Fprintf(&b, "Issuer: `%s`  \n", untrusted.Line(d.Issuer))
	}
	if d.ClientID != "" {
		fmt.Fprintf(&b, "Client: `%s`  \n", untrusted.Line(d.ClientID))
	}
	fmt.Fprintf(&b, "Run: %s\n\n", d.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	counts := map[FindingStatus]int{}
	for _, f := range d.Findings {
		counts[f.Status]++
	}
	fmt.Fprintf(&b, "%d ✓ · %d ✗ · %d ?\n", counts[FindingOK], counts[FindingFailed], counts[FindingUnknown])
	area := ""
	for _, f := range d.Findings {
		if f.Area != area {
			area = f.Area
			fmt.Fprintf(&b, "\n## %s\n\n", area)
		}
		fmt.Fprintf(&b, "- %s **%s**: %s\n", f.Status.Symbol(), f.Check, untrusted.Line(f.Summary))
		if f.Meaning != "" {
			fmt.Fprintf(&b, "  - What it means: %s\n", untrusted.Line(f.Meaning))
		}
		if f.Action != "" {
			fmt.Fprintf(&b, "  - What to do: %s\n", untrusted.Line(f.Action))
		}
		if ex, ok := assets.Explain(f.Code); ok && f.Status == FindingFailed {
			fmt.Fprintf(&b, "  - `%s`: %s", f.Code, ex.Title)
			if ex.Spec != "" {
				fmt.Fprintf(&b, " (%s)", ex.Spec)
			}
			b.WriteString("\n")
		}
	}
	return []byte(d.mask(b.String()))
}

// mask replaces the configured secrets in s.
func (d Diagnosis) mask(s string) string {
	for _, secret := range d.secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	return s
}

// Redacted returns the diagnosis with the configured secrets masked in every finding, for output
// that leaves the machine (--json into a ticket).
func (d Diagnosis) Redacted() Diagnosis {
	out := d
	out.Findings = make([]Finding, len(d.Findings))
	for i, f := range d.Findings {
		f.Summary, f.Meaning, f.Action = d.mask(f.Summary), d.mask(f.Meaning), d.mask(f.Action)
		out.Findings[i] = f
	}
	return out
}
