package profiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// cacheExpiryMargin is how long before its expiry a cached access token is refreshed instead of
// used: enough for the caller to use it.
const cacheExpiryMargin = 30 * time.Second

// CacheKey says what a cached token was obtained for: a token for another provider, client, grant
// or scopes is not used.
func CacheKey(cfg flows.ClientConfig, grant string) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{cfg.Issuer, cfg.Endpoints.Token, cfg.ClientID, grant, strings.Join(cfg.Scopes, " ")}, "\n")))
	return hex.EncodeToString(sum[:])
}

// Reused is what the cache gave for a run: a still-valid token, or one refreshed from the cached
// refresh token, or nothing (Token nil: a new grant must run). Note says which, and why, in a
// sentence for the user.
type Reused struct {
	Token     *flows.Token
	Refreshed bool
	Note      string
}

// Reuse answers a run of profile name from the cache: the cached token when it was obtained for
// the same provider, client, grant and scopes (CacheKey) and is valid for more than 30 seconds;
// else, with a refresh token, a refreshed one (RFC 6749 §6; the old refresh token kept when none
// comes back); else nothing. Only the cache's own failures are errors.
func (c *TokenCache) Reuse(ctx context.Context, name string, client *flows.Client, grant string) (Reused, error) {
	entry, note, err := c.Load(ctx, name, CacheKey(client.Config, grant))
	if err != nil {
		return Reused{}, err
	}
	if entry == nil {
		return Reused{Note: note + ": signing in"}, nil
	}
	t, err := flows.ParseTokenResponse(200, nil, entry.Body, entry.Received)
	if err != nil {
		return Reused{Note: fmt.Sprintf("the cached token response cannot be read (%v): signing in", err)}, nil
	}
	expiry, known := TokenExpiry(t)
	if left := time.Until(expiry); known && left > cacheExpiryMargin {
		return Reused{Token: t, Note: fmt.Sprintf("cached token of profile %s: valid for %s more", name, left.Round(time.Second))}, nil
	}
	why := "the cached access token has expired"
	if !known {
		why = "the cached access token's lifetime is unknown (no expires_in, not a JWT with exp)"
	}
	if entry.RefreshToken == "" {
		return Reused{Note: why + " and there is no refresh token: signing in"}, nil
	}
	fresh, err := client.Refresh(ctx, entry.RefreshToken)
	if err != nil {
		return Reused{Note: fmt.Sprintf("%s and refreshing it failed (%s): signing in", why, refreshFailure(err))}, nil
	}
	if fresh.RefreshToken == "" {
		fresh.RefreshToken = entry.RefreshToken // RFC 6749 §6: the old one stays in use
	}
	return Reused{Token: fresh, Refreshed: true, Note: why + ": refreshed it"}, nil
}

// Keep caches t, received at received, as profile name's token for the run's client and grant.
func (c *TokenCache) Keep(ctx context.Context, name string, client *flows.Client, grant string, t *flows.Token, received time.Time) error {
	return c.Save(ctx, name, CachedToken{Body: t.Body, Received: received, RefreshToken: t.RefreshToken, For: CacheKey(client.Config, grant)})
}

// TokenExpiry is when the access token expires: from expires_in, else from a JWT access token's exp
// (RFC 9068); known is false when neither says.
func TokenExpiry(t *flows.Token) (time.Time, bool) {
	if t.ExpiresIn > 0 {
		return t.Expiry, true
	}
	if j, err := flows.DecodeJWT(t.AccessToken); err == nil {
		return j.ClaimTime("exp")
	}
	return time.Time{}, false
}

// refreshFailure says why a refresh failed: the provider's description first.
func refreshFailure(err error) string {
	var oe *flows.OAuthError
	if errors.As(err, &oe) && oe.Description != "" {
		return oe.Description + ": " + oe.Code + " from the " + oe.Endpoint
	}
	return err.Error()
}
