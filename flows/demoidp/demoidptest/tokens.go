package demoidptest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// Decode splits a compact JWS (RFC 7515 §7.1) into its header and claims, decoded, and its
// signature as sent, checking nothing: for a test that looks at what was issued, or at a token
// signed with alg none. A token that is not three base64url JSON parts fails the test.
func Decode(t testing.TB, token string) (header, claims map[string]any, signature string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("a compact JWS has 3 parts, this token %d", len(parts))
	}
	decode := func(what, s string) map[string]any {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("the token's %s is not base64url: %v", what, err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("the token's %s is not a JSON object: %v", what, err)
		}
		return m
	}
	return decode("header", parts[0]), decode("claims", parts[1]), parts[2]
}

// Claims is Decode's claims.
func Claims(t testing.TB, token string) map[string]any {
	t.Helper()
	_, claims, _ := Decode(t, token)
	return claims
}
