package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// KeySource finds the public key that verifies a token. The Client's remote JWKS (Client.Keys,
// RemoteKeys) and a fixed key set (ParseStaticKeys) implement it, so a token is verified the same
// way whichever the user gave.
type KeySource interface {
	// Key returns the key for a token whose header names kid and alg. With an empty kid it returns
	// the one key usable with alg, and fails when there is none or more than one. refetched reports
	// that the key set was fetched again because kid was not in the cached one. Failures are *Error
	// values whose Kind says what went wrong (unknown_kid, signature_invalid, a transport kind …).
	Key(ctx context.Context, kid, alg string) (key *jose.JSONWebKey, refetched bool, err error)
}

// staticKeys is a fixed key set, such as a JWKS file.
type staticKeys struct{ ks *keySet }

// ParseStaticKeys parses a JWK Set (RFC 7517 §5) into a KeySource that never fetches anything. A
// single JWK is accepted as a set of one. Keys that go-jose cannot read (an unknown kty or curve, a
// key over 4096 bits, an x5c that does not match) are left out, as RFC 7517 §5 says, and
// remembered, so that a token naming one of them is explained; it is an error only when no key at
// all is usable. Private parameters published by mistake are dropped and only the public part is
// kept. source names the document in messages ("jwks.json"); empty means "the given JWKS".
func ParseStaticKeys(body []byte, source string) (KeySource, error) {
	ks, err := parseJWKS(body)
	if err != nil {
		return nil, err
	}
	ks.source = "the given JWKS"
	if source != "" {
		ks.source = "the JWKS in " + source
	}
	return staticKeys{ks: ks}, nil
}

// Key implements KeySource; refetched is always false.
func (s staticKeys) Key(_ context.Context, kid, alg string) (*jose.JSONWebKey, bool, error) {
	k, err := s.ks.pick(kid, alg)
	return k, false, plainErr(err)
}

// plainErr unwraps the refetch marker.
func plainErr(err error) error {
	var u errUnknownKID
	if errors.As(err, &u) {
		return u.e
	}
	return err
}

// jwksCache holds a provider's JWK Set once fetched.
type jwksCache struct {
	mu      sync.Mutex
	url     string
	keys    *keySet
	fetched time.Time
}

// load returns the cached set for url, fetching it when there is none, when the URL changed, or when
// force is set. fresh reports that this call fetched it.
func (jc *jwksCache) load(ctx context.Context, c *Client, url string, force bool) (ks *keySet, fresh bool, err error) {
	jc.mu.Lock()
	defer jc.mu.Unlock()
	if !force && jc.keys != nil && jc.url == url {
		return jc.keys, false, nil
	}
	ks, err = c.fetchJWKS(ctx, url)
	if err != nil {
		return nil, false, err
	}
	jc.url, jc.keys, jc.fetched = url, ks, c.now()
	return ks, true, nil
}

// fetchJWKS fetches and parses a JWK Set.
func (c *Client) fetchJWKS(ctx context.Context, url string) (*keySet, error) {
	r, err := c.get(WithStep(ctx, "jwks"), url, "application/jwk-set+json, application/json", nil)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := decodeJSON(r, "jwks endpoint", &raw); err != nil {
		return nil, err
	}
	ks, err := parseJWKS(r.body)
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			return nil, &Error{Kind: fe.Kind, Detail: fmt.Sprintf("the JWKS at %s: %s", r.url, fe.Detail), Err: fe.Err}
		}
		return nil, err
	}
	ks.source = "the JWKS at " + r.url
	return ks, nil
}

// now is the client's clock.
func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// jwksCache returns the client's cache of the provider's JWK Set.
func (c *Client) jwksCache() *jwksCache { return &c.st().jwks }

// JWKS returns the provider's JWK Set, fetched once (step "jwks") from the configured or discovered
// jwks_uri and cached. Keys go-jose cannot use are left out.
func (c *Client) JWKS(ctx context.Context) (*jose.JSONWebKeySet, error) {
	url, err := c.endpoints(ctx, "jwks", func(e Endpoints) string { return e.JWKS })
	if err != nil {
		return nil, err
	}
	ks, _, err := c.jwksCache().load(ctx, c, url, false)
	if err != nil {
		return nil, err
	}
	return ks.set, nil
}

// Keys returns the provider's JWKS as a KeySource: the configured jwks endpoint, else the
// discovered jwks_uri, cached by the Client. It is nil when the client has neither an issuer nor a
// jwks endpoint, so that there is nothing to verify with.
func (c *Client) Keys() KeySource {
	if strings.TrimSpace(c.Config.Issuer) == "" && c.Config.Endpoints.JWKS == "" {
		return nil
	}
	return remoteKeys{c: c, cache: c.jwksCache()}
}

// RemoteKeys returns a KeySource over the JWKS at jwksURL, fetched through c (so the exchanges are in
// its trace) and cached in the returned source, apart from the client's own.
func RemoteKeys(c *Client, jwksURL string) KeySource {
	return remoteKeys{c: c, cache: &jwksCache{}, url: jwksURL}
}

// remoteKeys is a JWKS fetched over HTTP; url empty means the client's configured or discovered one.
type remoteKeys struct {
	c     *Client
	cache *jwksCache
	url   string
}

// Key implements KeySource: on an unknown kid the set is fetched again once, unless this call has
// just fetched it.
func (r remoteKeys) Key(ctx context.Context, kid, alg string) (*jose.JSONWebKey, bool, error) {
	url := r.url
	if url == "" {
		var err error
		url, err = r.c.endpoints(ctx, "jwks", func(e Endpoints) string { return e.JWKS })
		if err != nil {
			return nil, false, err
		}
	}
	ks, fresh, err := r.cache.load(ctx, r.c, url, false)
	if err != nil {
		return nil, false, err
	}
	key, err := ks.pick(kid, alg)
	var unknown errUnknownKID
	if err == nil || fresh || !errors.As(err, &unknown) {
		return key, false, plainErr(err)
	}
	ks, _, err = r.cache.load(ctx, r.c, url, true)
	if err != nil {
		kind, detail := errKindDetail(err, KindUnknownKID)
		return nil, true, &Error{Kind: kind, Detail: fmt.Sprintf("kid %q is not in the cached JWKS, and fetching it again failed: %s", kid, detail), Err: err}
	}
	key, err = ks.pick(kid, alg)
	if errors.As(err, &unknown) {
		return nil, true, &Error{Kind: KindUnknownKID, Detail: unknown.e.Detail + ", even after fetching the JWKS again (keys rotate, so tokenbench refetches once)"}
	}
	return key, true, plainErr(err)
}

// errKindDetail is an error's kind and plain detail; fallback is the kind of an error without one.
func errKindDetail(err error, fallback Kind) (Kind, string) {
	var fe *Error
	if errors.As(err, &fe) {
		d := fe.Detail
		if d == "" && fe.Err != nil {
			d = fe.Err.Error()
		}
		return fe.Kind, d
	}
	return fallback, err.Error()
}
