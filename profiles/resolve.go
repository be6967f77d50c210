package profiles

import (
	"context"
	"slices"

	"github.com/tokenbench/tokenbench/flows"
)

// DefaultRedirectURI is the redirect URI of a run that names none: the loopback interface on any
// free port, which tokenbench listens on (RFC 8252 §7.3: the provider must accept any port there).
const DefaultRedirectURI = "http://127.0.0.1:0/callback"

// DefaultUserScopes are the scopes a user flow asks for when neither the run, the profile nor its
// preset names any.
var DefaultUserScopes = []string{"openid", "profile", "email"}

// forUser reports whether a grant acts for a user, and so asks for the user's scopes by default
// (flows.GrantSpec.ForUser; an id_token needs openid).
func forUser(grantType string) bool {
	g, ok := flows.LookupGrant(grantType)
	return ok && g.ForUser
}

// Run is what one run lays over a profile: the command line's flags or the workbench's edits that
// are not profile fields of their own.
type Run struct {
	// Grant is the grant this run performs (a flows.Grant* constant); empty means the profile's own,
	// else the authorization code grant.
	Grant string
	// Scopes, when not nil, are the scopes this run asks for, whatever the grant.
	Scopes []string
	// ClientSecret is a secret given for this run (a flag, a typed value): it is used instead of the
	// profile's reference, which is then not resolved, and it is never stored.
	ClientSecret string
}

// Resolve lays a profile over its preset and a run over both, and returns the flows configuration
// and transport with the defaults every run shares (Defaults). The command line and the workbench
// both call it, so one saved profile sends the same requests in both. The client secret is resolved
// through secrets as Profile.Client says, unless the run gives one.
func Resolve(ctx context.Context, p Profile, secrets *Secrets, run Run) (flows.ClientConfig, flows.TransportOptions, error) {
	if run.Grant == "" {
		run.Grant = p.grantType()
	}
	given := run.ClientSecret != ""
	if given {
		secrets = nil // the reference is not needed, and not asked for
	}
	cfg, opts, err := p.Client(ctx, secrets)
	if err != nil {
		return cfg, opts, err
	}
	if given {
		cfg.ClientSecret = run.ClientSecret
	}
	if run.Scopes == nil && !forUser(run.Grant) && p.grantType() == run.Grant {
		// A profile saved for a grant without a user (client credentials …) asks for its own
		// scopes, not its preset's: those are for signing a user in.
		run.Scopes = slices.Clone(p.Scopes)
	}
	Defaults(&cfg, run)
	return cfg, opts, nil
}

// Defaults fills what a configuration leaves empty, for every run whether it comes from a profile or
// from flags alone: the loopback redirect URI on any free port, and the scopes of the grant run —
// the run's own when it names some, else for a user flow the configured ones or DefaultUserScopes,
// and none for client credentials, refresh and token exchange,
// whose scope the provider otherwise takes from the client's registration or the original grant
// (RFC 6749 §4.4.2, §6).
func Defaults(cfg *flows.ClientConfig, run Run) {
	if cfg.RedirectURI == "" {
		cfg.RedirectURI = DefaultRedirectURI
	}
	switch {
	case run.Scopes != nil:
		cfg.Scopes = slices.Clone(run.Scopes)
	case !forUser(grantOrCode(run.Grant)):
		cfg.Scopes = nil
	case len(cfg.Scopes) == 0:
		cfg.Scopes = slices.Clone(DefaultUserScopes)
	}
}

// grantType is the grant type of the profile's default grant, the authorization code grant when it
// names none (or one not known).
func (p Profile) grantType() string {
	if g, ok := GrantType(p.Grant); ok {
		return g
	}
	return flows.GrantAuthorizationCode
}

func grantOrCode(g string) string {
	if g == "" {
		return flows.GrantAuthorizationCode
	}
	return g
}
