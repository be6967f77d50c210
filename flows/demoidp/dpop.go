package demoidp

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// DPoP (RFC 9449): the token endpoint checks proofs and binds the tokens it issues to the proof's
// key; userinfo accepts bound tokens only with a matching proof.

// dpopAlgs are the proof algorithms accepted, advertised as dpop_signing_alg_values_supported.
var dpopAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512, jose.PS256, jose.RS256, jose.EdDSA}

func dpopAlgNames() []string {
	out := make([]string, len(dpopAlgs))
	for i, a := range dpopAlgs {
		out[i] = string(a)
	}
	return out
}

const (
	// dpopMaxAge is how old a proof's iat may be; dpopLeeway how far in the future (RFC 9449 §11.1).
	dpopMaxAge = 2 * time.Minute
	dpopLeeway = 30 * time.Second
	// dpopNonceLifetime is how long a server nonce stays current; the previous one is still
	// accepted for as long again (RFC 9449 §8).
	dpopNonceLifetime = 5 * time.Minute
)

// dpopNonces are the server nonces of the dpop-nonce fault; Provider.mu guards them.
type dpopNonces struct {
	current, previous string
	issued            time.Time
}

// dpopNonce returns the current server nonce, rotating it when it is old. The caller holds p.mu.
func (p *Provider) dpopNonce(now time.Time) string {
	n := &p.dpop
	if n.current == "" || now.Sub(n.issued) >= dpopNonceLifetime || now.Before(n.issued) {
		n.previous, n.current, n.issued = n.current, randomToken(), now
	}
	return n.current
}

// setDPoPNonce sends the current nonce in a DPoP-Nonce header when the dpop-nonce fault is on.
func (p *Provider) setDPoPNonce(w http.ResponseWriter, f Faults) {
	if !f.DPoPNonce {
		return
	}
	p.mu.Lock()
	n := p.dpopNonce(p.now())
	p.mu.Unlock()
	w.Header().Set("DPoP-Nonce", n)
}

// dpopProblem is why a proof was refused: code is invalid_dpop_proof or use_dpop_nonce.
type dpopProblem struct{ code, desc string }

func invalidProof(format string, args ...any) *dpopProblem {
	return &dpopProblem{code: "invalid_dpop_proof", desc: fmt.Sprintf(format, args...)}
}

// dpopClaims are the claims of a proof (RFC 9449 §4.2).
type dpopClaims struct {
	JTI   string       `json:"jti"`
	HTM   string       `json:"htm"`
	HTU   string       `json:"htu"`
	IAT   *json.Number `json:"iat"`
	ATH   string       `json:"ath"`
	Nonce string       `json:"nonce"`
}

// checkDPoPProof checks the DPoP header of a request to endpointURL (RFC 9449 §4.3): one header,
// a JWS with typ dpop+jwt and an allowed alg, signed by the public jwk in its header; htm and htu
// those of the request; iat within the window; a jti not seen before; the server nonce when the
// dpop-nonce fault asks for one; and, with an access token, an ath that is its hash. It returns
// the key's RFC 7638 thumbprint, and present false when there is no DPoP header.
func (p *Provider) checkDPoPProof(r *http.Request, endpointURL, accessToken string, f Faults) (jkt string, present bool, prob *dpopProblem) {
	values := r.Header.Values("DPoP")
	switch len(values) {
	case 0:
		return "", false, nil
	case 1:
	default:
		return "", true, invalidProof("the request has %d DPoP headers; RFC 9449 §4.3 allows exactly one", len(values))
	}
	jws, err := jose.ParseSignedCompact(strings.TrimSpace(values[0]), dpopAlgs)
	if err != nil {
		return "", true, invalidProof("the DPoP header is not a JWS signed with one of %s: %v", strings.Join(dpopAlgNames(), ", "), err)
	}
	if len(jws.Signatures) != 1 {
		return "", true, invalidProof("the DPoP proof must have exactly one signature")
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "dpop+jwt" {
		return "", true, invalidProof("the DPoP proof's typ is %q; it must be dpop+jwt (RFC 9449 §4.2)", typ)
	}
	if h.JSONWebKey == nil {
		return "", true, invalidProof("the DPoP proof has no jwk header with the public key (RFC 9449 §4.2)")
	}
	if !h.JSONWebKey.IsPublic() {
		return "", true, invalidProof("the DPoP proof's jwk header holds a private key; it must be the public key only (RFC 9449 §4.2)")
	}
	payload, err := jws.Verify(h.JSONWebKey)
	if err != nil {
		return "", true, invalidProof("the DPoP proof's signature does not verify with the jwk in its header (RFC 9449 §4.3 check 6)")
	}
	thumb, err := h.JSONWebKey.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", true, invalidProof("the thumbprint of the proof's jwk cannot be computed: %v", err)
	}
	jkt = base64.RawURLEncoding.EncodeToString(thumb)
	var c dpopClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", true, invalidProof("the DPoP proof's payload is not a JSON object of claims: %v", err)
	}
	if c.JTI == "" || c.HTM == "" || c.HTU == "" || c.IAT == nil {
		return "", true, invalidProof("the DPoP proof lacks a required claim: it needs jti, htm, htu and iat (RFC 9449 §4.2)")
	}
	if c.HTM != r.Method {
		return "", true, invalidProof("the DPoP proof's htm is %q, but the request method is %s (RFC 9449 §4.3 check 8)", c.HTM, r.Method)
	}
	if got, want := normalHTU(c.HTU), normalHTU(endpointURL); got == "" || got != want {
		return "", true, invalidProof("the DPoP proof's htu is %q, but this request is to %s (RFC 9449 §4.3 check 9)", c.HTU, endpointURL)
	}
	secs, err := c.IAT.Float64()
	if err != nil {
		return "", true, invalidProof("the DPoP proof's iat %q is not a number of seconds", c.IAT.String())
	}
	iat := time.Unix(int64(secs), 0)
	now := p.now()
	if now.Sub(iat) > dpopMaxAge || iat.Sub(now) > dpopLeeway {
		return "", true, invalidProof("the DPoP proof's iat %s is outside the accepted window (%s old to %s ahead of provider time %s)",
			iat.UTC().Format(time.RFC3339), dpopMaxAge, dpopLeeway, now.UTC().Format(time.RFC3339))
	}
	if accessToken != "" {
		sum := sha256.Sum256([]byte(accessToken))
		switch want := base64.RawURLEncoding.EncodeToString(sum[:]); {
		case c.ATH == "":
			return "", true, invalidProof("the DPoP proof has no ath claim; with an access token it must carry the token's SHA-256 hash (RFC 9449 §4.2)")
		case c.ATH != want:
			return "", true, invalidProof("the DPoP proof's ath %q is not the hash of the access token presented (%s)", c.ATH, want)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if f.DPoPNonce {
		cur := p.dpopNonce(now)
		switch {
		case c.Nonce == "":
			return "", true, &dpopProblem{"use_dpop_nonce", "the provider requires a server nonce in DPoP proofs (fault dpop-nonce); use the DPoP-Nonce of this answer"}
		case c.Nonce != cur && c.Nonce != p.dpop.previous:
			return "", true, &dpopProblem{"use_dpop_nonce", "the DPoP proof's nonce is not one the provider gave, or it has expired; use the DPoP-Nonce of this answer"}
		}
	}
	key := "dpop " + jkt + " " + c.JTI
	if exp, seen := p.store.jtis[key]; seen && now.Before(exp.Add(assertionLeeway)) {
		return "", true, invalidProof("the DPoP proof's jti %q was already used; every request needs a new proof (RFC 9449 §11.1)", c.JTI)
	}
	p.store.jtis[key] = iat.Add(dpopMaxAge)
	return jkt, true, nil
}

// normalHTU normalises a URL for the htu comparison (RFC 9449 §4.3 check 9, RFC 3986 §6.2.2-3):
// scheme and host in lower case, default port dropped, empty path as "/", no query or fragment.
func normalHTU(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if p := u.Port(); (scheme == "http" && p == "80") || (scheme == "https" && p == "443") {
		host = strings.TrimSuffix(host, ":"+p)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// tokenDPoP checks the proof of a token request, when there is one, and returns the thumbprint to
// bind the tokens to; empty without a proof.
func (p *Provider) tokenDPoP(r *http.Request, f Faults) (string, *oauthError) {
	jkt, _, prob := p.checkDPoPProof(r, p.requestEndpoint(r, "/token"), "", f)
	if prob != nil {
		return "", badRequest(prob.code, prob.desc)
	}
	return jkt, nil
}

// refreshBinding is the key a refresh token is bound to: the proof's, for a public client only
// (RFC 9449 §5); a confidential client's refresh token is bound to its authentication instead.
func (p *Provider) refreshBinding(clientID, jkt string) string {
	if c := p.client(clientID); c != nil && c.AuthMethod == authNone {
		return jkt
	}
	return ""
}

// refreshBindingProblem says why a bound refresh token's request is refused.
func refreshBindingProblem(bound, jkt string) string {
	if jkt == "" {
		return fmt.Sprintf("the refresh token is bound to the DPoP key with thumbprint %s (public client, RFC 9449 §5); the request carries no DPoP proof", bound)
	}
	return fmt.Sprintf("the refresh token is bound to the DPoP key with thumbprint %s (public client, RFC 9449 §5); this proof is signed by the key %s", bound, jkt)
}

// addCnf adds the confirmation claim binding an access token to a DPoP key (RFC 9449 §6.1).
func addCnf(claims map[string]any, jkt string) {
	if jkt != "" {
		claims["cnf"] = map[string]any{"jkt": jkt}
	}
}

// tokenType is the token_type of an access token: DPoP when bound to a key (RFC 9449 §5).
func tokenType(jkt string) string {
	if jkt != "" {
		return "DPoP"
	}
	return "Bearer"
}

// dpopChallenge answers a resource request refused for DPoP reasons with a DPoP challenge
// (RFC 9449 §7.1).
func dpopChallenge(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`DPoP algs=%q, error=%q, error_description=%q`, strings.Join(dpopAlgNames(), " "), code, desc))
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// resourceToken finds a resource request's access token and whether it came with the DPoP scheme.
func resourceToken(r *http.Request) (token string, dpop bool, problem string) {
	scheme, value, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "DPoP") {
		token, problem = bearerToken(r)
		return token, false, problem
	}
	if value = strings.TrimSpace(value); value == "" {
		return "", true, "the Authorization header has the DPoP scheme but no token"
	}
	if r.URL.Query().Has("access_token") {
		return "", true, "the request carries the access token more than once; RFC 6750 §2 allows one method per request"
	}
	return value, true, ""
}

// checkResourceDPoP enforces the binding of an access token at a resource endpoint (RFC 9449
// §7): a bound token must come with the DPoP scheme and a proof by its key carrying ath; an
// unbound one with the Bearer scheme. It reports false when it has written a refusal.
func (p *Provider) checkResourceDPoP(w http.ResponseWriter, r *http.Request, path string, rec *accessRecord, token string, dpop bool) bool {
	f := p.Faults()
	if dpop || rec.jkt != "" {
		p.setDPoPNonce(w, f)
	}
	switch {
	case rec.jkt == "" && !dpop:
		return true
	case rec.jkt == "":
		dpopChallenge(w, http.StatusUnauthorized, "invalid_token", "the access token is not bound to a DPoP key; present it with the Bearer scheme")
		return false
	case !dpop:
		dpopChallenge(w, http.StatusUnauthorized, "invalid_token", fmt.Sprintf("the access token is bound to a DPoP key (cnf.jkt %s); present it with Authorization: DPoP and a DPoP proof, not as a Bearer token (RFC 9449 §7.1)", rec.jkt))
		return false
	}
	jkt, present, prob := p.checkDPoPProof(r, p.requestEndpoint(r, path), token, f)
	switch {
	case prob != nil:
		dpopChallenge(w, http.StatusUnauthorized, prob.code, prob.desc)
		return false
	case !present:
		dpopChallenge(w, http.StatusUnauthorized, "invalid_dpop_proof", "the DPoP scheme was used without a DPoP header carrying a proof (RFC 9449 §7.1)")
		return false
	case jkt != rec.jkt:
		dpopChallenge(w, http.StatusUnauthorized, "invalid_dpop_proof", fmt.Sprintf("the DPoP proof is signed by the key with thumbprint %s, but the access token is bound to %s (cnf.jkt)", jkt, rec.jkt))
		return false
	}
	return true
}
