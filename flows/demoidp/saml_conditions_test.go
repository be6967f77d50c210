package demoidp_test

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// signTrusted signs an assertion, altered as a test needs, with the trusted issuer's own key: the
// signature verifies, so what is refused is what the assertion says.
func signTrusted(t *testing.T, xml string) string {
	t.Helper()
	keyPEM, _ := assets.DemoSAMLIssuer()
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		t.Fatal("the trusted SAML issuer's key is not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := demoidp.SignSAMLAssertion([]byte(xml), key.(crypto.Signer), trustedCertDER(t))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// RFC 7522 §3 items 4 and 5: the expiry comes from Conditions or a bearer confirmation, and a
// bearer SubjectConfirmationData names the token endpoint in Recipient.
func TestSAMLConfirmationAndConditions(t *testing.T) {
	t.Parallel()
	p := demoidptest.StartWith(t, demoidp.Options{})
	aud := p.Issuer()
	token := p.Issuer() + "/token"
	soon := time.Now().Add(3 * time.Minute).UTC().Format(time.RFC3339)
	base := func(recipient string) string {
		return string(demoidp.SAMLBearerAssertion{Audience: aud, Recipient: recipient}.XML())
	}
	replaced := func(xml, from, to string) string {
		t.Helper()
		if !strings.Contains(xml, from) {
			t.Fatalf("the assertion has no %q:\n%s", from, xml)
		}
		return strings.Replace(xml, from, to, 1)
	}
	withoutData := func(xml string) string {
		start := strings.Index(xml, "<saml:SubjectConfirmationData")
		end := strings.Index(xml[start:], "/>")
		return xml[:start] + xml[start+end+2:]
	}
	good := base("")
	if !strings.Contains(good, `Recipient="`+token+`"`) {
		t.Fatalf("an assertion for the issuer should name its token endpoint as Recipient:\n%s", good)
	}
	refused := []struct {
		name      string
		xml       string
		fragments []string
	}{
		{"no Recipient", replaced(good, `Recipient="`+token+`"`, ""), []string{"has no Recipient", "RFC 7522 §3 item 5", token}},
		{"another Recipient", base("https://other.example/token"), []string{"made for another recipient", `"https://other.example/token"`, token}},
		{"no expiry at all", replaced(withoutData(good), `<saml:Conditions NotOnOrAfter="`, `<saml:Conditions Expired="`), []string{"has no expiry", "RFC 7522 §3 items 4 and 5"}},
		{"Conditions time that does not parse", replaced(good, `<saml:Conditions NotOnOrAfter="`, `<saml:Conditions NotOnOrAfter="tomorrow" Old="`), []string{`Conditions NotOnOrAfter "tomorrow" is not an xs:dateTime`}},
		{"NotBefore in the future", replaced(good, `<saml:Conditions `, `<saml:Conditions NotBefore="`+time.Now().Add(time.Hour).UTC().Format(time.RFC3339)+`" `), []string{"is not valid yet", "Conditions NotBefore"}},
		{"valid too long", string(demoidp.SAMLBearerAssertion{Audience: aud, NotOnOrAfter: time.Now().Add(time.Hour)}.XML()), []string{"the provider accepts at most 10m0s"}},
		{"confirmation expired", replaced(good, `<saml:SubjectConfirmationData NotOnOrAfter="`, `<saml:SubjectConfirmationData NotOnOrAfter="2020-01-01T00:00:00Z" Old="`), []string{"bearer confirmation expired at 2020-01-01T00:00:00Z"}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, samlGrant(t, p, signTrusted(t, tc.xml)), "invalid_grant", tc.fragments...)
		})
	}
	// Accepted: the expiry on Conditions alone with no SubjectConfirmationData, and a second
	// bearer confirmation that names this token endpoint after one that does not.
	accepted := map[string]string{
		"Conditions expiry only": withoutData(good),
		"second confirmation fits": replaced(base(""), "<saml:SubjectConfirmation ",
			`<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="`+soon+`" Recipient="https://other.example/token"/></saml:SubjectConfirmation><saml:SubjectConfirmation `),
	}
	for name, xml := range accepted {
		t.Run(name, func(t *testing.T) {
			wantOK(t, samlGrant(t, p, signTrusted(t, xml)))
		})
	}
}

// A SAML subject token (RFC 8693) was made for whoever received it, not for this token endpoint:
// its Recipient is not checked, its audience and times are.
func TestTokenExchangeSAMLRecipientNotChecked(t *testing.T) {
	t.Parallel()
	p := demoidptest.StartWith(t, demoidp.Options{})
	xml, err := demoidp.SAMLBearerAssertion{Audience: p.Issuer(), Recipient: "https://app.example/acs"}.Signed()
	if err != nil {
		t.Fatal(err)
	}
	wantOK(t, postBasic(t, p.Issuer()+"/token", url.Values{
		"grant_type":         {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"subject_token":      {base64.RawURLEncoding.EncodeToString(xml)},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:saml2"},
	}))
}
