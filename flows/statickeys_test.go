package flows

import "github.com/go-jose/go-jose/v4"

// NewStaticKeys is a KeySource over a key set the test built in memory; the program reads a JWKS
// with ParseStaticKeys. It is exported for the tests of package flows_test too.
func NewStaticKeys(set *jose.JSONWebKeySet) KeySource {
	if set == nil {
		set = &jose.JSONWebKeySet{}
	}
	return staticKeys{ks: &keySet{set: set, source: "the given JWKS"}}
}

// parseSet is the key set parseJWKS keeps, without the keys it left out.
func parseSet(body []byte) (*jose.JSONWebKeySet, error) {
	ks, err := parseJWKS(body)
	if err != nil {
		return nil, err
	}
	return ks.set, nil
}
