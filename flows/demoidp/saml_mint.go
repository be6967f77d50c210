package demoidp

import (
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Minting SAML 2.0 bearer assertions, for the demo and the tests.

// SAMLBearerAssertion is a SAML 2.0 bearer assertion (RFC 7522 §3) from the demo trusted issuer,
// as the tests and the demo mint them.
type SAMLBearerAssertion struct {
	ID           string    // the assertion's ID; empty: a random one
	NameID       string    // the subject; empty: the demo user
	Audience     string    // the provider's issuer or token endpoint
	Recipient    string    // the token endpoint it is delivered to; empty: recipientFor(Audience)
	NotOnOrAfter time.Time // zero: five minutes from now
}

// recipientFor is the built-in provider's token endpoint named by audience, its issuer or its
// token endpoint: the Recipient a bearer confirmation must name (RFC 7522 §3 item 5).
func recipientFor(audience string) string {
	if strings.HasSuffix(audience, "/token") {
		return audience
	}
	return strings.TrimSuffix(audience, "/") + "/token"
}

// XML is the assertion, unsigned.
func (a SAMLBearerAssertion) XML() []byte {
	id, nameID, exp, recipient := a.ID, a.NameID, a.NotOnOrAfter, a.Recipient
	if recipient == "" {
		recipient = recipientFor(a.Audience)
	}
	if id == "" {
		id = "_" + rand.Text()
	}
	if nameID == "" {
		nameID = demoUser.sub
	}
	now := time.Now().UTC()
	if exp.IsZero() {
		exp = now.Add(5 * time.Minute)
	}
	doc := etree.NewDocument()
	as := doc.CreateElement("saml:Assertion")
	as.CreateAttr("xmlns:saml", samlNS)
	as.CreateAttr("ID", id)
	as.CreateAttr("Version", "2.0")
	as.CreateAttr("IssueInstant", now.Format(time.RFC3339))
	as.CreateElement("saml:Issuer").SetText(TrustedIssuer)
	subject := as.CreateElement("saml:Subject")
	name := subject.CreateElement("saml:NameID")
	name.CreateAttr("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
	name.SetText(nameID)
	confirmation := subject.CreateElement("saml:SubjectConfirmation")
	confirmation.CreateAttr("Method", samlBearer)
	data := confirmation.CreateElement("saml:SubjectConfirmationData")
	data.CreateAttr("NotOnOrAfter", exp.UTC().Format(time.RFC3339))
	data.CreateAttr("Recipient", recipient)
	conditions := as.CreateElement("saml:Conditions")
	conditions.CreateAttr("NotOnOrAfter", exp.UTC().Format(time.RFC3339))
	conditions.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(a.Audience)
	doc.Indent(2)
	out, _ := doc.WriteToBytes() // writing to memory does not fail
	return out
}

// Signed is the assertion signed by the demo trusted issuer.
func (a SAMLBearerAssertion) Signed() ([]byte, error) {
	issuer, err := trustedSAMLIssuer()
	if err != nil {
		return nil, err
	}
	return SignSAMLAssertion(a.XML(), issuer.key, issuer.cert.Raw)
}

// SignSAMLAssertion signs the Assertion element of assertionXML as SAML 2.0 core §5.4 profiles
// XML-DSig: an enveloped signature referencing the Assertion's ID, exclusive canonicalisation,
// RSA-SHA256 (or ECDSA-SHA256 for an EC key), the certificate (DER) in KeyInfo, placed right
// after the Issuer (§2.3.3). The demo signs with the trusted issuer's key; tests sign with others.
func SignSAMLAssertion(assertionXML []byte, key crypto.Signer, certDER []byte) ([]byte, error) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(assertionXML); err != nil {
		return nil, fmt.Errorf("the SAML assertion is not XML: %w", err)
	}
	root := doc.Root()
	if root == nil {
		return nil, errors.New("the SAML assertion has no element")
	}
	ctx, err := dsig.NewSigningContext(key, [][]byte{certDER})
	if err != nil {
		return nil, err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	sig, err := ctx.ConstructSignature(root, true)
	if err != nil {
		return nil, fmt.Errorf("signing the SAML assertion: %w", err)
	}
	at := 0
	if issuer := xmlChild(root, samlNS, "Issuer"); issuer != nil {
		at = issuer.Index() + 1
	}
	root.InsertChildAt(at, sig)
	return doc.WriteToBytes()
}
