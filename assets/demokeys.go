package assets

import _ "embed" // for the demo keys

// The private keys of the built-in provider's private_key_jwt client (demo-private-key-jwt), as PEM.
// They are published with tokenbench for the demo and the tests: never trust them anywhere else.
var (
	//go:embed demo/private-key-jwt-rsa.pem
	DemoClientKeyRSA []byte
	//go:embed demo/private-key-jwt-ec.pem
	DemoClientKeyEC []byte
)

var (
	//go:embed demo/trusted-issuer-saml-rsa.pem
	demoSAMLIssuerKey []byte
	//go:embed demo/trusted-issuer-saml-cert.pem
	demoSAMLIssuerCert []byte
)

// DemoSAMLIssuer returns the RSA private key (PKCS #8) and the self-signed X.509 certificate, both
// PEM, with which the built-in provider's trusted issuer signs SAML 2.0 assertions. Like the keys
// above they are published for the demo and the tests: never trust them anywhere else.
func DemoSAMLIssuer() (keyPEM, certPEM []byte) {
	return append([]byte(nil), demoSAMLIssuerKey...), append([]byte(nil), demoSAMLIssuerCert...)
}
