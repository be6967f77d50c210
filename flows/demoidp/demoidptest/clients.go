package demoidptest

import (
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// The demo clients' ids and secrets, as demoidp's package comment documents them. TestDemoClients
// checks them against the provider's.
const (
	BasicID, BasicSecret         = "demo-basic", "demo-basic-secret"
	PostID, PostSecret           = "demo-post", "demo-post-secret"
	PublicID                     = "demo-public"
	JWTID, JWTSecret             = "demo-jwt", "demo-jwt-secret-0123456789abcdefghijklmnop"
	PrivateKeyJWTID              = "demo-private-key-jwt"
	EncryptedID, EncryptedSecret = "demo-encrypted", "demo-encrypted-secret"
	// SpecialID and SpecialSecret need form-encoding before HTTP Basic (RFC 6749 §2.3.1).
	SpecialID, SpecialSecret = "demo:special+id", "se:cr/et+%&="
)

// Client is the provider's demo client with that id; an unknown id fails the test.
func Client(t testing.TB, p *demoidp.Provider, id string) demoidp.Client {
	t.Helper()
	for _, c := range p.Clients() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("the demo provider has no client %q", id)
	return demoidp.Client{}
}

// Secret is the demo client id's secret ("" for one without).
func Secret(t testing.TB, p *demoidp.Provider, id string) string {
	t.Helper()
	return Client(t, p, id).Secret
}
