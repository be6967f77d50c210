package flows_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// demoDecryptionKey is the private key demo-encrypted's tokens are encrypted to.
func demoDecryptionKey(t testing.TB) *jose.JSONWebKey {
	return readKey(t, demoidptest.ClientKeyRSA)
}

// encryptedClient is demo-encrypted with key as its decryption key (nil: none).
func encryptedClient(t testing.TB, p *demoidp.Provider, key *jose.JSONWebKey) *flows.Client {
	t.Helper()
	c := demoClient(t, p, "demo-encrypted")
	c.Config.DecryptionKey = key
	return c
}

// encryptedIDToken runs the authorization code flow with demo-encrypted and returns the id_token
// as the token endpoint sent it, with what it is checked against.
func encryptedIDToken(t testing.TB, c *flows.Client) (string, flows.Expect) {
	t.Helper()
	req, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(tok.IDToken, "."); n != 4 {
		t.Fatalf("the id_token has %d dots, want a JWE (4)", n)
	}
	return tok.IDToken, flows.Expect{Nonce: req.Nonce, AccessToken: tok.AccessToken}
}

func TestEncryptedIDTokenDecryptsAndPassesEveryCheck(t *testing.T) {
	p := demoidptest.Start(t)
	c := encryptedClient(t, p, demoDecryptionKey(t))
	raw, exp := encryptedIDToken(t, c)
	r := c.ValidateIDToken(context.Background(), raw, exp)
	if !r.OK() {
		t.Fatalf("failed checks: %+v", r.Failed())
	}
	d := r.Checks[0]
	if d.Name != "decryption" || d.Status != flows.CheckPass {
		t.Fatalf("first check = %+v", d)
	}
	for _, want := range []string{"RSA-OAEP-256", "A256GCM", "RSA 2048-bit", demoDecryptionKey(t).KeyID, "nested JWT"} {
		if !strings.Contains(d.Detail, want) {
			t.Errorf("decryption detail %q lacks %q", d.Detail, want)
		}
	}
	wantChecks(t, &r, flows.CheckPass, "format", "typ", "alg", "signature", "iss", "sub", "aud", "exp", "iat", "nonce", "at_hash")
	if r.Token.Kind != flows.JWTKindJWS || r.Token.ClaimString("sub") == "" || r.Encrypted == nil || r.Encrypted.Raw != raw {
		t.Errorf("token %+v, encrypted %+v", r.Token, r.Encrypted)
	}
	if cty, _ := r.Encrypted.Header["cty"].(string); cty != "JWT" {
		t.Errorf("cty = %q, want JWT", cty)
	}
}

func TestEncryptedIDTokenWithoutKey(t *testing.T) {
	p := demoidptest.Start(t)
	c := encryptedClient(t, p, nil)
	raw, exp := encryptedIDToken(t, c)
	r := c.ValidateIDToken(context.Background(), raw, exp)
	d := r.Checks[0]
	if d.Name != "decryption" || d.Status != flows.CheckFail || d.Kind != flows.KindJWENotDecryptable ||
		!strings.Contains(d.Detail, "JWE alg RSA-OAEP-256, enc A256GCM") || !strings.Contains(d.Detail, "no decryption key") {
		t.Fatalf("decryption = %+v", d)
	}
	wantChecks(t, &r, flows.CheckSkipped, "signature", "iss", "exp")
}

func TestEncryptedIDTokenWrongKey(t *testing.T) {
	p := demoidptest.Start(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	raw, exp := encryptedIDToken(t, encryptedClient(t, p, demoDecryptionKey(t)))
	cases := []struct {
		name string
		key  *jose.JSONWebKey
		want []string
	}{
		{"another RSA key", &jose.JSONWebKey{Key: other, KeyID: "other"}, []string{"does not decrypt", `kid "other"`, "another public key"}},
		{"an EC key", readKey(t, demoidptest.ClientKeyEC), []string{"RSA-OAEP-256 needs an RSA private key", "EC P-256"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := encryptedClient(t, p, tc.key).ValidateIDToken(context.Background(), raw, exp)
			d := r.Checks[0]
			if d.Name != "decryption" || d.Status != flows.CheckFail || d.Kind != flows.KindDecryptionFailed {
				t.Fatalf("decryption = %+v", d)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Detail, w) {
					t.Errorf("detail %q lacks %q", d.Detail, w)
				}
			}
			wantChecks(t, &r, flows.CheckSkipped, "signature", "sub")
		})
	}
}

func TestEncryptedIDTokenTampered(t *testing.T) {
	p := demoidptest.Start(t)
	c := encryptedClient(t, p, demoDecryptionKey(t))
	raw, exp := encryptedIDToken(t, c)
	parts := strings.Split(raw, ".")
	ct := []byte(parts[3]) // the ciphertext; a character in its middle changes, still base64url
	if i := len(ct) / 2; ct[i] == 'A' {
		ct[i] = 'B'
	} else {
		ct[i] = 'A'
	}
	parts[3] = string(ct)
	tampered := strings.Join(parts, ".")
	if tampered == raw {
		t.Fatal("nothing changed")
	}
	r := c.ValidateIDToken(context.Background(), tampered, exp)
	d := r.Checks[0]
	if d.Status != flows.CheckFail || d.Kind != flows.KindDecryptionFailed || !strings.Contains(d.Detail, "altered") {
		t.Fatalf("decryption = %+v", d)
	}
}

func TestEncryptedUserInfo(t *testing.T) {
	p := demoidptest.Start(t)
	c := encryptedClient(t, p, demoDecryptionKey(t))
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	ui, err := c.UserInfo(context.Background(), tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if ui.JWT == nil || ui.JWT.Kind != flows.JWTKindJWS || ui.Members["sub"] == nil || ui.Members["aud"] != "demo-encrypted" {
		t.Fatalf("userinfo = %+v", ui)
	}
	c.Config.DecryptionKey = nil
	_, err = c.UserInfo(context.Background(), tok.AccessToken)
	wantKind(t, err, flows.KindJWENotDecryptable, "userinfo", "RSA-OAEP-256")
}

func TestEncryptedJARM(t *testing.T) {
	p := demoidptest.Start(t)
	c := encryptedClient(t, p, demoDecryptionKey(t))
	c.Config.ResponseMode = "query.jwt"
	req, res, _, err := authorizeJS(t, c)
	if err != nil {
		t.Fatal(err)
	}
	wantChecks(t, res.JARM, flows.CheckPass, "decryption", "format", "signature", "iss", "aud", "exp")
	if res.JARM.Encrypted == nil || res.Code == "" || res.State != req.State {
		t.Fatalf("JARM: %+v", res)
	}
	c.Config.DecryptionKey = nil
	_, _, _, err = authorizeJS(t, c)
	wantKind(t, err, flows.KindJWENotDecryptable, "JARM")
}

// signedForTest is a JWS of claims signed with a fresh key, and the key set that verifies it.
func signedForTest(t *testing.T, claims map[string]any) (string, flows.KeySource) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k, KeyID: "s1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok, flows.NewStaticKeys(&jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "s1", Algorithm: "ES256", Use: "sig"}}})
}

// encryptForTest encrypts plaintext to key's public part.
func encryptForTest(t *testing.T, plaintext string, alg jose.KeyAlgorithm, enc jose.ContentEncryption, pub any) string {
	t.Helper()
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: pub}, (&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := e.Encrypt([]byte(plaintext))
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every key-management algorithm and content encryption tokenbench accepts decrypts, and RSA1_5
// is refused with its reason.
func TestDecryptionAlgorithms(t *testing.T) {
	now := time.Now()
	claims := map[string]any{"iss": "https://op.example", "sub": "u1", "aud": "c1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	inner, keys := signedForTest(t, claims)
	rsaKey := demoDecryptionKey(t)
	ecKey := readKey(t, demoidptest.ClientKeyEC)
	exp := flows.Expect{Issuer: "https://op.example", Audience: "c1", IDToken: true}
	for _, alg := range []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256, jose.ECDH_ES, jose.ECDH_ES_A128KW, jose.ECDH_ES_A256KW} {
		for _, enc := range []jose.ContentEncryption{jose.A128GCM, jose.A256GCM, jose.A128CBC_HS256, jose.A256CBC_HS512} {
			t.Run(string(alg)+" "+string(enc), func(t *testing.T) {
				key := rsaKey
				if strings.HasPrefix(string(alg), "ECDH") {
					key = ecKey
				}
				raw := encryptForTest(t, inner, alg, enc, key.Public().Key)
				exp.DecryptionKey = key
				r := flows.Verify(context.Background(), raw, keys, exp, now, time.Minute)
				if !r.OK() || r.Checks[0].Name != "decryption" || r.Checks[0].Status != flows.CheckPass {
					t.Fatalf("checks: %+v", r.Checks)
				}
			})
		}
	}
	t.Run("RSA1_5", func(t *testing.T) {
		raw := encryptForTest(t, inner, jose.RSA1_5, jose.A128CBC_HS256, rsaKey.Public().Key)
		exp.DecryptionKey = rsaKey
		r := flows.Verify(context.Background(), raw, keys, exp, now, time.Minute)
		d := r.Checks[0]
		if d.Status != flows.CheckFail || d.Kind != flows.KindJWEAlgRefused || !strings.Contains(d.Detail, "RFC 8725 §3.2") || !strings.Contains(d.Detail, "padding-oracle") {
			t.Fatalf("decryption = %+v", d)
		}
	})
	t.Run("encrypted, not signed", func(t *testing.T) {
		b, err := json.Marshal(claims)
		if err != nil {
			t.Fatal(err)
		}
		raw := encryptForTest(t, string(b), jose.RSA_OAEP_256, jose.A256GCM, rsaKey.Public().Key)
		exp.DecryptionKey = rsaKey
		r := flows.Verify(context.Background(), raw, keys, exp, now, time.Minute)
		f, _ := r.Find("format")
		if r.Checks[0].Status != flows.CheckPass || f.Status != flows.CheckFail || !strings.Contains(f.Detail, "not a signed JWT") {
			t.Fatalf("checks: %+v", r.Checks)
		}
	})
}
