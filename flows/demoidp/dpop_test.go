package demoidp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// dpopProof signs a proof with a fresh P-256 key, with typ and extra header options.
func dpopProof(t *testing.T, p *demoidp.Provider, typ string, embedPrivate bool, iat time.Time) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	opts := (&jose.SignerOptions{EmbedJWK: !embedPrivate}).WithType(jose.ContentType(typ))
	if embedPrivate {
		opts = opts.WithHeader("jwk", jose.JSONWebKey{Key: k})
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, opts)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(map[string]any{"jti": randomJTI(), "htm": "POST", "htu": p.Issuer() + "/token", "iat": iat.Unix()}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func randomJTI() string { return rand.Text() }

func dpopTokenRequest(t *testing.T, p *demoidp.Provider, proof string) result {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.Issuer()+"/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(demoidptest.BasicID, demoidptest.BasicSecret)
	req.Header.Set("DPoP", proof)
	return do(t, req)
}

func TestDPoPProofChecks(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	meta := get(t, p.Issuer()+"/.well-known/openid-configuration").json(t)
	algs, _ := meta["dpop_signing_alg_values_supported"].([]any)
	if !slices.Contains(algs, any("ES256")) {
		t.Errorf("dpop_signing_alg_values_supported %v", meta["dpop_signing_alg_values_supported"])
	}
	now := time.Now()
	good := wantOK(t, dpopTokenRequest(t, p, dpopProof(t, p, "dpop+jwt", false, now)))
	if good["token_type"] != "DPoP" {
		t.Errorf("token_type %v", good["token_type"])
	}
	_, claims := mustVerify(t, p, good["access_token"].(string))
	if cnf, _ := claims["cnf"].(map[string]any); cnf["jkt"] == nil {
		t.Errorf("access token claims %v lack cnf.jkt", claims)
	}
	for _, tc := range []struct {
		name, proof, want string
	}{
		{"typ", dpopProof(t, p, "JWT", false, now), "typ is \"JWT\""},
		{"private jwk", dpopProof(t, p, "dpop+jwt", true, now), "private"},
		{"stale iat", dpopProof(t, p, "dpop+jwt", false, now.Add(-10*time.Minute)), "outside the accepted window"},
		{"future iat", dpopProof(t, p, "dpop+jwt", false, now.Add(10*time.Minute)), "outside the accepted window"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := wantError(t, dpopTokenRequest(t, p, tc.proof), http.StatusBadRequest, "invalid_dpop_proof")
			if d, _ := m["error_description"].(string); !strings.Contains(d, tc.want) {
				t.Errorf("error_description %q, want %q", d, tc.want)
			}
		})
	}
	// An HMAC proof: the alg is not allowed.
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, (&jose.SignerOptions{}).WithType("dpop+jwt"))
	hs, _ := jwt.Signed(signer).Claims(map[string]any{"jti": "x", "htm": "POST", "htu": p.Issuer() + "/token", "iat": now.Unix()}).Serialize()
	wantError(t, dpopTokenRequest(t, p, hs), http.StatusBadRequest, "invalid_dpop_proof")
}

func TestDPoPNonceFault(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	p.SetFaults(demoidp.Faults{DPoPNonce: true})
	r := dpopTokenRequest(t, p, dpopProof(t, p, "dpop+jwt", false, time.Now()))
	wantError(t, r, http.StatusBadRequest, "use_dpop_nonce")
	if r.header.Get("DPoP-Nonce") == "" {
		t.Error("no DPoP-Nonce header with use_dpop_nonce")
	}
}
