package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/spf13/cobra"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
)

// jwtOptions are the flags of `tokenbench jwt`.
type jwtOptions struct {
	issuer   string
	jwks     string
	audience string
	nonce    string
	clientID string
	// decryptionKey is the file of the private key that decrypts an encrypted token (JWE).
	decryptionKey string
	asJSON        bool
	transport     transportFlags
	trace         traceFlags
	// profile names a saved profile that supplies the issuer, client_id, JWKS, decryption key and
	// TLS settings; profileTLS and profileKey hold its transport options and decryption key once read.
	profile    string
	profileTLS *flows.TransportOptions
	profileKey *jose.JSONWebKey
}

func newJWTCmd(e *env) *cobra.Command {
	o := &jwtOptions{}
	cmd := &cobra.Command{
		Use:   "jwt [TOKEN | -]",
		Short: "Decode a JWT, and verify it against a JWKS",
		Long: `Decode a JWT and check it: header and claims, times as dates, and every check with why.

The token is the argument, or stdin with '-' or when stdin is not a terminal. With --issuer
(discovery, then its JWKS) or --jwks (a URL or a file) the signature is verified; without, that
check is skipped, which alone does not fail the command. The exit status is 1 when a check fails
or the input is not a JWT.`,
		Example: `  tokenbench jwt eyJhbGciOi…
  pbpaste | tokenbench jwt --issuer https://idp.example.com --client-id app
  tokenbench jwt --jwks jwks.json --json - < token.txt`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.applyProfile(cmd.Context(), e, cmd.Flags()); err != nil {
				return err
			}
			return o.run(cmd.Context(), e, args)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.profile, "profile", "", "take the issuer, client_id, JWKS, decryption key and TLS settings from a saved profile; the flags given override it")
	fs.StringVar(&o.issuer, "issuer", "", "the expected issuer; its discovery document's JWKS verifies the signature")
	fs.StringVar(&o.jwks, "jwks", "", "a JWKS to verify the signature with: a URL or a file")
	fs.StringVar(&o.audience, "audience", "", "the audience the aud claim must contain")
	fs.StringVar(&o.nonce, "nonce", "", "the nonce the token must carry")
	fs.StringVar(&o.clientID, "client-id", "", "the client_id: the audience when --audience is not given, and the expected azp")
	fs.StringVar(&o.decryptionKey, "decryption-key", "", "private key (PEM or JWK file, RSA or EC) that decrypts an encrypted token (JWE); the token inside is then checked")
	fs.BoolVar(&o.asJSON, "json", false, `print {"header": …, "claims": …, "checks": […]} as JSON`)
	o.transport.register(fs)
	o.trace.register(fs)
	return cmd
}

func (o *jwtOptions) run(ctx context.Context, e *env, args []string) error {
	raw, err := o.input(ctx, e, args)
	if err != nil {
		return err
	}
	j, err := flows.DecodeJWT(raw)
	if err != nil {
		return err
	}
	keys, c, err := o.keySource(e)
	if err != nil {
		return err
	}
	if c != nil {
		trace := o.trace.printer(e)
		defer trace.flush(c.Trace)
	}
	aud := o.audience
	if aud == "" {
		aud = o.clientID
	}
	exp := flows.Expect{Issuer: strings.TrimSpace(o.issuer), Audience: aud, AuthorizedParty: o.clientID, Nonce: o.nonce}
	if c != nil && exp.Issuer != "" {
		fromDiscovery(ctx, e, c, &exp)
	}
	if exp.DecryptionKey, err = readKeyFlag("decryption-key", o.decryptionKey, flows.ParseSigningKey); err != nil {
		return err
	}
	if exp.DecryptionKey == nil {
		exp.DecryptionKey = o.profileKey
	}
	now := time.Now()
	report := flows.Verify(ctx, raw, keys, exp, now, flows.DefaultSkew)
	if report.Encrypted != nil {
		j = report.Token // decrypted: the signed token inside is what is shown
	}
	if o.asJSON {
		err = writeJWTJSON(e, j, report)
	} else {
		writeJWTText(untrusted.NewWriter(e.stdout), j, report, now)
	}
	if err != nil {
		return err
	}
	if !report.OK() {
		explainReport(e.stderr, report)
		return errChecksFailed
	}
	warnUnverified(e.stderr, "token", report)
	return nil
}

// input is the token: the argument, or stdin for '-' or when stdin is a pipe or file.
func (o *jwtOptions) input(ctx context.Context, e *env, args []string) (string, error) {
	switch {
	case len(args) == 1 && args[0] != "-":
		return args[0], nil
	case len(args) == 0 && e.stdinIsTerminal:
		return "", usagef("no token: give it as an argument, or pipe it on stdin")
	}
	return e.readAll(ctx)
}

// keySource is what verifies the signature: the JWKS given, the issuer's, or nothing. The client is
// returned when one is used, for its trace.
func (o *jwtOptions) keySource(e *env) (flows.KeySource, *flows.Client, error) {
	if o.jwks == "" && o.issuer == "" {
		return nil, nil, nil
	}
	if o.jwks != "" && !isHTTPURL(o.jwks) {
		data, err := os.ReadFile(o.jwks)
		if err != nil {
			return nil, nil, usagef("--jwks: %v", err)
		}
		keys, err := flows.ParseStaticKeys(data, o.jwks)
		return keys, nil, err
	}
	opts, err := o.transport.options(e)
	if err != nil {
		return nil, nil, err
	}
	if t := o.profileTLS; t != nil {
		opts.ClientCertificates = t.ClientCertificates
		if len(opts.CABundle) == 0 {
			opts.CABundle = t.CABundle
		}
		opts.Insecure = opts.Insecure || t.Insecure
	}
	c, err := flows.NewClient(flows.ClientConfig{Issuer: strings.TrimSpace(o.issuer), ClientID: o.clientID}, opts)
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	if o.jwks != "" {
		return flows.RemoteKeys(c, o.jwks), c, nil
	}
	return c.Keys(), c, nil
}

// fromDiscovery fills in what the issuer's discovery tells about the provider, as the token command
// has it from the token response: the algorithms it signs with (id_token_signing_alg_values_supported,
// OpenID Connect Discovery §3), for the alg check, and the Date header of the discovery answer, for
// the clock_skew check. When discovery fails, stderr says which checks go without.
func fromDiscovery(ctx context.Context, e *env, c *flows.Client, exp *flows.Expect) {
	meta, err := c.Discover(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "note: discovery of %s failed, so the alg check cannot use the provider's advertised algorithms and the clock difference is not measured: %v\n", exp.Issuer, err)
		return
	}
	exp.AllowedAlgs = meta.IDTokenSigningAlgs
	for _, x := range slices.Backward(c.Trace.Exchanges()) {
		if d, err := http.ParseTime(x.ResponseHeader.Get("Date")); err == nil && x.Step == "discovery" {
			exp.ServerDate, exp.ReceivedAt = d, x.Started.Add(x.Duration)
			return
		}
	}
}

func isHTTPURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// jwtJSON is the shape of --json. For a decrypted token, header and claims are the signed token's
// inside, and encrypted_header is the JWE's.
type jwtJSON struct {
	Kind            string          `json:"kind"`
	EncryptedHeader json.RawMessage `json:"encrypted_header,omitempty"`
	Header          json.RawMessage `json:"header"`
	Claims          json.RawMessage `json:"claims"`
	Checks          []checkJSON     `json:"checks"`
}

type checkJSON struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Kind   string `json:"kind,omitempty"`
}

// writeJWTJSON prints the header and claims as received (through untrusted.JSON, see writeBody)
// and the checks.
func writeJWTJSON(e *env, j *flows.JWT, r flows.Report) error {
	out := jwtJSON{Kind: string(j.Kind), Header: j.HeaderJSON, Claims: json.RawMessage("null"), Checks: []checkJSON{}}
	if j.Payload != nil {
		out.Claims = j.Payload
	}
	if r.Encrypted != nil {
		out.EncryptedHeader = r.Encrypted.HeaderJSON
	}
	for _, c := range r.Checks {
		out.Checks = append(out.Checks, checkJSON{Name: c.Name, Status: string(c.Status), Detail: c.Detail, Kind: string(c.Kind)})
	}
	marshal := func(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }
	if jsonDepth(out.Header) > maxIndentDepth || jsonDepth(out.Claims) > maxIndentDepth {
		marshal = json.Marshal // indented, the output would grow with the square of the depth
	}
	b, err := marshal(out)
	if err != nil {
		return err
	}
	e.writeBody(b)
	return nil
}

// writeJWTText prints the token for a person: header, claims with their times as dates, checks.
func writeJWTText(w io.Writer, j *flows.JWT, r flows.Report, now time.Time) {
	switch {
	case r.Encrypted != nil:
		fmt.Fprintf(w, "JWE (encrypted token, alg %s, enc %s), decrypted: inside, a JWS (signed token, alg %s)\n\n", r.Encrypted.Alg(), r.Encrypted.Enc(), j.Alg())
		fmt.Fprintf(w, "Encrypted header:\n%s\n\n", indentJSON(r.Encrypted.HeaderJSON))
	case j.Kind == flows.JWTKindJWE:
		fmt.Fprintf(w, "JWE (encrypted token, alg %s, enc %s): its claims cannot be read without the decryption key.\n\n", j.Alg(), j.Enc())
	default:
		fmt.Fprintf(w, "JWS (signed token, alg %s)\n\n", j.Alg())
	}
	fmt.Fprintf(w, "Header:\n%s\n", indentJSON(j.HeaderJSON))
	if j.Payload != nil {
		if d := jsonDepth(j.Payload); d > maxIndentDepth {
			fmt.Fprintf(w, "\nnote: the claims are nested %d levels deep, more than the %d printed indented: they are printed on one line, cut at %d characters (--json prints them whole)\n", d, maxIndentDepth, untrusted.MaxLine)
		}
		fmt.Fprintf(w, "\nClaims:\n%s\n", annotateTimes(indentJSON(j.Payload), j, now))
	}
	fmt.Fprintln(w)
	printChecks(w, "Checks", r.Checks)
}

// indentJSON pretty-prints JSON, keeping the members in the order received.
func indentJSON(b []byte) string {
	var buf bytes.Buffer
	if jsonDepth(b) > maxIndentDepth {
		// Indented, each level adds two spaces to every line below it: the output would grow with
		// the square of the depth (a 24 KB token nested 9,000 deep became 162 MB). Compact, it is
		// no larger than its input.
		if json.Compact(&buf, b) == nil {
			return buf.String()
		}
		return string(b)
	}
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return string(b)
	}
	return buf.String()
}

// maxIndentDepth is the deepest nesting of JSON printed indented; deeper documents are printed
// compact, on one line.
const maxIndentDepth = 64

// jsonDepth is the deepest nesting of objects and arrays in a JSON text, read in one pass.
func jsonDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// timeLine matches a top-level NumericDate member of indented claims.
var timeLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^  "(exp|iat|nbf|auth_time)": `) })

// annotateTimes adds the date and how long ago (or until) to each time claim's line.
func annotateTimes(claims string, j *flows.JWT, now time.Time) string {
	lines := strings.Split(claims, "\n")
	for i, line := range lines {
		m := timeLine().FindStringSubmatch(line)
		if m == nil {
			continue
		}
		t, ok := j.ClaimTime(m[1])
		if !ok {
			continue
		}
		lines[i] = fmt.Sprintf("%s   (%s, %s)", line, t.UTC().Format("2006-01-02 15:04:05 UTC"), whenText(m[1], t, now))
	}
	return strings.Join(lines, "\n")
}

// whenText says how far a time is from now: "in 54m", "3h ago", "expired 3h ago".
func whenText(claim string, t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d >= 0 && d < time.Second:
		return "now"
	case d > 0:
		return "in " + roughDuration(d)
	case claim == "exp":
		return "expired " + roughDuration(-d) + " ago"
	}
	return roughDuration(-d) + " ago"
}

// roughDuration renders a duration in its two largest units: "45s", "54m", "3h12m", "2d5h".
func roughDuration(d time.Duration) string {
	d = d.Round(time.Second)
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < day:
		return twoUnits(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "m")
	}
	return twoUnits(int(d/day), "d", int(d%day/time.Hour), "h")
}

// twoUnits renders "3h12m", or "3h" when the smaller unit is zero.
func twoUnits(a int, ua string, b int, ub string) string {
	if b == 0 {
		return fmt.Sprintf("%d%s", a, ua)
	}
	return fmt.Sprintf("%d%s%d%s", a, ua, b, ub)
}
