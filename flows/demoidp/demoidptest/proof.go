package demoidptest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

// ProofJWT is a BlockID proof_of_authentication_jwt for the demo user, as the provider's direct
// authorization (POST /v1/authorize) accepts it: sub demo-user-1, aud the issuer, a minute to live,
// signed HS256 with the client's secret (RFC 7518 §3.2: at least 32 bytes, so demo-jwt's).
//
// It is a JWS compact serialization (RFC 7515 §7.1) built with the standard library alone, so that
// this package needs no JOSE library of its own.
func ProofJWT(t testing.TB, issuer, secret string) string {
	t.Helper()
	now := time.Now()
	header, err := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := json.Marshal(map[string]any{"sub": "demo-user-1", "aud": issuer, "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	signingInput := b64(header) + "." + b64(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signingInput))
	return signingInput + "." + b64(mac.Sum(nil))
}
