package demoidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// signingKey is one of the provider's RS256 signing keys.
type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// newSigningKey wraps a private key, naming it by its RFC 7638 thumbprint.
func newSigningKey(priv *rsa.PrivateKey) (*signingKey, error) {
	tp, err := (&jose.JSONWebKey{Key: &priv.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("demoidp: key thumbprint: %w", err)
	}
	return &signingKey{kid: base64.RawURLEncoding.EncodeToString(tp), priv: priv}, nil
}

func generateSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("demoidp: generate signing key: %w", err)
	}
	return newSigningKey(priv)
}

// lazyKey is a signing key generated once per process, on first use.
type lazyKey struct {
	once sync.Once
	key  *signingKey
	err  error
}

func (l *lazyKey) get() (*signingKey, error) {
	l.once.Do(func() { l.key, l.err = generateSigningKey() })
	return l.key, l.err
}

var (
	// firstKey is every provider's first signing key: generating a 2048-bit
	// RSA key takes tens of milliseconds, and tests start many providers.
	firstKey lazyKey
	// unpublishedKey signs tokens under the unknown-kid fault; its kid is
	// never in any provider's JWKS.
	unpublishedKey lazyKey
)

func sharedSigningKey() (*signingKey, error) { return firstKey.get() }

// keysLocked returns the published keys, oldest first, making the first one on first use: a
// provider started for the workbench (`tokenbench demo`) then draws its first frame before paying
// for an RSA key, which it needs only for its JWKS and its first token. p.mu must be held.
func (p *Provider) keysLocked() []*signingKey {
	if len(p.keys) == 0 {
		k, err := sharedSigningKey()
		if err != nil {
			// Only crypto/rand could fail, and it does not on supported platforms (it ends the
			// program itself rather than return an error).
			panic(err)
		}
		p.keys = []*signingKey{k}
	}
	return p.keys
}

// RotateKeys generates a new signing key and makes it current. The JWKS
// publishes it first and keeps publishing the earlier keys, so tokens signed
// before the rotation still verify.
func (p *Provider) RotateKeys() {
	k, err := generateSigningKey()
	if err != nil {
		// crypto/rand does not fail on supported platforms; keep the
		// current key rather than stop serving.
		return
	}
	p.mu.Lock()
	p.keys = append(p.keysLocked(), k)
	p.mu.Unlock()
}

// RetireOldKeys stops publishing every key but the current one, as a provider does once a rotation
// has settled: tokens signed before it no longer verify (their kid is gone from the JWKS). It
// returns how many keys it retired.
func (p *Provider) RetireOldKeys() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.keysLocked()) - 1
	p.keys = p.keys[n:]
	return n
}

// KeyIDs returns the kids of the published signing keys, the current one first.
func (p *Provider) KeyIDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := p.keysLocked()
	ids := make([]string, 0, len(keys))
	for i := len(keys) - 1; i >= 0; i-- {
		ids = append(ids, keys[i].kid)
	}
	return ids
}

// currentKey returns the key new tokens are signed with.
func (p *Provider) currentKey() *signingKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := p.keysLocked()
	return keys[len(keys)-1]
}

// publishedKeys returns the JWKS, newest key first.
func (p *Provider) publishedKeys() jose.JSONWebKeySet {
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := p.keysLocked()
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for i := len(keys) - 1; i >= 0; i-- {
		k := keys[i]
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key:       &k.priv.PublicKey,
			KeyID:     k.kid,
			Algorithm: string(jose.RS256),
			Use:       "sig",
		})
	}
	return set
}

func (p *Provider) handleJWKS(w http.ResponseWriter, r *http.Request) {
	body, err := json.Marshal(p.publishedKeys())
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_, _ = w.Write(body)
}

// Token kinds, for the JOSE typ header and the faults that apply.
const (
	typIDToken     = "JWT"
	typAccessToken = "at+jwt" // RFC 9068 §2.1
)

// signToken signs claims as a compact JWS with the current key, applying the
// signing faults: alg-none (ID tokens only), unknown-kid and bad-signature.
func (p *Provider) signToken(claims map[string]any, typ string, f Faults) (string, error) {
	if f.AlgNone && typ == typIDToken {
		return unsecuredJWT(claims, typ)
	}
	key := p.currentKey()
	if f.UnknownKID {
		k, err := unpublishedKey.get()
		if err != nil {
			return "", err
		}
		key = k
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key.priv, KeyID: key.kid}},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)),
	)
	if err != nil {
		return "", fmt.Errorf("demoidp: signer: %w", err)
	}
	token, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("demoidp: sign: %w", err)
	}
	if f.BadSignature {
		token = corruptSignature(token)
	}
	return token, nil
}

// unsecuredJWT builds an Unsecured JWT (RFC 7519 §6): alg "none" and an empty
// signature. There is nothing cryptographic in it, which is the point of the
// alg-none fault.
func unsecuredJWT(claims map[string]any, typ string) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "none", "typ": typ})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + ".", nil
}

// corruptSignature flips bits in the first byte of a compact JWS's signature,
// leaving it well-formed but no longer valid.
func corruptSignature(token string) string {
	i := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || len(sig) == 0 {
		return token
	}
	sig[0] ^= 0xff
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

// verifyOwnToken checks that token is a JWS signed by one of the published
// keys and decodes its claims into dest.
func (p *Provider) verifyOwnToken(token string, dest ...any) error {
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return fmt.Errorf("not a signed JWT with alg RS256: %w", err)
	}
	kid := parsed.Headers[0].KeyID
	set := p.publishedKeys()
	keys := set.Key(kid)
	if len(keys) == 0 {
		return fmt.Errorf("signed with kid %q, which is not in the provider's JWKS", kid)
	}
	if err := parsed.Claims(keys[0].Key, dest...); err != nil {
		return fmt.Errorf("signature does not verify: %w", err)
	}
	return nil
}
