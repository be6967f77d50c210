package flows_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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

// TestDevicePollExpiryIsTokenbenchsOwn checks that when the device code's lifetime runs out while
// the provider keeps answering authorization_pending, the error says tokenbench stopped and what the
// provider answered, and is not dressed up as the provider's expired_token.
func TestDevicePollExpiryIsTokenbenchsOwn(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/device" {
			io.WriteString(w, `{"device_code":"dc","user_code":"UC","verification_uri":"https://example.com/device","expires_in":1,"interval":0.2}`)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":"authorization_pending"}`)
	}))
	defer srv.Close()
	c, err := flows.NewClient(flows.ClientConfig{
		ClientID:  "dev-client",
		Endpoints: flows.Endpoints{DeviceAuthorization: srv.URL + "/device", Token: srv.URL + "/token"},
	}, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DeviceAuthorize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PollDevice(context.Background(), d, nil)
	var oe *flows.OAuthError
	if errors.As(err, &oe) {
		t.Fatalf("err = %v: an OAuth error the provider never sent", err)
	}
	var fe *flows.Error
	if !errors.As(err, &fe) || fe.Kind != flows.KindPollExpired {
		t.Fatalf("err = %v, want %s", err, flows.KindPollExpired)
	}
	for _, want := range []string{"tokenbench stopped the device flow", "the last with authorization_pending", "did not send expired_token"} {
		if !strings.Contains(fe.Detail, want) {
			t.Errorf("detail %q lacks %q", fe.Detail, want)
		}
	}
}
