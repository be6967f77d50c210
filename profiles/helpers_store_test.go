package profiles

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// fullProfile sets every field of a Profile; TestFullProfileSetsEveryField keeps it so.
func fullProfile(t *testing.T, name string) Profile {
	t.Helper()
	return Profile{
		Name:         name,
		Preset:       "okta",
		Params:       map[string]string{"domain": "acme.okta.com", "server": "aus1a2b3c4d5e6f7g8h9"},
		Issuer:       "https://login.acme.example/oauth2/aus1a2b3c4d5e6f7g8h9",
		Endpoints:    Endpoints{Authorization: "https://a.example/authorize", Token: "https://a.example/token", UserInfo: "https://a.example/userinfo", Introspection: "https://a.example/introspect", Revocation: "https://a.example/revoke", EndSession: "https://a.example/logout", DeviceAuthorization: "https://a.example/device", JWKS: "https://a.example/jwks", PushedAuthorization: "https://a.example/par", BackchannelAuthentication: "https://a.example/bc-authorize"},
		ClientID:     "0oa1b2c3d4",
		ClientSecret: "plain:s3cret-value",
		// Every field, so the plain secret's flag too.
		AllowPlainSecret:         true,
		AuthMethod:               "private_key_jwt",
		SigningKey:               demoidptest.KeyPath(t, demoidptest.ClientKeyRSA),
		SigningKeyID:             "registered-key-1",
		ClientAssertionAud:       "issuer",
		SigningAlg:               "PS256",
		DecryptionKey:            demoidptest.KeyPath(t, demoidptest.ClientKeyRSA),
		RedirectURI:              "http://127.0.0.1:8765/callback",
		Scopes:                   []string{"openid", "profile", "offline_access"},
		Grant:                    "authorization_code",
		AuthParams:               url.Values{"prompt": {"login"}, "acr_values": {"urn:mfa", "urn:pwd"}},
		TokenParams:              url.Values{"resource": {"https://api.acme.example"}},
		TokenHeaders:             []string{"X-Gateway-Tenant: acme"},
		PKCE:                     "plain",
		PAR:                      true,
		RequestObject:            true,
		RequestObjectBy:          "reference",
		CIBAMode:                 "ping",
		CIBANotificationEndpoint: "http://127.0.0.1:8766/ciba",
		DPoP:                     true,
		DPoPKey:                  demoidptest.KeyPath(t, demoidptest.ClientKeyEC),
		ResponseType:             "code id_token",
		ResponseMode:             "form_post.jwt",
		Resources:                []string{"https://api.acme.example/", "urn:acme:ledger"},
		AuthorizationDetails:     testdataFile(t, "authorization-details.json"),
		TLS:                      TLS{CAFile: "/etc/ssl/acme-ca.pem", ClientCert: "/etc/ssl/client.pem", ClientKey: "/etc/ssl/client-key.pem", Insecure: true},
		Notes:                    "Acme production tenant.\nAsk Bob before rotating the secret.",
	}
}

// testdataFile is the absolute path of a file in testdata.
func testdataFile(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testDir is a configuration directory that does not exist yet.
func testDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "config", "tokenbench")
}

// openStore opens a store that must load.
func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// simpleProfile is a small valid profile.
func simpleProfile(name string) Profile {
	return Profile{Name: name, Issuer: "https://idp.example.com", ClientID: "client-" + name, ClientSecret: SecretRef("env:SECRET_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")))}
}

// wantField fails unless err is a *FieldError for field whose message holds every part.
func wantField(t *testing.T, err error, field string, parts ...string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T), want a *FieldError for %s", err, err, field)
	}
	if fe.Field != field {
		t.Errorf("field %q, want %q (%v)", fe.Field, field, err)
	}
	for _, p := range parts {
		if !strings.Contains(fe.Message, p) {
			t.Errorf("message %q lacks %q", fe.Message, p)
		}
	}
}

// sameProfile compares profiles, ignoring the node they were read from.
func sameProfile(a, b Profile) bool {
	a.raw, b.raw = nil, nil
	return reflect.DeepEqual(a, b)
}

var mockKeyringOnce sync.Once

// mockKeyring switches go-keyring to its in-memory stand-in, once for the test binary, before any
// test goroutine uses it.
func mockKeyring() Keyring {
	mockKeyringOnce.Do(keyring.MockInit)
	return OSKeyring()
}

// helperEnv selects what TestHelperProcess does in a child process.
const helperEnv = "TOKENBENCH_PROFILES_TEST_HELPER"

// runHelper runs this test binary as a helper process doing what, in dir, and returns its combined
// output and error.
func runHelper(t *testing.T, what, dir string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(exe, append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	// Under -race a process sleeps a second on exit unless told not to.
	c.Env = append(os.Environ(), helperEnv+"="+what, "TOKENBENCH_CONFIG_HOME="+dir, "GORACE=atexit_sleep_ms=0")
	return c
}

// TestHelperProcess is not a test: it is what a helper process runs (see runHelper).
func TestHelperProcess(t *testing.T) {
	what := os.Getenv(helperEnv)
	if what == "" {
		t.Skip("only runs as a helper process")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	dir := os.Getenv("TOKENBENCH_CONFIG_HOME")
	if err := helperMain(what, dir, args); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// helperMain does one helper's job.
func helperMain(what, dir string, args []string) error {
	s, err := Open(dir)
	if err != nil {
		return err
	}
	switch what {
	case "add-many": // args: prefix count
		var n int
		fmt.Sscan(args[1], &n) //nolint:errcheck // the test passes a number
		for i := range n {
			if err := s.Add(simpleProfile(fmt.Sprintf("%s-%02d", args[0], i))); err != nil {
				return err
			}
		}
		return nil
	case "crash-before-rename": // args: name
		s.afterTemp = func(string) { os.Exit(3) }
		return s.Add(simpleProfile(args[0]))
	case "secret-service":
		return secretServiceRoundTrip()
	}
	return fmt.Errorf("unknown helper %q", what)
}

// secretServiceRoundTrip stores, reads back and deletes a secret through the real OS keyring.
func secretServiceRoundTrip() error {
	ctx := context.Background()
	s := NewSecrets()
	const account, secret = "tokenbench-ci-test", "s3cret with spaces & ünïcode"
	if err := s.StoreKeyring(ctx, "keyring:", account, secret); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	got, err := s.Resolve(ctx, "keyring:", account)
	if err != nil {
		return fmt.Errorf("read back: %w", err)
	}
	if got != secret {
		return fmt.Errorf("read back %q, want %q", got, secret)
	}
	if err := s.StoreKeyring(ctx, SecretRef("keyring:"+account), "other", "replaced"); err != nil {
		return fmt.Errorf("replace: %w", err)
	}
	if got, err := s.Resolve(ctx, SecretRef("keyring:"+account), "other"); err != nil || got != "replaced" {
		return fmt.Errorf("after replacing: %q, %v", got, err)
	}
	if err := s.DeleteKeyring(ctx, "keyring:", account); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if _, err := s.Resolve(ctx, "keyring:", account); !errors.Is(err, ErrSecretNotFound) {
		return fmt.Errorf("after delete: %v, want not found", err)
	}
	fmt.Println("secret service round trip: ok")
	return nil
}
