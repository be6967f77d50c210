package demoidp_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

const grantSAML2Bearer = "urn:ietf:params:oauth:grant-type:saml2-bearer"

// signedSAML mints an assertion for the provider's token endpoint, signed by the trusted issuer.
func signedSAML(t *testing.T, p *demoidp.Provider, id, nameID string) string {
	t.Helper()
	xml, err := demoidp.SAMLBearerAssertion{ID: id, NameID: nameID, Audience: p.Issuer() + "/token"}.Signed()
	if err != nil {
		t.Fatal(err)
	}
	return string(xml)
}

// samlGrant sends xml as a SAML 2.0 bearer grant (RFC 7522 §2.1) as demo-basic.
func samlGrant(t *testing.T, p *demoidp.Provider, xml string) result {
	t.Helper()
	return postBasic(t, p.Issuer()+"/token", url.Values{
		"grant_type": {grantSAML2Bearer},
		"assertion":  {base64.RawURLEncoding.EncodeToString([]byte(xml))},
	})
}

// wantRefused checks an error answer whose description holds every fragment.
func wantRefused(t *testing.T, r result, code string, fragments ...string) {
	t.Helper()
	desc, _ := wantError(t, r, http.StatusBadRequest, code)["error_description"].(string)
	for _, f := range fragments {
		if !strings.Contains(desc, f) {
			t.Errorf("error_description %q lacks %q", desc, f)
		}
	}
}

// otherSigner is an RSA key and self-signed certificate that the provider does not trust.
func otherSigner(t *testing.T) (crypto.Signer, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "some other SAML issuer"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

// trustedCertDER is the trusted issuer's certificate, which anyone can copy into a signature.
func trustedCertDER(t *testing.T) []byte {
	t.Helper()
	_, certPEM := assets.DemoSAMLIssuer()
	block, _ := pem.Decode(certPEM)
	if block == nil {
		t.Fatal("the trusted SAML issuer's certificate is not PEM")
	}
	return block.Bytes
}

func TestSAMLBearerSignedAssertion(t *testing.T) {
	t.Parallel()
	p := demoidptest.StartWith(t, demoidp.Options{})
	xml := signedSAML(t, p, "_signed", "")
	m := wantOK(t, samlGrant(t, p, xml))
	if _, claims, _ := demoidptest.Decode(t, m["access_token"].(string)); claims["sub"] != "demo-user-1" {
		t.Errorf("access token sub %v, want demo-user-1", claims["sub"])
	}
	if _, ok := m["refresh_token"]; ok {
		t.Error("a refresh token for an assertion grant")
	}
	// RFC 7522 §3: the provider may refuse an assertion it saw before; the signature does not change that.
	wantRefused(t, samlGrant(t, p, xml), "invalid_grant", "already used")
}

func TestTokenExchangeSAMLSubjectToken(t *testing.T) {
	t.Parallel()
	p := demoidptest.StartWith(t, demoidp.Options{})
	exchange := func(xml string) result {
		return postBasic(t, p.Issuer()+"/token", url.Values{
			"grant_type":         {"urn:ietf:params:oauth:grant-type:token-exchange"},
			"subject_token":      {base64.RawURLEncoding.EncodeToString([]byte(xml))},
			"subject_token_type": {"urn:ietf:params:oauth:token-type:saml2"},
		})
	}
	m := wantOK(t, exchange(signedSAML(t, p, "", "")))
	if _, claims, _ := demoidptest.Decode(t, m["access_token"].(string)); claims["sub"] != "demo-user-1" {
		t.Errorf("exchanged token sub %v, want demo-user-1", claims["sub"])
	}
	unsigned := demoidp.SAMLBearerAssertion{Audience: p.Issuer()}.XML()
	// RFC 8693 §2.2.2: an invalid subject_token is invalid_request.
	wantRefused(t, exchange(string(unsigned)), "invalid_request", "the SAML subject_token is not signed")
	altered := strings.Replace(signedSAML(t, p, "", "someone-else"), ">someone-else<", ">demo-user-1<", 1)
	wantRefused(t, exchange(altered), "invalid_request", "the SAML subject_token's signature does not verify against the trusted issuer's certificate")
}

func TestSAMLSignatureRefused(t *testing.T) {
	t.Parallel()
	p := demoidptest.StartWith(t, demoidp.Options{})
	aud := p.Issuer() + "/token"
	otherKey, otherCert := otherSigner(t)
	signWith := func(key crypto.Signer, cert []byte) string {
		xml, err := demoidp.SignSAMLAssertion(demoidp.SAMLBearerAssertion{Audience: aud}.XML(), key, cert)
		if err != nil {
			t.Fatal(err)
		}
		return string(xml)
	}
	// An assertion the trusted issuer signed for someone else: the attacker wants it for the demo user.
	original := signedSAML(t, p, "_original", "someone-else")
	forDemoUser := strings.Replace(original, ">someone-else<", ">demo-user-1<", 1)
	advice := "<saml:Advice>" + original + "</saml:Advice></saml:Assertion>"
	notSigned := "the SAML assertion is not signed: "
	noVerify := "the SAML assertion's signature does not verify against the trusted issuer's certificate: "

	cases := []struct {
		name, xml string
		fragments []string
	}{
		{"unsigned", string(demoidp.SAMLBearerAssertion{Audience: aud}.XML()),
			[]string{notSigned, "has no ds:Signature"}},
		{"another key and its certificate", signWith(otherKey, otherCert),
			[]string{noVerify, `it carries the certificate "CN=some other SAML issuer"`, "was the signing certificate rotated"}},
		{"another key beside the trusted certificate", signWith(otherKey, trustedCertDER(t)),
			[]string{noVerify, "signed with another key"}},
		{"NameID altered after signing", forDemoUser,
			[]string{noVerify, "changed after it was signed"}},
		{"unsigned Assertion wrapped around a signed one",
			strings.Replace(string(demoidp.SAMLBearerAssertion{ID: "_wrapper", Audience: aud}.XML()), "</saml:Assertion>", advice, 1),
			[]string{notSigned, "belongs to a nested element", "signature wrapping"}},
		{"signature moved to a wrapping Assertion with a new ID",
			strings.Replace(strings.Replace(forDemoUser, `ID="_original"`, `ID="_wrapper"`, 1), "</saml:Assertion>", advice, 1),
			[]string{notSigned, `covers the element "#_original", not the Assertion itself (ID "_wrapper")`}},
		{"wrapping Assertion with the signed one's ID",
			strings.Replace(forDemoUser, "</saml:Assertion>", advice, 1),
			[]string{noVerify, "changed after it was signed"}},
		{"unsigned Assertion beside the signed one",
			string(demoidp.SAMLBearerAssertion{Audience: aud}.XML()) + signedSAML(t, p, "", ""),
			[]string{"must be a single SAML 2.0 Assertion element, not 2 top-level elements"}},
		{"signed Assertion beside an unsigned one",
			signedSAML(t, p, "", "") + string(demoidp.SAMLBearerAssertion{Audience: aud}.XML()),
			[]string{"must be a single SAML 2.0 Assertion element, not 2 top-level elements"}},
		{"both inside another element",
			`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">` + string(demoidp.SAMLBearerAssertion{Audience: aud}.XML()) + signedSAML(t, p, "", "") + `</samlp:Response>`,
			[]string{"is a Response element, not a SAML 2.0 Assertion element"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, samlGrant(t, p, tc.xml), "invalid_grant", tc.fragments...)
		})
	}
	// A refused assertion is not recorded as used: its ID is still accepted once, signed for the demo user.
	wantOK(t, samlGrant(t, p, signedSAML(t, p, "_original", "")))
}

// FuzzSAMLAssertion sends arbitrary XML as a SAML 2.0 bearer assertion, starting from a signed
// one and the wrapping attempts above: every answer is a token response or invalid_grant, never a
// crash or a 5xx.
func FuzzSAMLAssertion(f *testing.F) {
	p := demoidptest.StartWith(f, demoidp.Options{})
	signed, err := demoidp.SAMLBearerAssertion{Audience: p.Issuer() + "/token"}.Signed()
	if err != nil {
		f.Fatal(err)
	}
	unsigned := demoidp.SAMLBearerAssertion{Audience: p.Issuer()}.XML()
	f.Add(string(signed))
	f.Add(string(unsigned))
	f.Add(strings.Replace(string(unsigned), "</saml:Assertion>", "<saml:Advice>"+string(signed)+"</saml:Advice></saml:Assertion>", 1))
	f.Add(string(unsigned) + string(signed))
	f.Fuzz(func(t *testing.T, xml string) {
		form := url.Values{"grant_type": {grantSAML2Bearer}, "assertion": {base64.RawURLEncoding.EncodeToString([]byte(xml))}}
		req, err := http.NewRequest(http.MethodPost, p.Issuer()+"/token", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(demoidptest.BasicID, demoidptest.BasicSecret)
		resp, err := fuzzClient.Do(req)
		if err != nil {
			t.Fatalf("the token endpoint did not answer: %v", err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatalf("status %d: body is not JSON: %v", resp.StatusCode, err)
		}
		switch {
		case resp.StatusCode == http.StatusOK && m["access_token"] != nil:
		case resp.StatusCode == http.StatusBadRequest && m["error"] == "invalid_grant":
		case xml == "" && m["error"] == "invalid_request": // no assertion at all (RFC 7522 §2.1)
		default:
			t.Fatalf("status %d: %v", resp.StatusCode, m)
		}
	})
}
