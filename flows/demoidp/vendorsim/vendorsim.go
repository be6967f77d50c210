// Package vendorsim emulates, for tests, the token endpoints and direct authorize of the four vendor
// providers tokenbench's presets are built for — 1Kosmos BlockID, Huawei OneAccess, Bamboo Cloud
// IDaaS (Bccastle) and Connect2id — as their public documentation describes them: their paths, their
// client authentication, their documented success bodies byte for byte (expires_in as a string,
// lowercase bearer, a status member) and every documented error with its status and headers.
//
// Where a document is silent the emulation says what it assumed, in a comment beside the behaviour.
// One substitution is made everywhere: a documented body's redacted id_token ("eyJ******Njg") is
// replaced by a real RS256 id_token the emulation signs, so that a client's checks can run; every
// other byte of the body is the documentation's.
//
// Like demoidp it does not import the flows package: it is an independent reading of the vendors'
// documents, a check on the client.
package vendorsim

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Vendor names an emulated provider; the names are those of tokenbench's presets.
type Vendor string

// The emulated vendors.
const (
	BlockID    Vendor = "blockid"
	OneAccess  Vendor = "oneaccess"
	Bamboo     Vendor = "bamboo"
	Connect2id Vendor = "connect2id"
)

// Vendors lists every emulated vendor.
func Vendors() []Vendor { return []Vendor{BlockID, OneAccess, Bamboo, Connect2id} }

// The registered client of every emulation, and BlockID's community.
const (
	ClientID    = "2ee529699faa2aaf3b24b6154bc05468"
	RedirectURI = "https://example.com/callback"
	Community   = "devx"
	// Subject is the signed-in user.
	Subject = "jenish"
)

// ClientSecret is the registered client's secret (long enough for HS256 proof JWTs).
const ClientSecret = "6db7c242fc4ef1f98bf45d9e3f44d5a980b5d03ac52530e85d5dfc866f07abcd"

// Server is one running emulation, over TLS (the presets build https:// issuers): trust
// Certificate(), or write CertificatePEM to a file for --ca-file.
type Server struct {
	*httptest.Server
	// Vendor is the provider emulated.
	Vendor Vendor
	// Fail500 makes the next token request fail with HTTP 500 and no body (Connect2id documents it).
	Fail500 atomic.Bool

	key   *rsa.PrivateKey
	kid   string
	mu    sync.Mutex
	codes map[string]grant
}

// grant is what an authorization code stands for.
type grant struct {
	redirectURI, nonce, scope string
}

// Start runs an emulation of v on 127.0.0.1 over TLS.
func Start(v Vendor) (*Server, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s := &Server{Vendor: v, key: key, kid: "vendorsim-1", codes: map[string]grant{}}
	mux := http.NewServeMux()
	switch v {
	case BlockID:
		s.blockIDRoutes(mux)
	case OneAccess, Bamboo:
		s.domainRoutes(mux)
	case Connect2id:
		s.connect2idRoutes(mux)
	default:
		return nil, fmt.Errorf("vendorsim: no emulation of %q", v)
	}
	s.Server = httptest.NewTLSServer(mux)
	return s, nil
}

// Host is the host:port the presets' domain or dns parameter names.
func (s *Server) Host() string { return strings.TrimPrefix(s.URL, "https://") }

// Issuer is the issuer the vendor's preset builds for this server.
func (s *Server) Issuer() string {
	switch s.Vendor {
	case BlockID:
		return s.URL + "/oauth2/community/" + Community
	case OneAccess, Bamboo:
		return s.URL + "/api/v1/oauth2"
	}
	return s.URL
}

// CertificatePEM is the server's certificate, PEM-encoded, for a client's CA file.
func (s *Server) CertificatePEM() []byte {
	b64 := base64.StdEncoding.EncodeToString(s.Certificate().Raw)
	var b strings.Builder
	b.WriteString("-----BEGIN CERTIFICATE-----\n")
	for len(b64) > 64 {
		b.WriteString(b64[:64] + "\n")
		b64 = b64[64:]
	}
	b.WriteString(b64 + "\n-----END CERTIFICATE-----\n")
	return []byte(b.String())
}

// newCode issues an authorization code.
func (s *Server) newCode(g grant) string {
	b := make([]byte, 12)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail
	code := base64.RawURLEncoding.EncodeToString(b)
	s.mu.Lock()
	s.codes[code] = g
	s.mu.Unlock()
	return code
}

// redeem uses up a code; ok is false for an unknown or used one.
func (s *Server) redeem(code string) (grant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.codes[code]
	delete(s.codes, code)
	return g, ok
}

// idToken signs an id_token for the user, to the registered client.
func (s *Server) idToken(nonce string) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: s.key, KeyID: s.kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	now := time.Now()
	claims := map[string]any{
		"iss": s.Issuer(), "sub": Subject, "aud": ClientID,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "email": "jenish.patel@example.com",
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		panic(err)
	}
	return tok
}

// jwks serves the public key the id_tokens are signed with.
func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &s.key.PublicKey, KeyID: s.kid, Algorithm: "RS256", Use: "sig"}}}
	writeJSON(w, http.StatusOK, nil, set)
}

// write sends a body exactly as given.
func write(w http.ResponseWriter, status int, header map[string]string, body string) {
	for k, v := range header {
		w.Header().Set(k, v)
	}
	if body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// writeJSON encodes v as the body.
func writeJSON(w http.ResponseWriter, status int, header map[string]string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	write(w, status, header, string(b))
}

// basicCredentials are the HTTP Basic client credentials, form-decoded (RFC 6749 §2.3.1).
func basicCredentials(r *http.Request) (id, secret string, ok bool) {
	id, secret, ok = r.BasicAuth()
	if !ok {
		return "", "", false
	}
	id, err1 := url.QueryUnescape(id)
	secret, err2 := url.QueryUnescape(secret)
	return id, secret, err1 == nil && err2 == nil
}
