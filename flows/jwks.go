package flows

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// KeySource finds the public key that verifies a token. The Client's remote JWKS (Client.Keys,
// RemoteKeys) and a fixed key set (NewStaticKeys, ParseStaticKeys) implement it, so a token is
// verified the same way whichever the user gave.
type KeySource interface {
	// Key returns the key for a token whose header names kid and alg. With an empty kid it returns
	// the one key usable with alg, and fails when there is none or more than one. refetched reports
	// that the key set was fetched again because kid was not in the cached one. Failures are *Error
	// values whose Kind says what went wrong (unknown_kid, signature_invalid, a transport kind …).
	Key(ctx context.Context, kid, alg string) (key *jose.JSONWebKey, refetched bool, err error)
}

// keyProblem is a key of a JWK Set that could not be used, kept to explain a later "unknown kid".
type keyProblem struct {
	index int
	kid   string
	why   string
}

// keySet is a parsed JWK Set with the keys that were left out and why, and where it came from.
type keySet struct {
	set      *jose.JSONWebKeySet
	problems []keyProblem
	source   string
}

// ParseJWKS parses a JWK Set (RFC 7517 §5). A single JWK is accepted as a set of one. Keys that
// go-jose cannot read (an unknown kty or curve, a key over 4096 bits, an x5c that does not match)
// are left out, as RFC 7517 §5 says; it is an error only when no key at all is usable. Private
// parameters published by mistake are dropped and only the public part is kept.
func ParseJWKS(body []byte) (*jose.JSONWebKeySet, error) {
	ks, err := parseJWKS(body)
	if err != nil {
		return nil, err
	}
	return ks.set, nil
}

// privateMembers are the JWK members that hold private key material (RFC 7518 §6.2.2, §6.3.2;
// RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "priv"}

func parseJWKS(body []byte) (*keySet, error) {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return nil, &Error{Kind: KindMalformedJWKS, Detail: "the JWKS is empty"}
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		return nil, &Error{Kind: KindMalformedJWKS, Detail: "this is a PEM key or certificate, not a JWKS: a JWKS is JSON of the form {\"keys\": [ … ]}"}
	case trimmed[0] == '<':
		return nil, &Error{Kind: KindMalformedJWKS, Detail: fmt.Sprintf("this looks like an HTML or XML page, not a JWKS: %s", snippet(trimmed))}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, &Error{Kind: KindMalformedJWKS, Detail: fmt.Sprintf("the JWKS is not a JSON object: %v", err), Err: err}
	}
	var rawKeys []json.RawMessage
	keysJSON, hasKeys := top["keys"]
	_, hasKty := top["kty"]
	switch {
	case hasKeys:
		if err := json.Unmarshal(keysJSON, &rawKeys); err != nil {
			return nil, &Error{Kind: KindMalformedJWKS, Detail: `the JWKS's "keys" member is not an array of keys`, Err: err}
		}
	case hasKty:
		rawKeys = []json.RawMessage{json.RawMessage(trimmed)} // a lone JWK
	default:
		return nil, &Error{Kind: KindMalformedJWKS, Detail: `the JSON object has no "keys" member, so it is not a JWKS (RFC 7517 §5)`}
	}
	ks := &keySet{set: &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}}
	for i, rk := range rawKeys {
		k, kid, why := parseJWK(rk)
		if why != "" {
			ks.problems = append(ks.problems, keyProblem{index: i, kid: kid, why: why})
			continue
		}
		ks.set.Keys = append(ks.set.Keys, k)
	}
	if len(ks.set.Keys) == 0 && len(ks.problems) > 0 {
		var b strings.Builder
		b.WriteString("no key in the JWKS is usable:")
		for _, p := range ks.problems {
			fmt.Fprintf(&b, "\n  %s: %s", p.name(), p.why)
		}
		return nil, &Error{Kind: KindMalformedJWKS, Detail: b.String()}
	}
	return ks, nil
}

// parseJWK reads one key; why says what is wrong with it, or is empty.
func parseJWK(raw json.RawMessage) (k jose.JSONWebKey, kid, why string) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return k, "", "not a JSON object"
	}
	var kty string
	_ = json.Unmarshal(members["kid"], &kid)
	_ = json.Unmarshal(members["kty"], &kty)
	if kty == "" {
		return k, kid, `no "kty" member`
	}
	if kty != "oct" {
		for _, m := range privateMembers {
			delete(members, m) // only the public part verifies; publishing the rest is the provider's mistake
		}
	}
	clean, err := json.Marshal(members)
	if err != nil {
		return k, kid, err.Error()
	}
	if err := k.UnmarshalJSON(clean); err != nil {
		msg := strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
		if errors.Is(err, jose.ErrUnsupportedKeyType) {
			msg = fmt.Sprintf("key type %q (with its parameters) is not one go-jose can use", kty)
		}
		return k, kid, msg
	}
	if !k.Valid() {
		return k, kid, "the key's parameters are incomplete"
	}
	return k, kid, ""
}

func (p keyProblem) name() string {
	if p.kid != "" {
		return fmt.Sprintf("key %d (kid %q)", p.index+1, p.kid)
	}
	return fmt.Sprintf("key %d", p.index+1)
}

// algFamily is the key type an algorithm needs and, for ECDSA and EdDSA, the curve.
func algFamily(alg string) (kty, crv string) {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return "RSA", ""
	case "ES256":
		return "EC", "P-256"
	case "ES384":
		return "EC", "P-384"
	case "ES512":
		return "EC", "P-521"
	case "EdDSA":
		return "OKP", "Ed25519"
	case "HS256", "HS384", "HS512":
		return "oct", ""
	}
	return "", ""
}

// keyType is a key's kty and curve, read from its Go value.
func keyType(k *jose.JSONWebKey) (kty, crv string) {
	switch key := k.Key.(type) {
	case *rsa.PublicKey, *rsa.PrivateKey:
		return "RSA", ""
	case *ecdsa.PublicKey:
		return "EC", key.Curve.Params().Name
	case *ecdsa.PrivateKey:
		return "EC", key.Curve.Params().Name
	case ed25519.PublicKey, ed25519.PrivateKey:
		return "OKP", "Ed25519"
	case []byte:
		return "oct", ""
	}
	return fmt.Sprintf("%T", k.Key), ""
}

// describeKey says what a key is, for messages: "RSA 2048-bit", "EC P-256", "Ed25519".
func describeKey(k *jose.JSONWebKey) string {
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		return "RSA " + strconv.Itoa(key.N.BitLen()) + "-bit"
	case *rsa.PrivateKey:
		return fmt.Sprintf("RSA %d-bit", key.N.BitLen())
	case []byte:
		return fmt.Sprintf("symmetric %d-bit", len(key)*8)
	}
	kty, crv := keyType(k)
	if kty == "OKP" {
		return crv
	}
	return strings.TrimSpace(kty + " " + crv)
}

// keyName names a key for messages.
func keyName(k *jose.JSONWebKey) string {
	if k.KeyID == "" {
		return "the key without kid (" + describeKey(k) + ")"
	}
	return "the key with kid " + strconv.Quote(k.KeyID) + " (" + describeKey(k) + ")"
}

// fits says why a key cannot verify alg, or "" when it can.
func fits(k *jose.JSONWebKey, alg string) string {
	if k.Use != "" && k.Use != "sig" {
		return fmt.Sprintf("it is published for use %q, not for signatures", k.Use)
	}
	if k.Algorithm != "" && k.Algorithm != alg {
		return fmt.Sprintf("it is published for alg %s, and the token says %s", k.Algorithm, alg)
	}
	wantKty, wantCrv := algFamily(alg)
	if wantKty == "" {
		return fmt.Sprintf("tokenbench cannot verify alg %q", alg)
	}
	kty, crv := keyType(k)
	if kty != wantKty || crv != wantCrv {
		want := strings.TrimSpace(wantKty + " " + wantCrv)
		return fmt.Sprintf("it is a %s key, and %s needs a %s key", describeKey(k), alg, want)
	}
	return ""
}

// kidList lists a set's keys for messages.
func (ks *keySet) kidList() string {
	if len(ks.set.Keys) == 0 {
		return "it has no usable keys"
	}
	names := make([]string, 0, len(ks.set.Keys))
	for i := range ks.set.Keys {
		k := &ks.set.Keys[i]
		if k.KeyID == "" {
			names = append(names, fmt.Sprintf("(no kid, %s)", describeKey(k)))
		} else {
			names = append(names, fmt.Sprintf("%q (%s)", k.KeyID, describeKey(k)))
		}
	}
	sort.Strings(names)
	return "it has the kids " + strings.Join(names, ", ")
}

// errUnknownKID marks the failure that a refetch may cure.
type errUnknownKID struct{ e *Error }

// Error returns the wrapped failure's message.
func (u errUnknownKID) Error() string { return u.e.Error() }

// pick finds the key for kid and alg in the set.
func (ks *keySet) pick(kid, alg string) (*jose.JSONWebKey, error) {
	if kid != "" {
		var why []string
		for i := range ks.set.Keys {
			k := &ks.set.Keys[i]
			if k.KeyID != kid {
				continue
			}
			if w := fits(k, alg); w != "" {
				why = append(why, fmt.Sprintf("%s cannot verify it: %s", keyName(k), w))
				continue
			}
			pub := k.Public()
			if !pub.Valid() {
				pub = *k // a symmetric key has no public part
			}
			return &pub, nil
		}
		if len(why) > 0 {
			return nil, &Error{Kind: KindSignatureInvalid, Detail: fmt.Sprintf("%s has kid %q, but %s", ks.source, kid, strings.Join(why, "; "))}
		}
		for _, p := range ks.problems {
			if p.kid == kid {
				return nil, &Error{Kind: KindUnknownKID, Detail: fmt.Sprintf("%s lists kid %q, but the key cannot be used: %s", ks.source, kid, p.why)}
			}
		}
		if ks.anyKID() {
			return nil, errUnknownKID{e: &Error{Kind: KindUnknownKID, Detail: fmt.Sprintf("no key with kid %q in %s; %s", kid, ks.source, ks.kidList())}}
		}
		// No key in the set has a kid (RFC 7517 §4.5 makes it optional): the token's kid cannot
		// match, so the one key usable with alg is taken, as without a kid.
	}
	var fit []*jose.JSONWebKey
	for i := range ks.set.Keys {
		if fits(&ks.set.Keys[i], alg) == "" {
			fit = append(fit, &ks.set.Keys[i])
		}
	}
	noKID := "the token's header has no kid"
	if kid != "" {
		noKID = fmt.Sprintf("the token's kid is %q but no key in %s has a kid", kid, ks.source)
	}
	switch len(fit) {
	case 0:
		return nil, &Error{Kind: KindUnknownKID, Detail: fmt.Sprintf("%s, and %s has no key usable with %s; %s", noKID, ks.source, alg, ks.kidList())}
	case 1:
		pub := fit[0].Public()
		if !pub.Valid() {
			pub = *fit[0]
		}
		return &pub, nil
	}
	names := make([]string, len(fit))
	for i, k := range fit {
		names[i] = keyName(k)
	}
	return nil, &Error{Kind: KindUnknownKID, Detail: fmt.Sprintf("%s, and %s has %d keys usable with %s (%s): which one signed it is ambiguous, and tokenbench does not guess", noKID, ks.source, len(fit), alg, strings.Join(names, "; "))}
}

// anyKID reports whether some key of the set has a kid.
func (ks *keySet) anyKID() bool {
	for i := range ks.set.Keys {
		if ks.set.Keys[i].KeyID != "" {
			return true
		}
	}
	return false
}

// staticKeys is a fixed key set, such as a JWKS file.
type staticKeys struct{ ks *keySet }

// NewStaticKeys returns a KeySource over a fixed key set, such as one read from a file with
// ParseJWKS. It never fetches anything.
func NewStaticKeys(set *jose.JSONWebKeySet) KeySource {
	if set == nil {
		set = &jose.JSONWebKeySet{}
	}
	return staticKeys{ks: &keySet{set: set, source: "the given JWKS"}}
}

// ParseStaticKeys parses a JWKS document, as ParseJWKS does, into a KeySource. Unlike NewStaticKeys
// over ParseJWKS's result, it remembers the keys it had to leave out, so that a token naming one of
// them is explained. source names the document in messages ("jwks.json"); empty means "the given
// JWKS".
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

// jwksCache returns the client's cache, creating it for a Client not made by NewClient.
func (c *Client) jwksCache() *jwksCache {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.jwks == nil {
		c.jwks = &jwksCache{}
	}
	return c.jwks
}

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

// keyForKID finds the key for a token in the provider's JWKS, refetching the set once when kid is
// not in the cached one (keys rotate).
func (c *Client) keyForKID(ctx context.Context, kid, alg string) (*jose.JSONWebKey, bool, error) {
	return remoteKeys{c: c, cache: c.jwksCache()}.Key(ctx, kid, alg)
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
