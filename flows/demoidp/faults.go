package demoidp

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Faults makes the provider misbehave on purpose, so that tests and learners
// can watch a client's checks catch it. The zero value is a well-behaved
// provider. Turn faults on with Provider.SetFaults, or by name with Set.
type Faults struct {
	// ExpiredCode issues authorization codes that have already expired, so
	// the token endpoint answers invalid_grant ("expired-code").
	ExpiredCode bool
	// WrongIss puts a different issuer in the iss parameter of the
	// authorization response (RFC 9207) and in the iss claim of ID tokens
	// ("wrong-iss").
	WrongIss bool
	// WrongState returns a different state in the authorization response
	// than the one the client sent ("wrong-state").
	WrongState bool
	// Deny answers every authorization request with error=access_denied
	// ("deny").
	Deny bool
	// BadSignature corrupts the signature of ID tokens and JWT access
	// tokens ("bad-signature").
	BadSignature bool
	// UnknownKID signs ID tokens and JWT access tokens with a key whose kid
	// is never published in the JWKS ("unknown-kid").
	UnknownKID bool
	// AlgNone issues unsigned ID tokens with alg "none" ("alg-none").
	AlgNone bool
	// ExpiredIDToken issues ID tokens that expired an hour ago, with iat
	// two hours ago ("expired-id-token").
	ExpiredIDToken bool
	// ClockSkew offsets the provider's clock, as used for iat, nbf, exp,
	// auth_time and the Date header; it may be negative
	// ("clock-skew=DURATION").
	ClockSkew time.Duration
	// Slow delays every response by this long, giving up early when the
	// client goes away ("slow=DURATION").
	Slow time.Duration
	// HTMLErrors makes the token, userinfo, introspection and revocation
	// endpoints answer 502 with an HTML page, as a proxy in front of a
	// broken server would ("html-errors").
	HTMLErrors bool
	// HTMLDiscovery makes the .well-known metadata paths answer an HTML
	// page with status 200, as a single-page app that answers every path
	// does ("html-discovery").
	HTMLDiscovery bool
	// HugeBody makes the token endpoint answer a 20 MB JSON body
	// ("huge-body").
	HugeBody bool
	// ErrorOn200 makes the token endpoint answer HTTP 200 with an
	// invalid_grant error body ("error-on-200").
	ErrorOn200 bool
	// DPoPNonce makes the token and userinfo endpoints require a server
	// nonce in DPoP proofs: a proof without the current one is answered
	// use_dpop_nonce with a DPoP-Nonce header (RFC 9449 §8, §9)
	// ("dpop-nonce").
	DPoPNonce bool
	// RequirePAR advertises require_pushed_authorization_requests and
	// refuses authorization requests that were not pushed (RFC 9126 §5)
	// ("require-par").
	RequirePAR bool
	// JARMBadSignature corrupts the signature of JWT-secured authorization
	// responses (JARM) ("jarm-bad-signature").
	JARMBadSignature bool
}

// faultDef ties a fault's name to its field, and says what it does for a menu.
type faultDef struct {
	name     string
	about    string
	flag     func(*Faults) *bool          // for on/off faults
	duration func(*Faults) *time.Duration // for faults that take a duration
}

var faultDefs = []faultDef{
	{name: "expired-code", about: "authorization codes are born expired: the token request gets invalid_grant",
		flag: func(f *Faults) *bool { return &f.ExpiredCode }},
	{name: "wrong-iss", about: "another issuer in the callback's iss and the id_token's iss: the iss checks fail",
		flag: func(f *Faults) *bool { return &f.WrongIss }},
	{name: "wrong-state", about: "the callback carries another state: the client must refuse it (CSRF)",
		flag: func(f *Faults) *bool { return &f.WrongState }},
	{name: "deny", about: "the user says no: the callback carries error=access_denied",
		flag: func(f *Faults) *bool { return &f.Deny }},
	{name: "bad-signature", about: "id_tokens and JWT access tokens with a corrupted signature: the signature check fails",
		flag: func(f *Faults) *bool { return &f.BadSignature }},
	{name: "unknown-kid", about: "tokens signed by a key the JWKS never publishes: one refetch, then the signature check fails",
		flag: func(f *Faults) *bool { return &f.UnknownKID }},
	{name: "alg-none", about: "unsigned id_tokens (alg none): the client must refuse them",
		flag: func(f *Faults) *bool { return &f.AlgNone }},
	{name: "expired-id-token", about: "id_tokens that expired an hour ago: the exp check fails",
		flag: func(f *Faults) *bool { return &f.ExpiredIDToken }},
	{name: "clock-skew", about: "the provider's clock is off by this much (iat, nbf, exp, Date): the time checks and the skew show it",
		duration: func(f *Faults) *time.Duration { return &f.ClockSkew }},
	{name: "slow", about: "every answer is this late: watch the spinner, cancel with esc, or hit the timeout",
		duration: func(f *Faults) *time.Duration { return &f.Slow }},
	{name: "html-errors", about: "token, userinfo, introspection and revocation answer a proxy's 502 HTML page",
		flag: func(f *Faults) *bool { return &f.HTMLErrors }},
	{name: "html-discovery", about: "the .well-known paths answer an HTML page with 200: no discovery here",
		flag: func(f *Faults) *bool { return &f.HTMLDiscovery }},
	{name: "huge-body", about: "the token endpoint answers a 20 MB body: the size limit stops it",
		flag: func(f *Faults) *bool { return &f.HugeBody }},
	{name: "error-on-200", about: "the token endpoint answers HTTP 200 with an invalid_grant error body",
		flag: func(f *Faults) *bool { return &f.ErrorOn200 }},
	{name: "dpop-nonce", about: "DPoP proofs need the server's nonce: one use_dpop_nonce answer, then a retry (RFC 9449 §8)",
		flag: func(f *Faults) *bool { return &f.DPoPNonce }},
	{name: "require-par", about: "authorization requests must be pushed first (RFC 9126 §5); unpushed ones are refused",
		flag: func(f *Faults) *bool { return &f.RequirePAR }},
	{name: "jarm-bad-signature", about: "JWT-secured authorization responses (JARM) with a corrupted signature",
		flag: func(f *Faults) *bool { return &f.JARMBadSignature }},
}

// Fault describes one fault for a menu.
type Fault struct {
	Name  string // as Set takes it: "wrong-iss", "slow"
	About string // what the provider then does, and what should catch it
	// TakesDuration is set for the faults given as "name=DURATION" ("clock-skew", "slow").
	TakesDuration bool
}

// FaultList describes every fault, in the order of FaultNames.
func FaultList() []Fault {
	list := make([]Fault, len(faultDefs))
	for i, d := range faultDefs {
		list[i] = Fault{Name: d.name, About: d.about, TakesDuration: d.duration != nil}
	}
	return list
}

// Get returns one fault's setting in the form Set takes ("wrong-iss", "slow=3s"), or "" when it
// is off or unknown.
func (f Faults) Get(name string) string {
	for _, d := range faultDefs {
		switch {
		case d.name != name:
		case d.flag != nil && *d.flag(&f):
			return d.name
		case d.duration != nil && *d.duration(&f) != 0:
			return d.name + "=" + d.duration(&f).String()
		}
	}
	return ""
}

// FaultNames returns the names of all faults, in a stable order, for a
// command-line flag or a menu. The names "clock-skew" and "slow" take a value
// when passed to Set, as in "clock-skew=5m" or "slow=3s".
func FaultNames() []string {
	names := make([]string, len(faultDefs))
	for i, d := range faultDefs {
		names[i] = d.name
	}
	return names
}

// Set turns on one fault by name. An on/off fault may be given as "name",
// "name=true" or "name=false"; "clock-skew" and "slow" need a duration in
// time.ParseDuration form, as in "clock-skew=-5m" or "slow=3s" ("slow" may
// not be negative). An unknown name or a bad value is an error and leaves f
// unchanged.
func (f *Faults) Set(spec string) error {
	name, value, hasValue := strings.Cut(strings.TrimSpace(spec), "=")
	name = strings.ToLower(strings.TrimSpace(name))
	value = strings.TrimSpace(value)
	for _, d := range faultDefs {
		if d.name != name {
			continue
		}
		if d.flag != nil {
			on := true
			if hasValue {
				b, err := strconv.ParseBool(value)
				if err != nil {
					return fmt.Errorf("fault %s: value %q is not true or false", name, value)
				}
				on = b
			}
			*d.flag(f) = on
			return nil
		}
		if !hasValue || value == "" {
			return fmt.Errorf("fault %s needs a duration, as in %s=5m", name, name)
		}
		dur, err := time.ParseDuration(value)
		if err != nil {
			return fmt.Errorf("fault %s: %w", name, err)
		}
		if name == "slow" && dur < 0 {
			return fmt.Errorf("fault slow: the delay %s is negative", value)
		}
		*d.duration(f) = dur
		return nil
	}
	return fmt.Errorf("unknown fault %q (known: %s)", spec, strings.Join(FaultNames(), ", "))
}

// String lists the faults that are on, in the form Set accepts, separated by
// commas; it is empty when none is on.
func (f Faults) String() string {
	var on []string
	for _, d := range faultDefs {
		if v := f.Get(d.name); v != "" {
			on = append(on, v)
		}
	}
	return strings.Join(on, ",")
}

// SetFaults replaces the provider's faults. It is safe to call while the
// provider is serving; the change applies from the next request.
func (p *Provider) SetFaults(f Faults) {
	p.faultsMu.Lock()
	p.faults = f
	p.faultsMu.Unlock()
}

// Faults returns the provider's current faults.
func (p *Provider) Faults() Faults {
	p.faultsMu.RLock()
	defer p.faultsMu.RUnlock()
	return p.faults
}
