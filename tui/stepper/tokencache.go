package stepper

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// A profile's cached token, as `tokenbench token --profile NAME --cached` keeps it: a session on a
// profile starts with its still-valid cached token (or one refreshed from the cached refresh
// token) on the Token step, and says so; a token the Token step obtains is kept for next time.

// cacheTimeout bounds reading the cache (a keyring prompt) and a refresh.
const cacheTimeout = 30 * time.Second

// cachedTokenMsg is what the cache gave for the session's profile.
type cachedTokenMsg struct {
	reused profiles.Reused
	err    error
}

// Init looks up the session's profile's cached token.
func (s flowModel) Init() tea.Cmd {
	c := s.c
	if c.TokenCache == nil || c.ProfileName == "" || c.Client == nil {
		return nil
	}
	return reuseToken(c.TokenCache, c.ProfileName, c.Client, s.grant.grantType())
}

// reuseToken asks the cache for the profile's token under the session's client and grant; a
// refreshed one is kept in its place.
func reuseToken(cache *profiles.TokenCache, name string, c *flows.Client, grant string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
		defer cancel()
		started := time.Now()
		r, err := cache.Reuse(ctx, name, c, grant)
		if err == nil && r.Refreshed {
			err = cache.Keep(ctx, name, c, grant, r.Token, started)
		}
		return cachedTokenMsg{reused: r, err: err}
	}
}

// onCachedToken puts a reused token on the Token step, unless the user has obtained or asked for
// one since.
func (s flowModel) onCachedToken(msg cachedTokenMsg) (flowModel, tea.Cmd) {
	switch {
	case msg.err != nil:
		s.notice = "the token cache: " + msg.err.Error()
		return s, nil
	case msg.reused.Token == nil:
		s.notice = strings.TrimSuffix(msg.reused.Note, ": signing in") + ": run the flow to sign in"
		return s, nil
	case s.token != nil || s.running != numSteps:
		return s, nil
	}
	t := msg.reused.Token
	s.token, s.tokenOwn = t, true
	s.steps[stepToken] = stepResult{state: stateDone}
	s.notice = msg.reused.Note + " (no request sent; as token --cached)"
	if msg.reused.Refreshed {
		s.notice = msg.reused.Note + " (as token --cached)"
	}
	return s, ui.Announce(ui.TokensReceivedMsg{Step: stepToken.name(), Grant: s.grant.grantType(), Token: t, At: s.c.Now()})
}

// keepToken caches a token the Token step obtained for the session's profile.
func (s flowModel) keepToken(t *flows.Token) tea.Cmd {
	c := s.c
	if c.TokenCache == nil || c.ProfileName == "" || s.client == nil || t == nil {
		return nil
	}
	cache, name, client, grant := c.TokenCache, c.ProfileName, s.client, s.grant.grantType()
	// When it arrived, on this machine's clock (expires_in counts from there), not the injected one.
	received := time.Now()
	if t.ExpiresIn > 0 && !t.Expiry.IsZero() {
		received = t.Expiry.Add(-time.Duration(t.ExpiresIn) * time.Second)
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
		defer cancel()
		if err := cache.Keep(ctx, name, client, grant, t, received); err != nil {
			return cacheFailedMsg{err: err}
		}
		return nil
	}
}

// cacheFailedMsg says a token could not be cached.
type cacheFailedMsg struct{ err error }
