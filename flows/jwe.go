package flows

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// Decryption of encrypted tokens (RFC 7516 JWE) with the client's private key: id_tokens (OpenID
// Connect Core §10.2), JARM responses (JARM §2.3) and userinfo answers (OpenID Connect Core §5.3.2).
// go-jose does the cryptography; this file picks the algorithms it may use and explains failures.

// The failure kinds of decryption, besides KindJWENotDecryptable (no key at all).
const (
	// KindDecryptionFailed is a JWE the client's key does not open: encrypted to another key, or
	// altered on the way (RFC 7516 §5.2).
	KindDecryptionFailed Kind = "decryption_failed"
	// KindJWEAlgRefused is a JWE key-management or content-encryption algorithm tokenbench does not
	// accept: RSA1_5 (RFC 8725 §3.2), or one it does not know.
	KindJWEAlgRefused Kind = "jwe_alg_refused"
)

// jweKeyAlgs are the key-management algorithms accepted (RFC 7518 §4.3, §4.6), by the key type
// they need.
var jweKeyAlgs = map[jose.KeyAlgorithm]string{
	jose.RSA_OAEP:       "RSA",
	jose.RSA_OAEP_256:   "RSA",
	jose.ECDH_ES:        "EC",
	jose.ECDH_ES_A128KW: "EC",
	jose.ECDH_ES_A256KW: "EC",
}

// jweContentEncs are the content encryptions accepted (RFC 7518 §5.1).
var jweContentEncs = []jose.ContentEncryption{jose.A128GCM, jose.A256GCM, jose.A128CBC_HS256, jose.A256CBC_HS512}

// JWEKeyAlgorithms and JWEContentEncryptions list what tokenbench decrypts, for help texts.
func JWEKeyAlgorithms() []string {
	out := make([]string, 0, len(jweKeyAlgs))
	for a := range jweKeyAlgs {
		out = append(out, string(a))
	}
	slices.Sort(out)
	return out
}

// JWEContentEncryptions lists the content encryptions tokenbench decrypts.
func JWEContentEncryptions() []string {
	out := make([]string, len(jweContentEncs))
	for i, e := range jweContentEncs {
		out[i] = string(e)
	}
	return out
}

// decryptJWE decrypts a decoded JWE with key and reports it as the "decryption" check. The
// plaintext is nil when the check did not pass.
func decryptJWE(j *JWT, key *jose.JSONWebKey) ([]byte, Check) {
	alg, enc := j.Alg(), j.Enc()
	if alg == string(jose.RSA1_5) {
		// RFC 8725 §3.2: RSAES-PKCS1-v1_5 key transport is open to padding-oracle attacks
		// (Bleichenbacher); a provider should use RSA-OAEP.
		return nil, fail("decryption", KindJWEAlgRefused, "the token is encrypted with alg RSA1_5, which tokenbench refuses: RSAES-PKCS1-v1_5 key transport is open to padding-oracle attacks, and RFC 8725 §3.2 says to use RSA-OAEP instead; ask the provider to register RSA-OAEP or RSA-OAEP-256 for this client")
	}
	needs, known := jweKeyAlgs[jose.KeyAlgorithm(alg)]
	if !known {
		return nil, fail("decryption", KindJWEAlgRefused, "the token's key-management alg %q is not one tokenbench decrypts (%s)", alg, strings.Join(JWEKeyAlgorithms(), ", "))
	}
	if !slices.Contains(jweContentEncs, jose.ContentEncryption(enc)) {
		return nil, fail("decryption", KindJWEAlgRefused, "the token's content encryption enc %q is not one tokenbench decrypts (%s)", enc, strings.Join(JWEContentEncryptions(), ", "))
	}
	if key == nil {
		return nil, fail("decryption", KindJWENotDecryptable, "the token is encrypted (JWE alg %s, enc %s), and no decryption key is configured, so none of its claims can be read or checked (an encrypted token is decrypted with the client's private key, OpenID Connect Core §10.2)", alg, enc)
	}
	if kty, _ := keyType(key); kty != needs {
		return nil, fail("decryption", KindDecryptionFailed, "alg %s needs an %s private key, and the decryption key is %s", alg, needs, keyName(key))
	}
	obj, err := jose.ParseEncryptedCompact(j.Raw, []jose.KeyAlgorithm{jose.KeyAlgorithm(alg)}, jweContentEncs)
	if err != nil {
		return nil, fail("decryption", KindMalformedJWT, "the JWE cannot be parsed: %v", err)
	}
	plain, err := obj.Decrypt(key)
	if err != nil {
		why := "either it was encrypted to another key, or it was altered on the way (its authentication tag does not match, RFC 7516 §5.2)"
		if kid := j.Kid(); kid != "" && key.KeyID != "" && kid != key.KeyID {
			why = fmt.Sprintf("it was encrypted to kid %q, and the decryption key is kid %q: the provider holds another public key for this client (or the token was altered on the way)", kid, key.KeyID)
		}
		return nil, fail("decryption", KindDecryptionFailed, "%s does not decrypt this token (alg %s, enc %s): %s", keyName(key), alg, enc, why)
	}
	if plain == nil {
		plain = []byte{} // decrypted, and empty: the format check says so
	}
	return plain, pass("decryption", "decrypted (alg %s, enc %s) with %s%s", alg, enc, keyName(key), ctyPhrase(j))
}

// ctyPhrase says what the decrypted content is by the cty header (RFC 7519 §5.2: "JWT" marks a
// nested JWT).
func ctyPhrase(j *JWT) string {
	cty := j.headerString("cty")
	if strings.EqualFold(cty, "JWT") {
		return "; the content is a nested JWT (cty JWT)"
	}
	if cty == "" {
		return "; no cty header"
	}
	return fmt.Sprintf("; cty %q", cty)
}
