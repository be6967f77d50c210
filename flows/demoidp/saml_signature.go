package demoidp

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Verifying a SAML assertion's enveloped XML signature, and refusing signature wrapping.

// verifySAMLSignature checks the enveloped XML signature of the Assertion in data against the
// trusted issuer's certificate (RFC 7522 §3: an assertion without a valid signature is
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
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s is not signed: its Assertion element has no ds:Signature, and RFC 7522 §3 requires the issuer's signature; the demo provider accepts assertions signed by %s with the key of assets/demo/trusted-issuer-saml-rsa.pem", what, TrustedIssuer))
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
