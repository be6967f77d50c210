package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// formRecorder is a token endpoint that records the form of each request and answers with a token.
type formRecorder struct {
	mu    sync.Mutex
	forms []url.Values
}

func (f *formRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.forms = append(f.forms, form)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"access_token":"at","token_type":"Bearer","expires_in":60}`)
}

// last is the last form received (empty before any).
func (f *formRecorder) last() url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.forms) == 0 {
		return url.Values{}
	}
	return f.forms[len(f.forms)-1]
}

// lastKid is the kid in the header of the last request's client assertion ("" for none).
func (f *formRecorder) lastKid() string {
	seg, _, _ := strings.Cut(f.last().Get("client_assertion"), ".")
	raw, _ := base64.RawURLEncoding.DecodeString(seg)
	var h struct{ Kid string }
	_ = json.Unmarshal(raw, &h)
	return h.Kid
}

// lastClaim is a claim of the last request's client assertion (nil when absent).
func (f *formRecorder) lastClaim(name string) any {
	parts := strings.Split(f.last().Get("client_assertion"), ".")
	if len(parts) != 3 {
		return nil
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	_ = json.Unmarshal(raw, &claims)
	return claims[name]
}

// fixedAnswer is an endpoint that gives one answer to every request.
type fixedAnswer struct {
	status int
	header map[string]string
	body   string
}

func (f fixedAnswer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	for k, v := range f.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(f.status)
	io.WriteString(w, f.body)
}
