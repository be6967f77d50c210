package flows

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// A tenant diagnosis: what `tokenbench doctor` and the Profiles screen's doctor action show. Every
// probe is read-only and needs no user: GETs of public documents, an authorization request that
// stops before any login, and token requests with a made-up authorization code, which a provider
// can only refuse.

// FindingStatus is the outcome of one probe.
type FindingStatus string

// The outcomes: ok (✓), failed (✗), and unknown (?): the probe could not tell, or found something
// worth a look that is not wrong in itself.
const (
	FindingOK      FindingStatus = "ok"
	FindingFailed  FindingStatus = "failed"
	FindingUnknown FindingStatus = "unknown"
)

// Symbol is the mark a finding is shown with: ✓, ✗ or ?.
func (s FindingStatus) Symbol() string {
	switch s {
	case FindingOK:
		return "✓"
	case FindingFailed:
		return "✗"
	}
	return "?"
}

// Finding is one thing a probe found, with what it means and what to do.
type Finding struct {
	// Area groups findings: transport, discovery, keys, client, redirect_uri, features, clock.
	Area string `json:"area"`
	// Check names the probe within its area ("tls_expiry", "issuer", "auth client_secret_basic" …),
	// stable for scripts.
	Check  string        `json:"check"`
	Status FindingStatus `json:"status"`
	// Summary says what was found, in one line; Meaning what it means; Action what to do (empty
	// when nothing is to be done).
	Summary string `json:"summary"`
	Meaning string `json:"meaning,omitempty"`
	Action  string `json:"action,omitempty"`
	// Code is the OAuth error code or failure kind behind a failure, whose explanation assets has
	// (flows.Explain, assets.Explain); empty when there is none.
	Code string `json:"code,omitempty"`
}

// Diagnosis is every finding about one tenant, in the order the probes ran.
type Diagnosis struct {
	Issuer   string    `json:"issuer,omitempty"`
	ClientID string    `json:"client_id,omitempty"`
	Started  time.Time `json:"started"`
	Findings []Finding `json:"findings"`
	// secrets are the configured credentials, masked wherever the diagnosis is written out.
	secrets []string
}

// OK reports whether no finding failed.
func (d Diagnosis) OK() bool { return len(d.Failed()) == 0 }

// Failed returns the findings that failed.
func (d Diagnosis) Failed() []Finding {
	var out []Finding
	for _, f := range d.Findings {
		if f.Status == FindingFailed {
			out = append(out, f)
		}
	}
	return out
}

// Find returns the first finding of that area and check.
func (d Diagnosis) Find(area, check string) (Finding, bool) {
	for _, f := range d.Findings {
		if f.Area == area && f.Check == check {
			return f, true
		}
	}
	return Finding{}, false
}

// DoctorOptions tune Diagnose; the zero value is the default.
type DoctorOptions struct {
	// SlowAfter marks an answer slower than this with a ?; zero means DefaultSlowAfter.
	SlowAfter time.Duration
	// SkewAllowance is the clock difference tolerated before it is a failure; zero means the
	// client's Skew.
	SkewAllowance time.Duration
}

// DefaultSlowAfter is the answer time after which the doctor calls a provider slow.
const DefaultSlowAfter = 3 * time.Second

// doctor is one Diagnose run.
type doctor struct {
	c    *Client
	opts DoctorOptions
	d    *Diagnosis
	// meta is the metadata found, nil when none was; endpoints the configured ones completed by it.
	meta      *Metadata
	endpoints Endpoints
	// serverDate is the first Date header received and dateReceived when it came.
	serverDate, dateReceived time.Time
	// codeFirst is set when the token endpoint looks at the code before the client's credentials.
	codeFirst bool
}

// Diagnose probes the client's provider and client registration without a user login and without
// changing anything on the tenant: transport and TLS, discovery, keys, the client authentication
// the token endpoint accepts, the redirect URI, scopes, PKCE, RFC 9207, PAR / DPoP / mTLS, and the
// clock. It never stops at the first problem: every probe that still makes sense runs. Every
// exchange is recorded in the client's trace under the step "doctor".
func Diagnose(ctx context.Context, c *Client, opts DoctorOptions) Diagnosis {
	if opts.SlowAfter <= 0 {
		opts.SlowAfter = DefaultSlowAfter
	}
	if opts.SkewAllowance <= 0 {
		opts.SkewAllowance = c.Skew
	}
	d := &Diagnosis{Issuer: strings.TrimSpace(c.Config.Issuer), ClientID: c.Config.ClientID, Started: c.now().UTC()}
	for _, s := range []string{c.Config.ClientSecret} {
		if s != "" {
			d.secrets = append(d.secrets, s, url.QueryEscape(s))
		}
	}
	doc := &doctor{c: c, opts: opts, d: d, endpoints: c.Config.Endpoints}
	ctx = WithStep(ctx, "doctor")
	if !doc.transport(ctx) {
		return *d // nothing else can be reached
	}
	doc.discovery(ctx)
	doc.keys(ctx)
	doc.features()
	doc.clientAuth(ctx)
	doc.redirectURI(ctx)
	doc.clock()
	slices.SortStableFunc(d.Findings, func(a, b Finding) int {
		return slices.Index(doctorAreas, a.Area) - slices.Index(doctorAreas, b.Area)
	})
	return *d
}

// doctorAreas are the areas of findings in report order.
var doctorAreas = []string{"transport", "discovery", "keys", "client", "redirect_uri", "features", "clock"}

// add records a finding.
func (doc *doctor) add(f Finding) { doc.d.Findings = append(doc.d.Findings, f) }

// ok, failed and unknown record a finding of that status.
func (doc *doctor) ok(area, check, summary string) {
	doc.add(Finding{Area: area, Check: check, Status: FindingOK, Summary: summary})
}

func (doc *doctor) failed(area, check, summary, meaning, action, code string) {
	doc.add(Finding{Area: area, Check: check, Status: FindingFailed, Summary: summary, Meaning: meaning, Action: action, Code: code})
}

func (doc *doctor) unknown(area, check, summary, meaning, action string) {
	doc.add(Finding{Area: area, Check: check, Status: FindingUnknown, Summary: summary, Meaning: meaning, Action: action})
}

// fromError records a failed finding for err, with its code for the explanation.
func (doc *doctor) fromError(area, check, summary string, err error, action string) {
	code, ex, _ := Explain(err)
	meaning := ex.Meaning
	if meaning == "" {
		meaning = err.Error()
	} else {
		summary += ": " + err.Error()
	}
	doc.failed(area, check, summary, meaning, action, code)
}

// isLoopback reports whether a URL's host is this machine, where plain http is acceptable
// (RFC 8252 §7.3).
func isLoopback(u *url.URL) bool {
	h := u.Hostname()
	return h == "127.0.0.1" || h == "::1" || strings.EqualFold(h, "localhost")
}

// noteDate remembers the Date header of an answer, for the clock probe.
func (doc *doctor) noteDate(r response, received time.Time) {
	if !doc.serverDate.IsZero() {
		return
	}
	if t, err := http.ParseTime(r.header.Get("Date")); err == nil {
		doc.serverDate, doc.dateReceived = t, received
	}
}

// listOrNone joins a list for messages, or says "none".
func listOrNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(slices.Clone(ss), ", ")
}
