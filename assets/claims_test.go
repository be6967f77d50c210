package assets

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// claimSpecPattern accepts an RFC or OpenID section, or vendor documentation, in a ";"-separated
// list.
var claimSpecPattern = regexp.MustCompile(`^((RFC \d{4} §\d+(\.\d+)*(, §\d+(\.\d+)*)*)|(OpenID Connect [A-Za-z -]+?( 1\.0)? §\d+(\.\d+)*(, §\d+(\.\d+)*)*)|((Microsoft Entra ID|Okta|Keycloak|Auth0|AWS Cognito|Google) [A-Za-z ]+))(; .+)?$`)

// requiredClaims are the claims the inspector must be able to explain.
var requiredClaims = []string{
	// RFC 7519 §4.1
	"iss", "sub", "aud", "exp", "nbf", "iat", "jti",
	// OpenID Connect Core §2, §3
	"auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash", "sid",
	// OpenID Connect Core §5.1
	"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile",
	"picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
	"phone_number", "phone_number_verified", "address", "updated_at",
	// RFC 9068, 8693, 7800 / 9449 / 8705
	"client_id", "scope", "act", "may_act", "cnf", "roles", "groups", "entitlements",
	// vendors
	"tid", "oid", "upn", "scp", "realm_access", "resource_access", "cognito:groups", "token_use",
}

var requiredHeaderParams = []string{"alg", "kid", "typ", "x5t", "x5t#S256", "x5c", "jku", "jwk", "cty", "crit", "enc", "zip"}

// checkText reports what is wrong with one entry.
func checkText(t *testing.T, kind, name string, c ClaimText) {
	t.Helper()
	if c.Name != name {
		t.Errorf("%s %q: Name is %q", kind, name, c.Name)
	}
	for field, s := range map[string]string{"Summary": c.Summary, "Spec": c.Spec} {
		switch {
		case strings.TrimSpace(s) == "":
			t.Errorf("%s %q: %s is empty", kind, name, field)
		case s != strings.TrimSpace(s), strings.ContainsAny(s, "\n\r\t"):
			t.Errorf("%s %q: %s has stray whitespace", kind, name, field)
		}
	}
	if c.Summary != "" && !strings.HasSuffix(c.Summary, ".") {
		t.Errorf("%s %q: Summary does not end with a period", kind, name)
	}
	if c.Spec != "" && !claimSpecPattern.MatchString(c.Spec) {
		t.Errorf("%s %q: Spec %q names neither a specification section nor vendor documentation", kind, name, c.Spec)
	}
}

func TestEveryClaimExplained(t *testing.T) {
	for _, name := range slices.Sorted(maps.Keys(claimData().Claims)) {
		c, ok := Claim(name)
		if !ok {
			t.Fatalf("claims.yaml has %q, but Claim does not find it", name)
		}
		checkText(t, "claim", name, c)
	}
	for _, name := range slices.Sorted(maps.Keys(claimData().Header)) {
		c, ok := HeaderParam(name)
		if !ok {
			t.Fatalf("claims.yaml has header parameter %q, but HeaderParam does not find it", name)
		}
		checkText(t, "header parameter", name, c)
	}
}

func TestRequiredClaims(t *testing.T) {
	for _, name := range requiredClaims {
		if _, ok := Claim(name); !ok {
			t.Errorf("no explanation for the claim %q", name)
		}
	}
	for _, name := range requiredHeaderParams {
		if _, ok := HeaderParam(name); !ok {
			t.Errorf("no explanation for the header parameter %q", name)
		}
	}
}

func TestClaimLookup(t *testing.T) {
	exp, ok := Claim("exp")
	if !ok || !exp.Date || exp.Spec != "RFC 7519 §4.1.4" {
		t.Errorf("exp: %+v", exp)
	}
	if iss, _ := Claim("iss"); iss.Date {
		t.Error("iss is not a date")
	}
	for _, name := range []string{"exp", "nbf", "iat", "auth_time", "updated_at"} {
		if c, _ := Claim(name); !c.Date {
			t.Errorf("%s should be marked as a date", name)
		}
	}
	if _, ok := Claim("Sub"); ok {
		t.Error("claim names are case-sensitive (RFC 7519 §4)")
	}
	if _, ok := Claim("not_a_claim"); ok {
		t.Error("an unknown claim was found")
	}
	if alg, ok := HeaderParam("alg"); !ok || !strings.Contains(alg.Spec, "RFC 7515 §4.1.1") {
		t.Errorf("alg: %+v", alg)
	}
	// typ is both a header parameter and, in Keycloak, a claim: the two are kept apart.
	h, _ := HeaderParam("typ")
	c, _ := Claim("typ")
	if h.Summary == c.Summary {
		t.Error("the typ header and the typ claim share an explanation")
	}
}

func TestParseClaimsRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field": "claims:\n  iss:\n    summary: \"x.\"\n    spec: \"RFC 7519 §4.1.1\"\n    extra: 1\nheader:\n  alg:\n    summary: \"x.\"\n    spec: \"RFC 7515 §4.1.1\"\n",
		"duplicate":     "claims:\n  iss:\n    summary: \"x.\"\n  iss:\n    summary: \"y.\"\nheader:\n  alg:\n    summary: \"x.\"\n",
		"no header":     "claims:\n  iss:\n    summary: \"x.\"\n",
		"not yaml":      "claims: [",
	} {
		if _, err := parseClaims([]byte(doc)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}
