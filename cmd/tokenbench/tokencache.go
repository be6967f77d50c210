package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
	"github.com/tokenbench/tokenbench/profiles"
)

// expiryMargin is how long before its expiry a cached access token is refreshed instead of
// printed: enough for the caller to use it.
const expiryMargin = 30 * time.Second

// cacheFlags are token's --cached, --forget and --print.
type cacheFlags struct {
	cached bool
	forget bool
	// print names the token response member printed bare instead of the whole response.
	print string
}

func (f *cacheFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.cached, "cached", false, "with --profile: print the profile's cached token when it is still valid, refresh it when it has expired, and sign in only when that fails; the tokens obtained are kept, encrypted, for next time")
	fs.BoolVar(&f.forget, "forget", false, "with --profile: drop the profile's cached token, and do nothing else")
	fs.StringVar(&f.print, "print", "", "print only this member of the token response, bare (access_token, id_token …), e.g. for curl -H \"Authorization: Bearer $(tokenbench token --profile NAME --cached --print access_token)\"")
}

// check refuses what the cache cannot do.
func (f *cacheFlags) check(profile string) error {
	if (f.cached || f.forget) && profile == "" {
		return usagef("--cached and --forget keep tokens per profile: give --profile NAME")
	}
	if f.cached && f.forget {
		return usagef("--forget drops the cached token; give it without --cached")
	}
	return nil
}

// tokenCache opens the cache of token responses in the state directory.
func tokenCache(e *env) (*profiles.TokenCache, error) {
	dir, err := profiles.StateDirFrom(e.getenv)
	if err != nil {
		return nil, err
	}
	return profiles.NewTokenCache(dir, newSecrets(e)), nil
}

// forgetToken is `token --profile NAME --forget`.
func forgetToken(e *env, profile string) error {
	cache, err := tokenCache(e)
	if err != nil {
		return err
	}
	had, err := cache.Forget(profile)
	switch {
	case err != nil:
		return err
	case had:
		fmt.Fprintf(e.stderr, "dropped the cached token of profile %s\n", profile)
	default:
		fmt.Fprintf(e.stderr, "profile %s had no cached token\n", profile)
	}
	return nil
}

// cacheKey says what a cached token was obtained for: a token for another provider, client,
// grant or scopes is not used.
func cacheKey(c *flows.Client, grant string) string {
	cfg := c.Config
	sum := sha256.Sum256([]byte(strings.Join([]string{cfg.Issuer, cfg.Endpoints.Token, cfg.ClientID, grant, strings.Join(cfg.Scopes, " ")}, "\n")))
	return hex.EncodeToString(sum[:])
}

// fromCache answers from the cache: the cached token when it is still valid, else a refreshed one
// (refreshed is then true). It returns nil when a new grant must run, having said why on stderr.
func (o *tokenOptions) fromCache(ctx context.Context, e *env, c *flows.Client, cache *profiles.TokenCache, key string) (t *flows.Token, refreshed bool, err error) {
	entry, note, err := cache.Load(ctx, o.client.profile, key)
	if err != nil {
		return nil, false, err
	}
	if entry == nil {
		fmt.Fprintf(e.stderr, "%s: signing in\n", note)
		return nil, false, nil
	}
	t, err = flows.ParseTokenResponse(200, nil, entry.Body, entry.Received)
	if err != nil {
		fmt.Fprintf(e.stderr, "the cached token response cannot be read (%v): signing in\n", err)
		return nil, false, nil
	}
	expiry, known := tokenExpiry(t)
	left := time.Until(expiry)
	if known && left > expiryMargin {
		fmt.Fprintf(e.stderr, "cached token of profile %s: valid for %s more\n", o.client.profile, left.Round(time.Second))
		return t, false, nil
	}
	why := "the cached access token has expired"
	if !known {
		why = "the cached access token's lifetime is unknown (no expires_in, not a JWT with exp)"
	}
	if entry.RefreshToken == "" {
		fmt.Fprintf(e.stderr, "%s and there is no refresh token: signing in\n", why)
		return nil, false, nil
	}
	fresh, err := c.Refresh(ctx, entry.RefreshToken)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s and refreshing it failed (%s): signing in\n", why, describe(err))
		return nil, false, nil
	}
	fmt.Fprintf(e.stderr, "%s: refreshed it\n", why)
	if fresh.RefreshToken == "" {
		fresh.RefreshToken = entry.RefreshToken // RFC 6749 §6: the old one stays in use
	}
	return fresh, true, nil
}

// tokenExpiry is when the access token expires: from expires_in, else from a JWT access token's
// exp (RFC 9068); known is false when neither says.
func tokenExpiry(t *flows.Token) (time.Time, bool) {
	if t.ExpiresIn > 0 {
		return t.Expiry, true
	}
	if j, err := flows.DecodeJWT(t.AccessToken); err == nil {
		return j.ClaimTime("exp")
	}
	return time.Time{}, false
}

// saveToken keeps t as the profile's cached token.
func (o *tokenOptions) saveToken(ctx context.Context, e *env, cache *profiles.TokenCache, key string, t *flows.Token, received time.Time) {
	entry := profiles.CachedToken{Body: t.Body, Received: received, RefreshToken: t.RefreshToken, For: key}
	if err := cache.Save(ctx, o.client.profile, entry); err != nil {
		fmt.Fprintf(e.stderr, "warning: the token could not be cached: %v\n", err)
	}
}

// writeToken prints the token response, or with --print one member of it, bare.
func (f *cacheFlags) writeToken(e *env, t *flows.Token) error {
	if f.print == "" {
		e.writeBody(t.JSON()) // JSON on stdout, whatever the provider's format
		return nil
	}
	v, ok := t.Members[f.print]
	if !ok {
		return fmt.Errorf("the token response has no %s member (it has %s)", f.print, strings.Join(memberNames(t), ", "))
	}
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		e.writeBody(b)
		return nil
	}
	if e.stdoutIsTerminal {
		s = untrusted.Line(s) // bare for a script's $(…), shown and not obeyed on a terminal
	}
	fmt.Fprintln(e.stdout, s)
	return nil
}

func memberNames(t *flows.Token) []string {
	var names []string
	for k := range t.Members {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
