package demoidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/tokenbench/tokenbench/assets"
)

// samlNS is the SAML 2.0 assertion namespace.
const samlNS = "urn:oasis:names:tc:SAML:2.0:assertion"

// samlBearer is the bearer subject confirmation method (SAML 2.0 Profiles §3.3).
const samlBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

// samlAssertion is what the provider reads of a SAML 2.0 assertion.
type samlAssertion struct {
	XMLName xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
	ID      string   `xml:"ID,attr"`
	Version string   `xml:"Version,attr"`
	Issuer  string   `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
	Subject struct {
		NameID        string `xml:"urn:oasis:names:tc:SAML:2.0:assertion NameID"`
		Confirmations []struct {
			Method string `xml:"Method,attr"`
			Data   struct {
				NotOnOrAfter string `xml:"NotOnOrAfter,attr"`
				Recipient    string `xml:"Recipient,attr"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:assertion SubjectConfirmationData"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion SubjectConfirmation"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Subject"`
	Conditions struct {
		NotBefore    string   `xml:"NotBefore,attr"`
		NotOnOrAfter string   `xml:"NotOnOrAfter,attr"`
		Audiences    []string `xml:"urn:oasis:names:tc:SAML:2.0:assertion AudienceRestriction>Audience"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Conditions"`
}

// samlIssuer is the trusted issuer's SAML signing key and its self-signed certificate.
type samlIssuer struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// trustedSAMLIssuer parses assets/demo/trusted-issuer-saml-rsa.pem and -cert.pem once.
var trustedSAMLIssuer = sync.OnceValues(func() (*samlIssuer, error) {
	keyPEM, certPEM := assets.DemoSAMLIssuer()
	kb, _ := pem.Decode(keyPEM)
	cb, _ := pem.Decode(certPEM)
	if kb == nil || cb == nil {
		return nil, errors.New("demoidp: the trusted SAML issuer's key or certificate in assets/demo is not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("demoidp: the trusted SAML issuer's key: %w", err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("demoidp: the trusted SAML issuer's key is not an RSA key")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("demoidp: the trusted SAML issuer's certificate: %w", err)
	}
	return &samlIssuer{key: rsaKey, cert: cert}, nil
})

// checkedSAML is a SAML assertion whose signature, structure and times the provider checked.
type checkedSAML struct {
	a   samlAssertion
	exp time.Time
}

// checkSAML decodes a base64url SAML 2.0 assertion, verifies its signature and checks what RFC
// 7522 §3 asks. Only the element the signature covers is read, and only after it verified.
func (p *Provider) checkSAML(encoded, what string) (*checkedSAML, *oauthError) {
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(encoded), "="))
	if err != nil {
		return nil, badRequest("invalid_grant", what+" is not base64url (RFC 7522 §2.1): "+err.Error())
	}
	signed, oerr := p.verifySAMLSignature(data, what)
	if oerr != nil {
		return nil, oerr
	}
	a, err := readSAMLAssertion(signed)
	if err != nil {
		return nil, badRequest("invalid_grant", what+" is not a SAML 2.0 Assertion element in namespace "+samlNS+": "+err.Error())
	}
	now := p.now()
	switch {
	case a.Version != "2.0":
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s has Version %q, not 2.0", what, a.Version))
	case a.ID == "":
		return nil, badRequest("invalid_grant", what+" has no ID")
	case strings.TrimSpace(a.Issuer) != TrustedIssuer:
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s Issuer %q is not trusted: the demo provider accepts SAML assertions only from %q", what, strings.TrimSpace(a.Issuer), TrustedIssuer))
	case strings.TrimSpace(a.Subject.NameID) == "":
		return nil, badRequest("invalid_grant", what+" has no Subject NameID (RFC 7522 §3 item 3)")
	}
	if oerr := p.audienceNamesProvider(trimAll(a.Conditions.Audiences), what); oerr != nil {
		return nil, oerr
	}
	var exp time.Time
	bearer := false
	for _, sc := range a.Subject.Confirmations {
		if sc.Method != samlBearer {
			continue
		}
		bearer = true
		t, err := time.Parse(time.RFC3339, sc.Data.NotOnOrAfter)
		if err != nil {
			return nil, badRequest("invalid_grant", fmt.Sprintf("%s SubjectConfirmationData NotOnOrAfter %q is not a UTC dateTime (RFC 7522 §3 item 4 requires it)", what, sc.Data.NotOnOrAfter))
		}
		exp = t
	}
	if !bearer {
		return nil, badRequest("invalid_grant", what+" has no bearer SubjectConfirmation (Method "+samlBearer+", RFC 7522 §3 item 5)")
	}
	if s := a.Conditions.NotOnOrAfter; s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil && t.Before(exp) {
			exp = t
		}
	}
	if !now.Before(exp.Add(assertionLeeway)) {
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s expired at %s (NotOnOrAfter; provider time %s)", what, exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	if s := a.Conditions.NotBefore; s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil && t.After(now.Add(assertionLeeway)) {
			return nil, badRequest("invalid_grant", what+" is not valid yet (Conditions NotBefore is in the future)")
		}
	}
	return &checkedSAML{a: a, exp: exp}, nil
}

// verifySAMLSignature checks the enveloped XML signature of the Assertion in data against the
// trusted issuer's certificate (RFC 7522 §3 item 9: an assertion without a valid signature is
// rejected) and returns the element the signature covers, as the library re-reads it from the
// canonical bytes it digested. The caller reads that element only: an unsigned Assertion wrapped
// around the signed one, or put beside it, is never what the provider reads (signature wrapping).
func (p *Provider) verifySAMLSignature(data []byte, what string) (*etree.Element, *oauthError) {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, badRequest("invalid_grant", what+" is not XML: "+err.Error())
	}
	root, oerr := soleAssertion(doc, what)
	if oerr != nil {
		return nil, oerr
	}
	// SAML 2.0 core §2.3.3, §5.4.2: an assertion is signed by an enveloped ds:Signature child of
	// its own Assertion element, referencing the Assertion's ID.
	if xmlChild(root, dsig.Namespace, dsig.SignatureTag) == nil {
		if signatureBelow(root) {
			return nil, badRequest("invalid_grant", what+" is not signed: its Assertion element has no ds:Signature of its own; the signature inside it belongs to a nested element, and an unsigned Assertion wrapped around a signed one is refused (signature wrapping)")
		}
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s is not signed: its Assertion element has no ds:Signature, and RFC 7522 §3 item 9 requires the issuer's signature; the demo provider accepts assertions signed by %s with the key of assets/demo/trusted-issuer-saml-rsa.pem", what, TrustedIssuer))
	}
	issuer, err := trustedSAMLIssuer()
	if err != nil {
		return nil, &oauthError{status: 500, code: "server_error", desc: err.Error()}
	}
	vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{issuer.cert}})
	vc.Clock = dsig.NewFakeClockAt(p.now())
	signed, err := vc.Validate(root)
	switch {
	case errors.Is(err, dsig.ErrMissingSignature):
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s is not signed: its ds:Signature covers the element %q, not the Assertion itself (ID %q); SAML 2.0 core §5.4.2 requires a reference to the Assertion's own ID", what, signedReference(root), root.SelectAttrValue("ID", "")))
	case err != nil:
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s's signature does not verify against the trusted issuer's certificate: %v (%s)", what, err, signatureHint(root, issuer.cert)))
	}
	return signed, nil
}

// soleAssertion returns the document's only element, a SAML 2.0 Assertion. A second element
// beside it is refused: another reader could take that one instead of the signed one.
func soleAssertion(doc *etree.Document, what string) (*etree.Element, *oauthError) {
	roots := doc.ChildElements()
	for _, t := range doc.Child {
		if cd, ok := t.(*etree.CharData); ok && strings.TrimSpace(cd.Data) != "" {
			return nil, badRequest("invalid_grant", what+" has text outside its Assertion element")
		}
	}
	switch {
	case len(roots) != 1:
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s must be a single SAML 2.0 Assertion element, not %d top-level elements", what, len(roots)))
	case roots[0].Tag != "Assertion" || roots[0].NamespaceURI() != samlNS:
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s is a %s element, not a SAML 2.0 Assertion element in namespace %s", what, roots[0].Tag, samlNS))
	}
	return roots[0], nil
}

// xmlChild is el's first child element with that namespace and local name.
func xmlChild(el *etree.Element, ns, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

// signatureBelow reports whether a ds:Signature is anywhere below el.
func signatureBelow(el *etree.Element) bool {
	for _, c := range el.ChildElements() {
		if (c.Tag == dsig.SignatureTag && c.NamespaceURI() == dsig.Namespace) || signatureBelow(c) {
			return true
		}
	}
	return false
}

// xmlPath follows XML-DSig child elements down from el; nil when one is missing.
func xmlPath(el *etree.Element, tags ...string) *etree.Element {
	for _, tag := range tags {
		if el = xmlChild(el, dsig.Namespace, tag); el == nil {
			return nil
		}
	}
	return el
}

// signedReference is the URI of the first Reference in the Assertion's own ds:Signature.
func signedReference(root *etree.Element) string {
	if ref := xmlPath(root, dsig.SignatureTag, dsig.SignedInfoTag, dsig.ReferenceTag); ref != nil {
		return ref.SelectAttrValue(dsig.URIAttr, "")
	}
	return ""
}

// signatureHint tells a support engineer why a signature failed: the certificate in its KeyInfo
// (SAML 2.0 core §5.4.5) is another than the trusted one — a rotated or wrong signing key — or the
// assertion was changed after signing.
func signatureHint(root *etree.Element, trusted *x509.Certificate) string {
	var der []byte
	if el := xmlPath(root, dsig.SignatureTag, dsig.KeyInfoTag, dsig.X509DataTag, dsig.X509CertificateTag); el != nil {
		der, _ = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(el.Text()), ""))
	}
	if c, err := x509.ParseCertificate(der); err == nil && !c.Equal(trusted) {
		return fmt.Sprintf("it carries the certificate %q, SHA-256 %X, not the trusted issuer's %q: was the signing certificate rotated, or is it another issuer's?",
			c.Subject.String(), sha256.Sum256(c.Raw), trusted.Subject.String())
	}
	return "the assertion was changed after it was signed, or signed with another key"
}

// readSAMLAssertion decodes the fields the provider checks from a verified Assertion element.
func readSAMLAssertion(el *etree.Element) (samlAssertion, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el.Copy())
	data, err := doc.WriteToBytes()
	if err != nil {
		return samlAssertion{}, err
	}
	var a samlAssertion
	err = xml.Unmarshal(data, &a)
	return a, err
}

func trimAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.TrimSpace(x)
	}
	return out
}

// SAMLBearerAssertion is a SAML 2.0 bearer assertion (RFC 7522 §3) from the demo trusted issuer,
// as the tests and the demo mint them.
type SAMLBearerAssertion struct {
	ID           string    // the assertion's ID; empty: a random one
	NameID       string    // the subject; empty: the demo user
	Audience     string    // the provider's issuer or token endpoint (also the Recipient)
	NotOnOrAfter time.Time // zero: five minutes from now
}

// XML is the assertion, unsigned.
func (a SAMLBearerAssertion) XML() []byte {
	id, nameID, exp := a.ID, a.NameID, a.NotOnOrAfter
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
	data.CreateAttr("Recipient", a.Audience)
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
