package demoidp

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// registrationPath is the dynamic client registration endpoint (RFC 7591
// §3); each registered client is managed at registrationPath/{client_id}
// (RFC 7592 §2).
const registrationPath = "/register"

// registrations are the clients registered at run time, each with its
// registration access token and its metadata as the client sent them.
type registrations struct {
	mu      sync.RWMutex
	clients map[string]*dynamicClient
}

// dynamicClient is one registered client. It is replaced, never changed, so a
// request that looked it up keeps a consistent copy.
type dynamicClient struct {
	reg *registeredClient
	// accessToken is the registration access token (RFC 7592 §3).
	accessToken string
	issuedAt    int64
	// metadata are the client metadata as granted: what was asked for, with
	// the defaults filled in (RFC 7591 §2).
	metadata map[string]any
}

// registeredByID returns a client registered at run time, or nil.
func (p *Provider) registeredByID(id string) *registeredClient {
	p.registered.mu.RLock()
	defer p.registered.mu.RUnlock()
	if d := p.registered.clients[id]; d != nil {
		return d.reg
	}
	return nil
}

// registrationAuthMethods are the token endpoint authentication methods a
// client may register with: those that need no keys, which this provider
// does not take at registration (no jwks, no jwks_uri).
var registrationAuthMethods = []string{authBasic, authPost, authSecretJWT, authNone}

// handleRegister serves RFC 7591 §3.1: a JSON client metadata document, with
// an initial access token when the provider was started with one, answered
// 201 with the client's credentials and metadata (§3.2.1).
func (p *Provider) handleRegister(w http.ResponseWriter, r *http.Request) {
	if want := p.opts.RegistrationToken; want != "" {
		got, ok := bearer(r)
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			p.writeOAuthError(w, &oauthError{status: http.StatusUnauthorized, code: "invalid_token", desc: "registration needs the initial access token as a bearer token (RFC 7591 §3)"})
			return
		}
	}
	meta, oerr := readClientMetadata(r)
	if oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	if meta["client_id"] != nil || meta["client_secret"] != nil {
		p.writeOAuthError(w, badRequest("invalid_client_metadata", "client_id and client_secret are issued by the provider, not sent at registration"))
		return
	}
	d := &dynamicClient{reg: &registeredClient{}, accessToken: rand.Text(), issuedAt: p.now().Unix()}
	d.reg.ID = "dyn-" + strings.ToLower(rand.Text()[:16])
	if oerr := grantMetadata(d, meta, ""); oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	p.registered.mu.Lock()
	if p.registered.clients == nil {
		p.registered.clients = map[string]*dynamicClient{}
	}
	p.registered.clients[d.reg.ID] = d
	p.registered.mu.Unlock()
	writeJSON(w, http.StatusCreated, p.registrationResponse(d))
}

// handleRegistration serves RFC 7592 §2: read (GET), update (PUT) and delete
// (DELETE) a registered client, with its registration access token.
func (p *Provider) handleRegistration(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p.registered.mu.RLock()
	d := p.registered.clients[id]
	p.registered.mu.RUnlock()
	got, ok := bearer(r)
	if d == nil || !ok || subtle.ConstantTimeCompare([]byte(got), []byte(d.accessToken)) != 1 {
		// RFC 7592 §2.1: an unknown client or a wrong token is 401, and the
		// provider says no more, so that client ids cannot be probed.
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		p.writeOAuthError(w, &oauthError{status: http.StatusUnauthorized, code: "invalid_token", desc: "no client registered with this registration access token"})
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, p.registrationResponse(d))
	case http.MethodPut:
		p.updateRegistration(w, r, d)
	case http.MethodDelete:
		p.registered.mu.Lock()
		delete(p.registered.clients, id)
		p.registered.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// updateRegistration replaces the client's metadata (RFC 7592 §2.2): the
// request carries the whole document, with the client_id, and the
// client_secret when one is sent must be the current one.
func (p *Provider) updateRegistration(w http.ResponseWriter, r *http.Request, d *dynamicClient) {
	meta, oerr := readClientMetadata(r)
	if oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	if id, _ := meta["client_id"].(string); id != d.reg.ID {
		p.writeOAuthError(w, badRequest("invalid_request", "the update must carry the client's client_id (RFC 7592 §2.2)"))
		return
	}
	if s, ok := meta["client_secret"].(string); ok && s != d.reg.Secret {
		p.writeOAuthError(w, badRequest("invalid_request", "client_secret is not the client's current secret (RFC 7592 §2.2)"))
		return
	}
	for _, k := range []string{"client_id", "client_secret", "registration_access_token", "registration_client_uri", "client_id_issued_at", "client_secret_expires_at"} {
		delete(meta, k)
	}
	next := &dynamicClient{reg: &registeredClient{}, accessToken: d.accessToken, issuedAt: d.issuedAt}
	next.reg.ID = d.reg.ID
	if oerr := grantMetadata(next, meta, d.reg.Secret); oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	p.registered.mu.Lock()
	if p.registered.clients[d.reg.ID] == d {
		p.registered.clients[d.reg.ID] = next
	}
	p.registered.mu.Unlock()
	writeJSON(w, http.StatusOK, p.registrationResponse(next))
}

// grantMetadata checks the metadata and fills in d: the defaults of RFC 7591 §2, a
// secret for a method that uses one (secret when the client keeps its own).
func grantMetadata(d *dynamicClient, meta map[string]any, secret string) *oauthError {
	method := stringOr(meta, "token_endpoint_auth_method", authBasic)
	if !slices.Contains(registrationAuthMethods, method) {
		return badRequest("invalid_client_metadata", fmt.Sprintf("token_endpoint_auth_method %q is not taken at registration here; use one of %s", method, strings.Join(registrationAuthMethods, ", ")))
	}
	uris, ok := metadataStrings(meta["redirect_uris"])
	if !ok {
		return badRequest("invalid_client_metadata", "redirect_uris must be an array of strings")
	}
	for _, u := range uris {
		if msg := checkRedirectURI(u); msg != "" {
			return badRequest("invalid_redirect_uri", u+": "+msg)
		}
	}
	grants, ok := metadataStrings(meta["grant_types"])
	if !ok {
		return badRequest("invalid_client_metadata", "grant_types must be an array of strings")
	}
	if len(grants) == 0 {
		grants = []string{"authorization_code"}
	}
	for _, g := range grants {
		if !slices.Contains(supportedGrantTypes, g) {
			return badRequest("invalid_client_metadata", fmt.Sprintf("grant type %q is not supported", g))
		}
	}
	if (slices.Contains(grants, "authorization_code") || slices.Contains(grants, "implicit")) && len(uris) == 0 {
		return badRequest("invalid_redirect_uri", "a client of the authorization code or implicit grant needs redirect_uris (RFC 7591 §2)")
	}
	ciba, oerr := registerCIBADelivery(meta)
	if oerr != nil {
		return oerr
	}
	if ciba.mode != "" && method == authNone {
		return badRequest("invalid_client_metadata", "a CIBA client must authenticate (CIBA Core §7.1): choose a token_endpoint_auth_method other than none")
	}
	d.reg.ciba = ciba
	meta["token_endpoint_auth_method"], meta["grant_types"] = method, grants
	if _, ok := meta["response_types"]; !ok {
		meta["response_types"] = []string{"code"}
	}
	d.reg.AuthMethod, d.reg.RedirectURIs, d.metadata = method, uris, meta
	if method != authNone {
		if secret == "" {
			secret = rand.Text() + rand.Text()
		}
		d.reg.Secret = secret
	}
	return nil
}

// registrationResponse is RFC 7591 §3.2.1's answer: the metadata, with the
// credentials and how to manage the registration (RFC 7592 §3).
func (p *Provider) registrationResponse(d *dynamicClient) map[string]any {
	out := map[string]any{}
	for k, v := range d.metadata {
		out[k] = v
	}
	out["client_id"] = d.reg.ID
	out["client_id_issued_at"] = d.issuedAt
	if d.reg.Secret != "" {
		out["client_secret"] = d.reg.Secret
		out["client_secret_expires_at"] = 0 // does not expire
	}
	out["registration_access_token"] = d.accessToken
	out["registration_client_uri"] = p.endpoint(registrationPath + "/" + d.reg.ID)
	return out
}

// readClientMetadata reads a JSON object request body (RFC 7591 §3.1).
func readClientMetadata(r *http.Request) (map[string]any, *oauthError) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return nil, badRequest("invalid_client_metadata", "the client metadata must be sent as application/json (RFC 7591 §3.1), not "+ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return nil, badRequest("invalid_request", "the request body could not be read")
	}
	var meta map[string]any
	if err := json.Unmarshal(body, &meta); err != nil || meta == nil {
		return nil, badRequest("invalid_client_metadata", "the body is not a JSON object")
	}
	return meta, nil
}

// bearer reads an Authorization: Bearer header (RFC 6750 §2.1).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

func stringOr(m map[string]any, k, def string) string {
	if s, ok := m[k].(string); ok && s != "" {
		return s
	}
	return def
}

// metadataStrings reads a JSON array of strings; absent is an empty list.
func metadataStrings(v any) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}
