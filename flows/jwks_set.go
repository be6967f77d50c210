package flows

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// A parsed JWK Set and how a key is picked from it: every key that cannot be used is kept with
// why, so that an "unknown kid" can say what the set did hold.

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

// parseJWKS parses a JWK Set as ParseStaticKeys describes, keeping the keys it left out and why.
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

// privateMembers are the JWK members that hold private key material (RFC 7518 §6.2.2, §6.3.2;
// RFC 8037 §2).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "priv"}

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
