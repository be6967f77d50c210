package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// printError describes a failure on w, the same way for every command:
//
//	error: <code>: <description>
//
// then, when the code has an explanation, its title, meaning, likely causes, what to check and the
// spec. An error without a code is printed as it is.
func printError(w io.Writer, err error) {
	code, ex, ok := flows.Explain(err)
	if code == "" {
		fmt.Fprintf(w, "error: %v\n", err)
		return
	}
	fmt.Fprintf(w, "error: %s: %s\n", code, describe(err))
	if !ok {
		return
	}
	printExplanation(w, ex.Title, ex.Meaning, ex.Causes, ex.Checks, ex.Spec)
}

// printExplanation prints the body of an explanation from assets.
func printExplanation(w io.Writer, title, meaning string, causes, checks []string, spec string) {
	fmt.Fprintf(w, "\n%s\n", title)
	if meaning != "" {
		fmt.Fprintf(w, "%s\n", meaning)
	}
	printBullets(w, "Likely causes:", causes)
	printBullets(w, "Check:", checks)
	if spec != "" {
		fmt.Fprintf(w, "Spec: %s\n", spec)
	}
}

func printBullets(w io.Writer, heading string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "%s\n", heading)
	for _, it := range items {
		fmt.Fprintf(w, "  • %s\n", it)
	}
}

// describe is the error's description without its code: the provider's error_description (with
// where it came from), or a failure's detail, keeping any context the callers wrapped around it.
func describe(err error) string {
	var oe *flows.OAuthError
	if errors.As(err, &oe) {
		d := oe.Description
		if d == "" {
			d = "(no error_description)"
		}
		where := oe.Endpoint
		if oe.Status != 0 {
			where += fmt.Sprintf(", HTTP %d", oe.Status)
		}
		if oe.URI != "" {
			where += ", see " + oe.URI
		}
		if oe.Challenge != "" {
			where += ", WWW-Authenticate: " + oe.Challenge
		}
		return withContext(err, oe, d+" ["+where+"]")
	}
	var fe *flows.Error
	if errors.As(err, &fe) {
		d := fe.Detail
		if d == "" && fe.Err != nil {
			d = fe.Err.Error()
		}
		return withContext(err, fe, d)
	}
	return err.Error()
}

// withContext prefixes desc with what wrappers of inner added to the message ("no token endpoint
// given and discovery failed: …").
func withContext(outer, inner error, desc string) string {
	o, i := outer.Error(), inner.Error()
	if o != i && strings.HasSuffix(o, i) {
		return strings.TrimSuffix(o, i) + desc
	}
	return desc
}

// Check marks, as the table shows them.
var checkMarks = map[flows.CheckStatus]string{
	flows.CheckPass:    "✓ pass",
	flows.CheckFail:    "✗ fail",
	flows.CheckSkipped: "– skipped",
}

// printChecks prints checks as a short table under a heading.
func printChecks(w io.Writer, heading string, checks []flows.Check) {
	printChecksIndented(w, "", heading, checks)
}

// printChecksIndented prints the table with every line indented.
func printChecksIndented(w io.Writer, indent, heading string, checks []flows.Check) {
	if len(checks) == 0 {
		return
	}
	width := 0
	for _, c := range checks {
		width = max(width, utf8.RuneCountInString(c.Name))
	}
	fmt.Fprintf(w, "%s%s:\n", indent, heading)
	for _, c := range checks {
		mark := checkMarks[c.Status]
		if mark == "" {
			mark = string(c.Status)
		}
		detail := strings.TrimPrefix(c.Detail, "skipped: ")
		fmt.Fprintf(w, "%s  %-10s %-*s  %s\n", indent, mark, width, c.Name, detail)
	}
}

// explainFailedChecks prints, after a table, the explanation of each kind of failure in it, once.
func explainFailedChecks(w io.Writer, checks []flows.Check) {
	seen := map[flows.Kind]bool{}
	for _, c := range checks {
		if c.Status != flows.CheckFail || seen[c.Kind] {
			continue
		}
		seen[c.Kind] = true
		printError(w, &flows.Error{Kind: c.Kind, Detail: fmt.Sprintf("the %s check failed: %s", c.Name, c.Detail)})
	}
}

// shorten shows the start of a token and hides the rest: enough to tell tokens apart, too little to
// use one.
func shorten(token string) string {
	const keep = 12
	if token == "" {
		return "(none)"
	}
	if utf8.RuneCountInString(token) <= keep {
		return token
	}
	return string([]rune(token)[:keep]) + "…"
}

// tracePrinter prints a client's HTTP exchanges to stderr, masked unless secrets were asked for.
type tracePrinter struct {
	w           io.Writer
	enabled     bool
	curl        bool
	showSecrets bool
	printed     int
	// save is the file the whole trace is written to (--save-trace), saved the exchanges it holds.
	save  string
	saved int
}

// flush prints the exchanges recorded since the last call, and saves the whole trace when asked.
func (p *tracePrinter) flush(trace *flows.Trace) {
	xs := trace.Exchanges()
	p.saveTrace(trace, len(xs))
	if !p.enabled {
		return
	}
	for _, recorded := range xs[min(p.printed, len(xs)):] {
		x := *recorded
		if !p.showSecrets {
			x = x.Redact()
		}
		step := x.Step
		if step == "" {
			step = "request"
		}
		fmt.Fprintf(p.w, "── #%d %s ──\n%s\n", x.ID, step, x.String())
		if p.curl {
			fmt.Fprintf(p.w, "%s\n\n", x.Curl())
		}
	}
	p.printed = len(xs)
}

// saveTrace writes the trace to the --save-trace file, secrets redacted (HAR 1.2 for a .har name,
// else Markdown), when it holds exchanges the file does not have yet. A command that failed saves
// too: that is the trace a ticket needs.
func (p *tracePrinter) saveTrace(trace *flows.Trace, n int) {
	if p.save == "" || n == p.saved {
		return
	}
	var data []byte
	var err error
	if strings.EqualFold(filepath.Ext(p.save), ".har") {
		data, err = trace.HAR("tokenbench/" + buildVersion())
	} else {
		data = trace.Markdown()
	}
	if err == nil {
		err = profiles.WritePrivateFile(p.save, data)
	}
	if err != nil {
		fmt.Fprintf(p.w, "warning: --save-trace: the trace was not saved: %v\n", err)
		return
	}
	p.saved = n
	fmt.Fprintf(p.w, "saved %d HTTP exchanges to %s, secrets redacted\n", n, p.save)
}

// warnUnverified says on w when no check failed but the signature was not verified: the claims
// are then only what the token says of itself.
func warnUnverified(w io.Writer, what string, r flows.Report) {
	if r.OK() && !r.SignatureVerified() {
		fmt.Fprintf(w, "warning: the %s's signature was NOT verified (see the signature check): nothing in it can be trusted yet\n", what)
	}
}

// explainReport explains a token report's failed checks, first saying plainly what to give when
// the token is encrypted and no decryption key was given.
func explainReport(w io.Writer, r flows.Report) {
	if d, ok := r.Find("decryption"); ok && d.Kind == flows.KindJWENotDecryptable && r.Token != nil {
		fmt.Fprintf(w, "this token is encrypted (JWE alg %s, enc %s): give --decryption-key\n", r.Token.Alg(), r.Token.Enc())
	}
	explainFailedChecks(w, r.Checks)
}
