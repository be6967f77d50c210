package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
	"github.com/tokenbench/tokenbench/profiles"
)

// harOptions are the flags of `tokenbench har`.
type harOptions struct {
	transport transportFlags
	asJSON    bool
	redact    string
	fetchKeys bool
}

// newHARCmd is `tokenbench har FILE`: a customer's browser HAR file read as an OAuth flow.
func newHARCmd(e *env) *cobra.Command {
	o := &harOptions{}
	cmd := &cobra.Command{
		Use:   "har FILE",
		Short: "Read a browser's HAR file as an OAuth / OpenID Connect flow and check it",
		Long: `Reads a HAR 1.2 file as the browsers' developer tools export it (Chrome, Edge, Firefox, Safari,
and tokenbench's own --save-trace), finds the OAuth and OpenID Connect exchanges among everything
else, prints them as a timeline, and checks what the file allows: state and nonce round trips,
PKCE (S256, the verifier), the redirect_uri of the authorization and token requests, RFC 9207 iss,
every error (explained), every token (decoded; its signature checked against a JWKS in the file,
or fetched with --fetch-keys), the code's age when it was redeemed, and cookies a browser would
have dropped. URLs are shown with their secrets masked.

--redact OUT.har writes a copy with every secret masked (cookies, tokens, codes, passwords,
Authorization headers, form fields), safe to forward. The exit status is 0 only when no check
failed.`,
		Example: `  tokenbench har customer-login.har
  tokenbench har customer-login.har --redact customer-login.redacted.har
  tokenbench har customer-login.har --fetch-keys --json`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), e, args[0])
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&o.asJSON, "json", false, "print the timeline, findings and token checks as JSON on stdout")
	fs.StringVar(&o.redact, "redact", "", "write a copy of the file with every secret masked to this file (mode 0600)")
	fs.BoolVar(&o.fetchKeys, "fetch-keys", false, "fetch the provider's JWKS (from the metadata in the file, or the tokens' issuer) to check signatures the file has no keys for")
	o.transport.register(fs)
	return cmd
}

func (o *harOptions) run(ctx context.Context, e *env, path string) error {
	data, err := profiles.ReadUserFile(path, "HAR file", flows.MaxHARBytes)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
		return usagef("%v", err)
	}
	if err != nil {
		return err
	}
	h, err := flows.ReadHAR(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if o.fetchKeys {
		if err := o.verifyWithFetchedKeys(ctx, e, h); err != nil {
			return err
		}
	}
	if o.asJSON {
		if err := writeHARJSON(e, h); err != nil {
			return err
		}
	} else {
		printHAR(e.stdout, path, h)
	}
	if o.redact != "" {
		out, err := flows.RedactHAR(data)
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.redact, out, 0o600); err != nil {
			return fmt.Errorf("--redact: %w", err)
		}
		fmt.Fprintf(e.stderr, "wrote %s: a copy of %s with every secret masked as %s\n", o.redact, path, flows.Redacted)
	}
	for _, f := range h.Findings {
		if f.Status == flows.FindingFailed {
			return errChecksFailed
		}
	}
	return nil
}

// verifyWithFetchedKeys checks the file's tokens again against the provider's JWKS, when the file
// holds none: fetched from the jwks_uri of the metadata in the file, or by discovery from the
// tokens' issuer.
func (o *harOptions) verifyWithFetchedKeys(ctx context.Context, e *env, h *flows.HARFlow) error {
	issuer, jwks := h.Issuer(), h.JWKSURL()
	if h.HasJWKS() {
		fmt.Fprintln(e.stderr, "note: --fetch-keys: the file holds the provider's JWKS, against which its tokens were checked; nothing fetched")
		return nil
	}
	if issuer == "" && jwks == "" {
		fmt.Fprintln(e.stderr, "note: --fetch-keys: the file names no issuer and no jwks_uri, so there are no keys to fetch")
		return nil
	}
	opts, err := o.transport.options(e)
	if err != nil {
		return err
	}
	c, err := flows.NewClient(flows.ClientConfig{Issuer: issuer, Endpoints: flows.Endpoints{JWKS: jwks}}, opts)
	if err != nil {
		return usagef("%v", err)
	}
	fmt.Fprintf(e.stderr, "fetching the keys of %s\n", untrusted.Line(firstNonEmpty(jwks, issuer)))
	h.VerifyTokens(ctx, c.Keys())
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// printHAR prints the flow's timeline, its tokens with their checks, and the findings.
func printHAR(w io.Writer, path string, h *flows.HARFlow) {
	fmt.Fprintf(w, "%s", untrusted.Line(path))
	if h.Creator != "" {
		fmt.Fprintf(w, " (recorded by %s)", untrusted.Line(h.Creator))
	}
	fmt.Fprintf(w, ": %d entries, %d OAuth exchanges\n", len(h.Exchanges), len(h.Steps))
	if len(h.Steps) > 0 {
		fmt.Fprintln(w, "\ntimeline")
		start := h.Steps[0].Exchange.Started
		for _, s := range h.Steps {
			printHARStep(w, s, start)
		}
	}
	for _, t := range h.Tokens {
		checks := make([]flows.Check, len(t.Report.Checks))
		for i, c := range t.Report.Checks {
			c.Detail = untrusted.Line(c.Detail)
			checks[i] = c
		}
		heading := fmt.Sprintf("#%d %s", t.Entry, t.Name)
		if tok := t.Report.Token; tok != nil {
			heading += fmt.Sprintf(" (alg %s, kid %s, sub %s)", untrusted.Line(tok.Alg()), untrusted.Line(orDash(tok.Kid())), untrusted.Line(orDash(tok.ClaimString("sub"))))
		}
		fmt.Fprintln(w)
		printChecks(w, heading, checks)
	}
	printFindings(w, h.Findings)
}

// printHARStep prints one timeline line: offset, entry, kind, method, URL with secrets masked,
// status, and the parameters that tell the story (state, error, the presence of a code).
func printHARStep(w io.Writer, s flows.HARStep, start time.Time) {
	x := s.Exchange.Redact()
	offset := "        "
	if !x.Started.IsZero() && !start.IsZero() {
		offset = fmt.Sprintf("%+7.1fs", x.Started.Sub(start).Seconds())
	}
	u, method, status := x.URL, x.Method, fmt.Sprintf(" → %d", x.Status)
	if s.Redirected {
		// The response rode on a redirect: where it sent the browser, not the request again.
		u, method, status = "Location: "+x.ResponseHeader.Get("Location"), fmt.Sprint(x.Status), ""
	}
	if len(u) > 110 {
		u = u[:110] + "…"
	}
	fmt.Fprintf(w, "  %s  #%-3d %-22s %-4s %s%s\n", offset, s.Entry, s.Kind, method, untrusted.Line(u), status)
	var notes []string
	for _, k := range []string{"code", "state", "iss", "error", "error_description", "grant_type", "response_mode"} {
		if v := s.Params.Get(k); v != "" {
			if k == "code" {
				v = flows.Redacted
			}
			notes = append(notes, k+"="+v)
		}
	}
	if s.Error != nil && s.Params.Get("error") == "" {
		notes = append(notes, "error="+s.Error.Code)
	}
	if len(notes) > 0 {
		fmt.Fprintf(w, "  %s        %s\n", strings.Repeat(" ", 8), untrusted.Line(strings.Join(notes, " ")))
	}
}

// harJSON is what --json prints: the timeline with URLs masked, the findings, the token checks.
type harJSON struct {
	Creator  string          `json:"creator,omitempty"`
	Entries  int             `json:"entries"`
	Steps    []harStepJSON   `json:"steps"`
	Tokens   []harTokenJSON  `json:"tokens"`
	Findings []flows.Finding `json:"findings"`
}

type harStepJSON struct {
	Entry   int       `json:"entry"`
	Kind    string    `json:"kind"`
	Started time.Time `json:"started"`
	Method  string    `json:"method"`
	URL     string    `json:"url"`
	Status  int       `json:"status"`
	Error   string    `json:"error,omitempty"`
}

type harTokenJSON struct {
	Entry  int           `json:"entry"`
	Name   string        `json:"name"`
	Checks []flows.Check `json:"checks"`
}

// writeHARJSON prints the file's steps, tokens and findings as JSON, through untrusted.JSON as every
// JSON the command line prints (see writeBody): the file's strings are the provider's.
func writeHARJSON(e *env, h *flows.HARFlow) error {
	out := harJSON{Creator: h.Creator, Entries: len(h.Exchanges), Steps: []harStepJSON{}, Tokens: []harTokenJSON{}, Findings: h.Findings}
	for _, s := range h.Steps {
		x := s.Exchange.Redact()
		js := harStepJSON{Entry: s.Entry, Kind: s.Kind, Started: x.Started, Method: x.Method, URL: x.URL, Status: x.Status}
		if s.Error != nil {
			js.Error = s.Error.Code
		}
		out.Steps = append(out.Steps, js)
	}
	for _, t := range h.Tokens {
		out.Tokens = append(out.Tokens, harTokenJSON{Entry: t.Entry, Name: t.Name, Checks: t.Report.Checks})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	e.writeBody(b)
	return nil
}
