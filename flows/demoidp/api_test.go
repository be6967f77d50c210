package demoidp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// callAPI sends a request to the demo API with an Authorization header (none when empty), a DPoP
// header (none when empty) and a form body (none when nil).
func callAPI(t *testing.T, p *demoidp.Provider, method, authorization, proof string, form url.Values) result {
	t.Helper()
	var req *http.Request
	var err error
	if form != nil {
		req, err = http.NewRequest(method, p.Issuer()+demoidp.APIPath, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, err = http.NewRequest(method, p.Issuer()+demoidp.APIPath, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	return do(t, req)
}

// keyedProof signs a DPoP proof with k for htm and htu, with ath when accessToken is given.
func keyedProof(t *testing.T, k *ecdsa.PrivateKey, htm, htu, accessToken string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"jti": randomJTI(), "htm": htm, "htu": htu, "iat": time.Now().Unix()}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAPIBearer(t *testing.T) {
	clock := demoidptest.NewClock(time.Now())
	p := demoidptest.StartWith(t, demoidp.Options{Now: clock.Now})
	at := tokens(t, p, "openid email")["access_token"].(string)
	m := wantOK(t, callAPI(t, p, http.MethodGet, "Bearer "+at, "", nil))
	if m["sub"] != "demo-user-1" || m["client_id"] != demoidptest.BasicID || m["scope"] != "openid email" || m["bound"] != "bearer" || m["method"] != "GET" || m["cnf"] != nil {
		t.Errorf("GET answer %v", m)
	}
	// Any method; the token in a form body (RFC 6750 §2.2) is found as userinfo finds it.
	m = wantOK(t, callAPI(t, p, http.MethodPost, "", "", url.Values{"access_token": {at}, "note": {"hi"}}))
	got, _ := m["received"].(map[string]any)
	if m["method"] != "POST" || got["content_type"] != "application/x-www-form-urlencoded" || got["bytes"] == nil {
		t.Errorf("POST answer %v", m)
	}
	if m := wantOK(t, callAPI(t, p, http.MethodDelete, "Bearer "+at, "", nil)); m["method"] != "DELETE" {
		t.Errorf("DELETE answer %v", m)
	}

	// A client_credentials token names the client: the API takes it, where userinfo would not.
	cc := wantOK(t, postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"client_credentials"}}))
	if m := wantOK(t, callAPI(t, p, http.MethodGet, "Bearer "+cc["access_token"].(string), "", nil)); m["sub"] != demoidptest.BasicID || m["bound"] != "bearer" {
		t.Errorf("client_credentials answer %v", m)
	}

	r := callAPI(t, p, http.MethodGet, "", "", nil)
	if ch := r.header.Get("WWW-Authenticate"); r.status != http.StatusUnauthorized || !strings.HasPrefix(ch, "Bearer realm=") || strings.Contains(ch, "error=") {
		t.Errorf("no token: status %d WWW-Authenticate %q, want a bare Bearer challenge (RFC 6750 §3.1)", r.status, ch)
	}
	wantBearerError(t, callAPI(t, p, http.MethodGet, "Bearer garbage", "", nil), "unknown token")
	clock.Advance(61 * time.Minute)
	wantBearerError(t, callAPI(t, p, http.MethodGet, "Bearer "+at, "", nil), "expired token")
}

func TestAPIDPoPBound(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tok := wantOK(t, dpopTokenRequest(t, p, keyedProof(t, k, http.MethodPost, p.Issuer()+"/token", "")))
	at := tok["access_token"].(string)
	api := p.Issuer() + demoidp.APIPath

	m := wantOK(t, callAPI(t, p, http.MethodGet, "DPoP "+at, keyedProof(t, k, http.MethodGet, api, at), nil))
	cnf, _ := m["cnf"].(map[string]any)
	if m["bound"] != "dpop" || cnf["jkt"] == nil || m["sub"] != demoidptest.BasicID {
		t.Errorf("answer %v", m)
	}

	refused := func(name string, r result, code, why string) {
		t.Helper()
		ch := r.header.Get("WWW-Authenticate")
		if r.status != http.StatusUnauthorized || !strings.HasPrefix(ch, "DPoP ") || !strings.Contains(ch, `error="`+code+`"`) || !strings.Contains(ch, why) {
			t.Errorf("%s: status %d WWW-Authenticate %q, want 401 %s mentioning %q", name, r.status, ch, code, why)
		}
	}
	refused("as a bearer token", callAPI(t, p, http.MethodGet, "Bearer "+at, "", nil), "invalid_token", "not as a Bearer token")
	refused("a proof for userinfo", callAPI(t, p, http.MethodGet, "DPoP "+at, keyedProof(t, k, http.MethodGet, p.Issuer()+"/userinfo", at), nil), "invalid_dpop_proof", "htu")
	refused("a proof for POST", callAPI(t, p, http.MethodGet, "DPoP "+at, keyedProof(t, k, http.MethodPost, api, at), nil), "invalid_dpop_proof", "htm")
	refused("a proof without ath", callAPI(t, p, http.MethodGet, "DPoP "+at, keyedProof(t, k, http.MethodGet, api, ""), nil), "invalid_dpop_proof", "no ath")
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	refused("another key", callAPI(t, p, http.MethodGet, "DPoP "+at, keyedProof(t, other, http.MethodGet, api, at), nil), "invalid_dpop_proof", "cnf.jkt")

	// With the dpop-nonce fault the API asks for the server nonce, as userinfo does.
	p.SetFaults(demoidp.Faults{DPoPNonce: true})
	r := callAPI(t, p, http.MethodGet, "DPoP "+at, keyedProof(t, k, http.MethodGet, api, at), nil)
	refused("no nonce", r, "use_dpop_nonce", "DPoP-Nonce")
	if r.header.Get("DPoP-Nonce") == "" {
		t.Error("no DPoP-Nonce header with use_dpop_nonce")
	}
}
