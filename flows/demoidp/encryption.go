package demoidp

import (
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/go-jose/go-jose/v4"
)

// encryption is what a client registered for the tokens the provider sends it encrypted: the
// key-management algorithm and content encryption (OpenID Connect Registration §2,
// id_token_encrypted_response_alg / _enc, and likewise for JARM and userinfo) and the client's
// public key they are encrypted to.
type encryption struct {
	alg jose.KeyAlgorithm
	enc jose.ContentEncryption
	key *rsa.PublicKey
	kid string // the key's RFC 7638 thumbprint, as tokenbench names a client key
}

// The one encryption the provider offers, advertised in its metadata.
const (
	encryptionAlg = jose.RSA_OAEP_256
	encryptionEnc = jose.A256GCM
)

// newEncryption registers encryption to key with the provider's algorithms.
func newEncryption(key *rsa.PublicKey) (*encryption, error) {
	thumb, err := (&jose.JSONWebKey{Key: key}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("demoidp: thumbprint of the encryption key: %w", err)
	}
	return &encryption{alg: encryptionAlg, enc: encryptionEnc, key: key, kid: base64.RawURLEncoding.EncodeToString(thumb)}, nil
}

// seal encrypts a signed JWT into a nested JWT, signed then encrypted (OpenID Connect Core §10.2),
// with cty "JWT" saying the content is a JWT (RFC 7519 §5.2). A nil encryption returns the token
// as it is.
func (e *encryption) seal(signed string) (string, error) {
	if e == nil {
		return signed, nil
	}
	enc, err := jose.NewEncrypter(e.enc, jose.Recipient{Algorithm: e.alg, Key: e.key, KeyID: e.kid},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		return "", fmt.Errorf("demoidp: encrypter: %w", err)
	}
	obj, err := enc.Encrypt([]byte(signed))
	if err != nil {
		return "", fmt.Errorf("demoidp: encrypt: %w", err)
	}
	return obj.CompactSerialize()
}

// encryptionFor is the registered encryption of a client, or nil.
func (p *Provider) encryptionFor(clientID string) *encryption {
	if c := p.client(clientID); c != nil {
		return c.encryption
	}
	return nil
}

// idToken signs an ID token, then encrypts it when the client registered ID token encryption.
func (p *Provider) idToken(clientID string, claims map[string]any, f Faults) (string, error) {
	tok, err := p.signToken(claims, typIDToken, f)
	if err != nil {
		return "", err
	}
	return p.encryptionFor(clientID).seal(tok)
}

// writeUserinfo answers a userinfo request: JSON, or for a client registered for userinfo
// encryption a JWT signed, then encrypted, as application/jwt; a signed answer carries iss and aud
// (OpenID Connect Core §5.3.2).
func (p *Provider) writeUserinfo(w http.ResponseWriter, clientID string, claims map[string]any) {
	e := p.encryptionFor(clientID)
	if e == nil {
		writeJSON(w, http.StatusOK, claims)
		return
	}
	claims["iss"], claims["aud"] = p.issuer, clientID
	signed, err := p.signToken(claims, typIDToken, Faults{})
	if err == nil {
		signed, err = e.seal(signed)
	}
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/jwt")
	noStore(w)
	_, _ = w.Write([]byte(signed))
}
