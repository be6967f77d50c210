package flows

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The key probes: the JWKS reachable, what keys it holds, their kids, the advertised algorithms
// each having a key, and the certificates in x5c.

// minRSABits is the smallest RSA modulus a signing key should have (RFC 7518 §3.3: 2048 bits or
// larger).
const minRSABits = 2048

// keys fetches the JWKS and checks it.
func (doc *doctor) keys(ctx context.Context) {
	const area = "keys"
	jwksURL := doc.endpoints.JWKS
	if jwksURL == "" {
		doc.unknown(area, "jwks", "no jwks_uri: id_token signatures cannot be checked",
			"without the provider's public keys no client can verify its tokens", "give --jwks-uri")
		return
	}
	r, err := doc.c.get(WithStep(ctx, "doctor"), jwksURL, "application/jwk-set+json, application/json", nil)
	if err != nil {
		doc.fromError(area, "jwks", "the JWKS at "+jwksURL+" could not be fetched", err, "")
		return
	}
	var raw json.RawMessage
	if err := decodeJSON(r, "jwks endpoint", &raw); err != nil {
		doc.fromError(area, "jwks", "the JWKS at "+jwksURL+" is not usable", err, "")
		return
	}
	ks, err := parseJWKS(r.body)
	if err != nil {
		doc.fromError(area, "jwks", "the JWKS at "+jwksURL+" is not usable", err, "")
		return
	}
	doc.ok(area, "jwks", fmt.Sprintf("the JWKS at %s holds %s", jwksURL, plural(len(ks.set.Keys), "usable key")))
	for _, p := range ks.problems {
		doc.unknown(area, "key_unusable", p.name()+" cannot be used: "+p.why, "tokens signed with it cannot be verified", "")
	}
	doc.keyKinds(ks)
	doc.kids(ks)
	doc.algsHaveKeys(ks)
	doc.certificates(ks)
}

// keyKinds lists the signing keys' types and sizes, failing weak RSA keys.
func (doc *doctor) keyKinds(ks *keySet) {
	const area = "keys"
	var kinds, weak []string
	for i := range ks.set.Keys {
		k := &ks.set.Keys[i]
		kinds = append(kinds, describeKey(k))
		if pub, ok := k.Key.(*rsa.PublicKey); ok && pub.N.BitLen() < minRSABits {
			weak = append(weak, keyName(k))
		}
	}
	if len(weak) > 0 {
		doc.failed(area, "key_sizes", "RSA keys under 2048 bits: "+strings.Join(weak, ", "),
			"such keys can be factored; RFC 7518 §3.3 requires 2048 bits or more, and many libraries refuse them", "rotate to a 2048-bit or larger key", "")
		return
	}
	doc.ok(area, "key_sizes", "key types: "+listOrNone(kinds))
}

// kids reports duplicate kids and missing ones where several keys would then be ambiguous.
func (doc *doctor) kids(ks *keySet) {
	const area = "keys"
	seen := map[string]int{}
	missing := 0
	for _, k := range ks.set.Keys {
		if k.KeyID == "" {
			missing++
			continue
		}
		seen[k.KeyID]++
	}
	var dups []string
	for kid, n := range seen {
		if n > 1 {
			dups = append(dups, fmt.Sprintf("%q (%d keys)", kid, n))
		}
	}
	slices.Sort(dups)
	switch {
	case len(dups) > 0:
		doc.failed(area, "kids", "kids shared by several keys: "+strings.Join(dups, ", "),
			"a token naming that kid matches more than one key; clients pick one and may fail the signature (RFC 7517 §4.5 wants kids to tell keys apart)",
			"give every key its own kid", string(KindUnknownKID))
	case missing > 0 && len(ks.set.Keys) > 1:
		doc.unknown(area, "kids", fmt.Sprintf("%d of %d keys have no kid", missing, len(ks.set.Keys)),
			"a token cannot name which key signed it; clients try each key of the right type, and some refuse", "give every key a kid")
	default:
		doc.ok(area, "kids", "every key has its own kid")
	}
}

// algsHaveKeys checks each advertised id_token algorithm against the keys (OpenID Connect
// Discovery §3: id_token_signing_alg_values_supported).
func (doc *doctor) algsHaveKeys(ks *keySet) {
	const area = "keys"
	if doc.meta == nil || len(doc.meta.IDTokenSigningAlgs) == 0 {
		doc.unknown(area, "algs", "no id_token_signing_alg_values_supported to compare the keys with", "", "")
		return
	}
	var without []string
	for _, alg := range doc.meta.IDTokenSigningAlgs {
		if alg == "none" {
			doc.failed(area, "alg_none", "the metadata advertises alg none for id_tokens",
				"unsigned id_tokens prove nothing; clients must refuse them (OpenID Connect Core §3.1.3.7)", "remove none from id_token_signing_alg_values_supported", string(KindAlgNone))
			continue
		}
		if kty, _ := algFamily(alg); kty == "oct" || kty == "" {
			continue // HMAC algorithms use the client secret, not a published key
		}
		found := false
		for i := range ks.set.Keys {
			if fits(&ks.set.Keys[i], alg) == "" {
				found = true
				break
			}
		}
		if !found {
			without = append(without, alg)
		}
	}
	if len(without) > 0 {
		doc.failed(area, "algs", "advertised id_token algorithms with no key in the JWKS: "+strings.Join(without, ", "),
			"a token signed with one of them cannot be verified", "publish a key for each advertised algorithm, or stop advertising it", string(KindUnknownKID))
		return
	}
	doc.ok(area, "algs", "every advertised id_token algorithm ("+listOrNone(doc.meta.IDTokenSigningAlgs)+") has a key")
}

// certificates checks the validity dates of every x5c certificate.
func (doc *doctor) certificates(ks *keySet) {
	const area = "keys"
	now := doc.c.now()
	seen := false
	for i := range ks.set.Keys {
		k := &ks.set.Keys[i]
		for _, cert := range k.Certificates {
			seen = true
			switch {
			case now.After(cert.NotAfter):
				doc.failed(area, "x5c", fmt.Sprintf("the x5c certificate of %s expired on %s", keyName(k), fmtTime(cert.NotAfter)),
					"clients that check the certificate (SAML-minded and some Java and .NET libraries) refuse tokens signed with this key",
					"reissue the certificate for the key, or rotate the key", string(KindTLSExpired))
			case now.Before(cert.NotBefore):
				doc.failed(area, "x5c", fmt.Sprintf("the x5c certificate of %s is not valid before %s", keyName(k), fmtTime(cert.NotBefore)),
					"clients that check the certificate refuse the key until then", "check the clocks, or the certificate", "")
			default:
				doc.ok(area, "x5c", fmt.Sprintf("the x5c certificate of %s is valid until %s", keyName(k), fmtTime(cert.NotAfter)))
			}
		}
	}
	if !seen {
		doc.ok(area, "x5c", "no key carries an x5c certificate chain (none is needed)")
	}
}
