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
