package flows_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// TestDefaultAuthMethodFollowsMetadata: with a secret and no method chosen, a provider whose
// token_endpoint_auth_methods_supported lacks client_secret_basic gets client_secret_post, and the
// client says why; one that lists it (or lists nothing) gets HTTP Basic.
func TestDefaultAuthMethodFollowsMetadata(t *testing.T) {
	for _, tc := range []struct {
		name      string
		supported []string
		wantPost  bool
	}{
		{"post only", []string{"client_secret_post", "private_key_jwt"}, true},
		{"basic listed", []string{"client_secret_post", "client_secret_basic"}, false},
		{"nothing listed", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var form url.Values
			var basic bool
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if strings.HasSuffix(r.URL.Path, "/openid-configuration") {
					json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "token_endpoint": srv.URL + "/token",
						"token_endpoint_auth_methods_supported": tc.supported})
					return
				}
				body, _ := io.ReadAll(r.Body)
				form, _ = url.ParseQuery(string(body))
				_, _, basic = r.BasicAuth()
				io.WriteString(w, `{"access_token":"at","token_type":"Bearer"}`)
			}))
			defer srv.Close()
			c, err := flows.NewClient(flows.ClientConfig{Issuer: srv.URL, ClientID: "svc", ClientSecret: "s3cret"}, flows.TransportOptions{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ClientCredentials(context.Background()); err != nil {
				t.Fatal(err)
			}
			if gotPost := form.Get("client_secret") == "s3cret" && !basic; gotPost != tc.wantPost {
				t.Errorf("secret in the form %v, Basic %v; want client_secret_post %v", form.Has("client_secret"), basic, tc.wantPost)
			}
			if note := c.AuthMethodNote(); (note != "") != tc.wantPost || tc.wantPost && !strings.Contains(note, "lacks client_secret_basic") {
				t.Errorf("note %q", note)
			}
		})
	}
}
