package flows

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// DPoP (RFC 9449): proofs of possession of a key, sent in the DPoP header of token requests and of
// resource calls, so that the tokens issued are bound to that key.

// The failure kinds of the DPoP binding checks; each has an explanation in assets.
const (
	// KindDPoPBindingMismatch is a JWT access token whose cnf.jkt is missing or is not the
	// thumbprint of the client's DPoP key (RFC 9449 §6.1).
	KindDPoPBindingMismatch Kind = "dpop_binding_mismatch"
	// KindDPoPNotBound is a token response to a DPoP token request whose token_type is not DPoP
	// (RFC 9449 §5).
	KindDPoPNotBound Kind = "dpop_not_bound"
)

// dpopType is the typ header of DPoP proofs (RFC 9449 §4.2).
const dpopType = "dpop+jwt"

// TokenTypeDPoP is the token_type of a DPoP-bound access token (RFC 9449 §5).
const TokenTypeDPoP = "DPoP"

// dpopState is a client's DPoP state: its generated key, the nonces servers gave (RFC 9449 §8, §9),
// by origin, and the token_type of each access token it obtained.
type dpopState struct {
	mu     sync.Mutex
	key    *jose.JSONWebKey
	nonces map[string]string
	types  map[string]string
}

// GenerateDPoPKey makes a fresh P-256 key for ES256 DPoP proofs.
func GenerateDPoPKey() (*jose.JSONWebKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("cannot generate a DPoP key: %w", err)
	}
	jwk := &jose.JSONWebKey{Key: k, Algorithm: string(jose.ES256), Use: "sig"}
	if thumb, err := JWKThumbprint(jwk); err == nil {
		jwk.KeyID = thumb
	}
	return jwk, nil
}

// DPoPEnabled reports whether the client sends DPoP proofs.
func (c *Client) DPoPEnabled() bool { return c.Config.DPoP || c.Config.DPoPKey != nil }

// DPoPKey is the key DPoP proofs are signed with: the configured one, or one generated on first use
// when DPoP is on without a key. It is nil when DPoP is off.
func (c *Client) DPoPKey() (*jose.JSONWebKey, error) {
	if c.Config.DPoPKey != nil {
		return c.Config.DPoPKey, nil
	}
	if !c.Config.DPoP {
		return nil, nil
	}
	d := &c.st().dpop
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.key == nil {
		k, err := GenerateDPoPKey()
		if err != nil {
			return nil, err
		}
		d.key = k
	}
	return d.key, nil
}

// DPoPThumbprint is the RFC 7638 thumbprint (SHA-256, base64url) of the DPoP key's public half, the
// value of cnf.jkt in tokens bound to it; empty when DPoP is off.
func (c *Client) DPoPThumbprint() (string, error) {
	k, err := c.DPoPKey()
	if err != nil || k == nil {
		return "", err
	}
	return JWKThumbprint(k)
}

// JWKThumbprint is the RFC 7638 SHA-256 thumbprint of a key's public half, base64url-encoded.
func JWKThumbprint(k *jose.JSONWebKey) (string, error) {
	pub := k.Public()
	if pub.Key == nil {
		return "", errors.New("the DPoP key has no public half")
	}
	t, err := pub.Thumbprint(cryptoSHA256)
	if err != nil {
		return "", fmt.Errorf("cannot compute the key's thumbprint: %w", err)
	}
	return base64URL(t), nil
}

// dpopAlg is the JWS algorithm of the proofs.
func (c *Client) dpopAlg(k *jose.JSONWebKey) string {
	if c.Config.DPoPAlg != "" {
		return c.Config.DPoPAlg
	}
	return DefaultAlg(k)
}

// htu is the htu claim for a request URL: the URL without query and fragment (RFC 9449 §4.2).
func htu(u *url.URL) string {
	v := *u
	v.RawQuery, v.ForceQuery, v.Fragment, v.RawFragment, v.User = "", false, "", "", nil
	return v.String()
}

// accessTokenHash is the ath claim: the base64url SHA-256 of the access token (RFC 9449 §4.2).
func accessTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64URL(sum[:])
}

// DPoPProof signs a DPoP proof (RFC 9449 §4.2) for a request: typ dpop+jwt, alg and the public jwk
// in the header; a fresh jti, htm, htu and iat, with ath for an access token and nonce when given.
func (c *Client) DPoPProof(method, rawURL, accessToken, nonce string) (string, error) {
	k, err := c.DPoPKey()
	if err != nil {
		return "", err
	}
	if k == nil {
		return "", errors.New("DPoP is off: no key to sign a proof with")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("bad URL for a DPoP proof: %w", err)
	}
	alg := jose.SignatureAlgorithm(c.dpopAlg(k))
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType(dpopType)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: k.Key}, opts)
	if err != nil {
		return "", fmt.Errorf("cannot sign a DPoP proof with %s: %w", alg, err)
	}
	claims := map[string]any{
		"jti": randomValue(),
		"htm": method,
		"htu": htu(u),
		"iat": jwt.NewNumericDate(c.now()),
	}
	if accessToken != "" {
		claims["ath"] = accessTokenHash(accessToken)
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// origin is a URL's scheme and host, which nonces are kept by.
func origin(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }

func (c *Client) dpopNonce(u *url.URL) string {
	d := &c.st().dpop
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.nonces[origin(u)]
}

// rememberNonce keeps the DPoP-Nonce a server sent, on any answer (RFC 9449 §8.2).
func (c *Client) rememberNonce(rawURL string, h http.Header) {
	n := h.Get("DPoP-Nonce")
	if n == "" {
		return
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return
	}
	d := &c.st().dpop
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.nonces == nil {
		d.nonces = map[string]string{}
	}
	d.nonces[origin(u)] = n
}

// dpopKey marks a context whose token requests carry a DPoP proof.
type dpopKey struct{}

// attachDPoP adds a DPoP proof to a token request when the context asks for one.
func (c *Client) attachDPoP(ctx context.Context, req *http.Request) error {
	if on, _ := ctx.Value(dpopKey{}).(bool); !on {
		return nil
	}
	proof, err := c.DPoPProof(req.Method, req.URL.String(), "", c.dpopNonce(req.URL))
	if err != nil {
		return err
	}
	req.Header.Set("DPoP", proof)
	return nil
}

// postToken posts a token request; with DPoP on it carries a proof, and a use_dpop_nonce answer
// that gives a DPoP-Nonce is retried once with a proof carrying it (RFC 9449 §8).
func (c *Client) postToken(ctx context.Context, step, endpoint string, form url.Values) (response, error) {
	if !c.DPoPEnabled() {
		return c.postForm(ctx, step, endpoint, form, true)
	}
	ctx = context.WithValue(ctx, dpopKey{}, true)
	r, err := c.postForm(ctx, step, endpoint, form, true)
	if err != nil {
		return r, err
	}
	c.rememberNonce(endpoint, r.header)
	if !tokenNonceChallenge(r) {
		return r, nil
	}
	r, err = c.postForm(ctx, step, endpoint, form, true)
	if err == nil {
		c.rememberNonce(endpoint, r.header)
	}
	return r, err
}

// tokenNonceChallenge reports a token endpoint's use_dpop_nonce answer with a DPoP-Nonce to retry
// with (RFC 9449 §8.1).
func tokenNonceChallenge(r response) bool {
	if r.status != http.StatusBadRequest || r.header.Get("DPoP-Nonce") == "" {
		return false
	}
	var em errorMembers
	return json.Unmarshal(r.body, &em) == nil && em.Error == "use_dpop_nonce"
}

// resourceNonceChallenge reports a resource server's 401 with WWW-Authenticate: DPoP
// error="use_dpop_nonce" and a DPoP-Nonce to retry with (RFC 9449 §9).
func resourceNonceChallenge(r response) bool {
	if r.status != http.StatusUnauthorized || r.header.Get("DPoP-Nonce") == "" {
		return false
	}
	oe := bearerChallenge(r, "")
	return oe != nil && oe.Code == "use_dpop_nonce"
}

// noteTokenType remembers the token_type of an access token obtained, so resource calls know the
// scheme to present it with.
func (c *Client) noteTokenType(t *Token) {
	if t == nil || !c.DPoPEnabled() {
		return
	}
	d := &c.st().dpop
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.types == nil {
		d.types = map[string]string{}
	}
	d.types[t.AccessToken] = t.TokenType
}

// usesDPoPScheme reports whether an access token is sent as Authorization: DPoP: DPoP is on and
// the token is not one this client obtained as a Bearer token.
func (c *Client) usesDPoPScheme(accessToken string) bool {
	if !c.DPoPEnabled() {
		return false
	}
	d := &c.st().dpop
	d.mu.Lock()
	defer d.mu.Unlock()
	typ, known := d.types[accessToken]
	return !known || strings.EqualFold(typ, TokenTypeDPoP)
}

// resourceRequest sends an access token to a protected resource: as Authorization: DPoP with a
// proof carrying ath when the token is DPoP-bound, else as a bearer token (RFC 6750 §2.1). A 401
// use_dpop_nonce challenge with a DPoP-Nonce is retried once with it.
func (c *Client) resourceRequest(ctx context.Context, method, rawURL, accept, accessToken string, header http.Header, body []byte) (response, error) {
	dpop := c.usesDPoPScheme(accessToken)
	send := func() (response, error) {
		var rd *strings.Reader
		if body != nil {
			rd = strings.NewReader(string(body))
		}
		var req *http.Request
		var err error
		if rd != nil {
			req, err = http.NewRequestWithContext(ctx, method, rawURL, rd)
		} else {
			req, err = http.NewRequestWithContext(ctx, method, rawURL, nil)
		}
		if err != nil {
			return response{}, &Error{Kind: KindMissingEndpoint, Detail: fmt.Sprintf("bad URL %q", rawURL), Err: err}
		}
		for k, v := range header {
			req.Header[k] = append([]string(nil), v...)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if !dpop {
			req.Header.Set("Authorization", "Bearer "+accessToken)
			return c.do(req)
		}
		proof, err := c.DPoPProof(method, rawURL, accessToken, c.dpopNonce(req.URL))
		if err != nil {
			return response{}, err
		}
		req.Header.Set("Authorization", "DPoP "+accessToken)
		req.Header.Set("DPoP", proof)
		r, err := c.do(req)
		if err == nil {
			c.rememberNonce(rawURL, r.header)
		}
		return r, err
	}
	r, err := send()
	if err != nil || !dpop || !resourceNonceChallenge(r) {
		return r, err
	}
	return send()
}

// DPoPChecks checks a token response against the DPoP key (RFC 9449 §5, §6.1): token_type is DPoP,
// and a JWT access token's cnf.jkt is the key's thumbprint. It is nil when DPoP is off.
func (c *Client) DPoPChecks(t *Token) []Check {
	if !c.DPoPEnabled() || t == nil {
		return nil
	}
	var out []Check
	if strings.EqualFold(t.TokenType, TokenTypeDPoP) {
		out = append(out, pass("token_type", "token_type is %q: the access token is bound to the DPoP key (RFC 9449 §5)", t.TokenType))
	} else {
		out = append(out, fail("token_type", KindDPoPNotBound, "token_type is %q, not DPoP: the server ignored the DPoP proof and issued an unbound token (RFC 9449 §5)", t.TokenType))
	}
	jkt, err := c.DPoPThumbprint()
	if err != nil {
		return append(out, fail("cnf.jkt", KindDPoPBindingMismatch, "the DPoP key's thumbprint cannot be computed: %v", err))
	}
	j, err := DecodeJWT(t.AccessToken)
	if err != nil || j.Kind != JWTKindJWS {
		return append(out, skip("cnf.jkt", "the access token is not a JWT, so its binding cannot be read here; introspection would show cnf.jkt"))
	}
	cnf, _ := j.Claims["cnf"].(map[string]any)
	got, _ := cnf["jkt"].(string)
	switch {
	case cnf == nil || got == "":
		out = append(out, fail("cnf.jkt", KindDPoPBindingMismatch, "the JWT access token has no cnf.jkt claim; a DPoP-bound JWT access token must carry the key's thumbprint (RFC 9449 §6.1); the key's is %s", jkt))
	case got != jkt:
		out = append(out, fail("cnf.jkt", KindDPoPBindingMismatch, "cnf.jkt is %s, but the DPoP key's RFC 7638 thumbprint is %s: the token is bound to another key", got, jkt))
	default:
		out = append(out, pass("cnf.jkt", "cnf.jkt %s is the DPoP key's RFC 7638 thumbprint", got))
	}
	return out
}
