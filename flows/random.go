package flows

import (
	"crypto"
	"crypto/rand"
	_ "crypto/sha256" // registers SHA-256 for JWK thumbprints
	"encoding/base64"
)

const cryptoSHA256 = crypto.SHA256

// randomValue is an unguessable value for state, nonce and jti: 128 bits from crypto/rand.
func randomValue() string { return rand.Text() }

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
