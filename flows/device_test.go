package flows_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// TestDeviceAuthorizeSendsClientIDWithBasic checks that the device authorization request carries
// client_id in the body even when the client authenticates with HTTP Basic (RFC 8628 §3.1 allows
// it; some providers read only the body).
func TestDeviceAuthorizeSendsClientIDWithBasic(t *testing.T) {
	var form url.Values
	var user string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ = url.ParseQuery(string(body))
		user, _, _ = r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"device_code":"dc","user_code":"UC","verification_uri":"https://example.com/device","expires_in":600}`)
	}))
	defer srv.Close()
	c, err := flows.NewClient(flows.ClientConfig{
		ClientID: "dev-client", ClientSecret: "s3cret", AuthMethod: flows.AuthClientSecretBasic,
		Endpoints: flows.Endpoints{DeviceAuthorization: srv.URL + "/device", Token: srv.URL + "/token"},
	}, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeviceAuthorize(context.Background()); err != nil {
		t.Fatal(err)
	}
	if form.Get("client_id") != "dev-client" || user != "dev-client" {
		t.Fatalf("body client_id %q, Basic user %q; want both dev-client", form.Get("client_id"), user)
	}
	if form.Has("client_secret") {
		t.Fatalf("the secret went into the body as well: %v", form)
	}
}
