package demoidp

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"

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
			Method string                `xml:"Method,attr"`
			Data   *samlConfirmationData `xml:"urn:oasis:names:tc:SAML:2.0:assertion SubjectConfirmationData"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion SubjectConfirmation"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Subject"`
	Conditions struct {
		NotBefore    string   `xml:"NotBefore,attr"`
		NotOnOrAfter string   `xml:"NotOnOrAfter,attr"`
		Audiences    []string `xml:"urn:oasis:names:tc:SAML:2.0:assertion AudienceRestriction>Audience"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Conditions"`
}

// samlConfirmationData is what the provider reads of a SubjectConfirmationData element.
type samlConfirmationData struct {
	NotOnOrAfter string `xml:"NotOnOrAfter,attr"`
	Recipient    string `xml:"Recipient,attr"`
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
// recipients are the token endpoint URLs a bearer confirmation's Recipient may name (RFC 7522 §3
// item 5); nil skips that check, for an assertion that is not a grant delivered here (a token
// exchange's subject token, RFC 8693).
func (p *Provider) checkSAML(encoded, what string, recipients []string) (*checkedSAML, *oauthError) {
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
	exp, oerr := p.samlExpiry(a, recipients, what)
	if oerr != nil {
		return nil, oerr
	}
	return &checkedSAML{a: a, exp: exp}, nil
}

// samlExpiry checks the assertion's times and bearer confirmation and returns when it expires.
// RFC 7522 §3 item 4: the expiry is Conditions' NotOnOrAfter or a bearer SubjectConfirmationData's.
// Item 5: at least one bearer SubjectConfirmation; without NotOnOrAfter on Conditions it must
// carry SubjectConfirmationData; that element, when present, must name the token endpoint in
// Recipient. An assertion not valid in other respects per SAML core is refused too: Conditions'
// NotBefore is honoured, and a time that does not parse fails the assertion rather than being
// ignored.
func (p *Provider) samlExpiry(a samlAssertion, recipients []string, what string) (time.Time, *oauthError) {
	now := p.now()
	var condExp time.Time
	if v := a.Conditions.NotOnOrAfter; v != "" {
		t, oerr := samlTime(v, what+" Conditions NotOnOrAfter")
		if oerr != nil {
			return time.Time{}, oerr
		}
		condExp = t
	}
	if v := a.Conditions.NotBefore; v != "" {
		t, oerr := samlTime(v, what+" Conditions NotBefore")
		if oerr != nil {
			return time.Time{}, oerr
		}
		if t.After(now.Add(assertionLeeway)) {
			return time.Time{}, badRequest("invalid_grant", fmt.Sprintf("%s is not valid yet: Conditions NotBefore is %s (provider time %s)", what, t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		}
	}
	// Each bearer confirmation is tried; the first that passes confirms the subject, else the
	// first one's reason is given.
	var exp time.Time
	var refusal *oauthError
	bearer := false
	for _, sc := range a.Subject.Confirmations {
		if sc.Method != samlBearer {
			continue
		}
		bearer = true
		t, oerr := p.bearerConfirmation(sc.Data, condExp, recipients, what)
		if oerr == nil {
			exp = t
			refusal = nil
			break
		}
		if refusal == nil {
			refusal = oerr
		}
	}
	switch {
	case !bearer:
		return time.Time{}, badRequest("invalid_grant", what+" has no bearer SubjectConfirmation (Method "+samlBearer+", RFC 7522 §3 item 5)")
	case refusal != nil:
		return time.Time{}, refusal
	}
	if !condExp.IsZero() && (exp.IsZero() || condExp.Before(exp)) {
		exp = condExp
	}
	if !now.Before(exp.Add(assertionLeeway)) {
		return time.Time{}, badRequest("invalid_grant", fmt.Sprintf("%s expired at %s (NotOnOrAfter; provider time %s)", what, exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	if exp.Sub(now) > maxAssertionLifetime+assertionLeeway {
		return time.Time{}, badRequest("invalid_grant", fmt.Sprintf("%s is valid for %s more (NotOnOrAfter %s); the provider accepts at most %s", what, exp.Sub(now).Round(time.Second), exp.UTC().Format(time.RFC3339), maxAssertionLifetime))
	}
	return exp, nil
}

// bearerConfirmation checks one bearer SubjectConfirmation's data (RFC 7522 §3 item 5) and
// returns its NotOnOrAfter (zero when it has none; condExp, Conditions' NotOnOrAfter, then bounds
// the assertion).
func (p *Provider) bearerConfirmation(data *samlConfirmationData, condExp time.Time, recipients []string, what string) (time.Time, *oauthError) {
	if data == nil {
		if condExp.IsZero() {
			return time.Time{}, badRequest("invalid_grant", what+" has no expiry: neither Conditions nor a bearer SubjectConfirmationData has NotOnOrAfter (RFC 7522 §3 items 4 and 5)")
		}
		return time.Time{}, nil
	}
	if recipients != nil {
		switch r := strings.TrimSpace(data.Recipient); {
		case r == "":
			return time.Time{}, badRequest("invalid_grant", fmt.Sprintf("%s SubjectConfirmationData has no Recipient; RFC 7522 §3 item 5 requires the token endpoint there (%s)", what, strings.Join(recipients, " or ")))
		case !slices.Contains(recipients, r):
			return time.Time{}, badRequest("invalid_grant", fmt.Sprintf("%s was made for another recipient: SubjectConfirmationData Recipient %q is not this provider's token endpoint (%s), where it was delivered (RFC 7522 §3 item 5)", what, r, strings.Join(recipients, " or ")))
		}
	}
	if data.NotOnOrAfter == "" {
		if condExp.IsZero() {
			return time.Time{}, badRequest("invalid_grant", what+" has no expiry: neither Conditions nor its bearer SubjectConfirmationData has NotOnOrAfter (RFC 7522 §3 item 4)")
		}
		return time.Time{}, nil
	}
	t, oerr := samlTime(data.NotOnOrAfter, what+" SubjectConfirmationData NotOnOrAfter")
	if oerr != nil {
		return time.Time{}, oerr
	}
	if !p.now().Before(t.Add(assertionLeeway)) {
		return time.Time{}, badRequest("invalid_grant", fmt.Sprintf("%s's bearer confirmation expired at %s (SubjectConfirmationData NotOnOrAfter; provider time %s)", what, t.UTC().Format(time.RFC3339), p.now().UTC().Format(time.RFC3339)))
	}
	return t, nil
}

// samlTime reads an attribute of type xs:dateTime; where names it in the refusal.
func samlTime(v, where string) (time.Time, *oauthError) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, badRequest("invalid_grant", fmt.Sprintf("%s %q is not an xs:dateTime such as 2026-03-14T09:26:53Z (SAML 2.0 core §1.3.3)", where, v))
	}
	return t, nil
}

// tokenEndpoints are the URLs a SAML grant may be delivered to: the token endpoint and its mutual
// TLS alias, when that listener runs.
func (p *Provider) tokenEndpoints() []string {
	out := []string{p.endpoint("/token")}
	if m := p.mtlsEndpoint("/token"); m != "" {
		out = append(out, m)
	}
	return out
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
