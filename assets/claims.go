package assets

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed claims.yaml
var claimsYAML []byte

// ClaimText explains a JWT claim or a JOSE header parameter.
type ClaimText struct {
	// Name is the claim or parameter name, exactly as it appears in a token.
	Name string `yaml:"-"`
	// Summary says in one or two plain sentences what it is and what to look at.
	Summary string
	// Spec is where it is defined ("RFC 7519 §4.1.4"), or the vendor documentation that defines it.
	Spec string
	// Date reports a NumericDate (seconds since 1970-01-01 UTC), best shown as a date.
	Date bool
}

// claimTexts is claims.yaml, parsed on first use. The file is embedded and the package's tests
// parse it, so a parse error here is a build defect and panics.
type claimTexts struct {
	Claims map[string]ClaimText
	Header map[string]ClaimText
}

var claimData = sync.OnceValue(func() claimTexts {
	c, err := parseClaims(claimsYAML)
	if err != nil {
		panic(fmt.Sprintf("assets: claims.yaml: %v", err))
	}
	return c
})

// parseClaims decodes claims.yaml, rejecting unknown fields, and fills in each entry's Name.
func parseClaims(data []byte) (claimTexts, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c claimTexts
	if err := dec.Decode(&c); err != nil {
		return claimTexts{}, err
	}
	if len(c.Claims) == 0 || len(c.Header) == 0 {
		return claimTexts{}, fmt.Errorf("no claims or no header parameters")
	}
	for _, m := range []map[string]ClaimText{c.Claims, c.Header} {
		for name, t := range m {
			t.Name = name
			m[name] = t
		}
	}
	return c, nil
}

// Claim explains a JWT claim: the registered ones (RFC 7519 §4.1), OpenID Connect's, those of the
// OAuth RFCs (9068, 8693, 7800, 9449) and common vendor ones. Names are case-sensitive (RFC 7519
// §4), so "Sub" is not "sub".
func Claim(name string) (ClaimText, bool) {
	t, ok := claimData().Claims[name]
	return t, ok
}

// HeaderParam explains a JOSE header parameter (RFC 7515 §4.1, RFC 7516 §4.1, RFC 7518 §4).
func HeaderParam(name string) (ClaimText, bool) {
	t, ok := claimData().Header[name]
	return t, ok
}
