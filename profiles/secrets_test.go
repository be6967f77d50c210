package profiles

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// testSecrets is a resolver with the mock keyring and env.
func testSecrets(env map[string]string) *Secrets {
	return &Secrets{Keyring: mockKeyring(), Getenv: func(k string) string { return env[k] }, CmdTimeout: 5 * time.Second, KeyringTimeout: 5 * time.Second}
}

func TestResolveKeyring(t *testing.T) {
	s := testSecrets(nil)
	ctx := context.Background()
	if err := s.StoreKeyring(ctx, "keyring:", "kr-profile", "from-the-keyring"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Resolve(ctx, "keyring:", "kr-profile"); err != nil || v != "from-the-keyring" {
		t.Errorf("keyring: gave %q, %v", v, err)
	}
	if err := s.StoreKeyring(ctx, "keyring:kr-shared", "whoever", "shared-secret"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Resolve(ctx, "keyring:kr-shared", "other"); err != nil || v != "shared-secret" {
		t.Errorf("keyring:ACCOUNT gave %q, %v", v, err)
	}
	if ok, err := s.HasKeyring(ctx, "keyring:", "kr-profile"); !ok || err != nil {
		t.Errorf("HasKeyring: %v %v", ok, err)
	}
	// Really in go-keyring, under the service "tokenbench".
	if v, err := OSKeyring().Get(KeyringService, "kr-profile"); err != nil || v != "from-the-keyring" {
		t.Errorf("go-keyring holds %q, %v", v, err)
	}
	if err := s.DeleteKeyring(ctx, "keyring:", "kr-profile"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Resolve(ctx, "keyring:", "kr-profile")
	if !errors.Is(err, ErrSecretNotFound) || !strings.Contains(err.Error(), `account "kr-profile"; store it with: tokenbench profile edit kr-profile --client-secret-ref keyring:`) {
		t.Errorf("a missing entry: %v", err)
	}
	if err := s.DeleteKeyring(ctx, "keyring:", "kr-profile"); err != nil {
		t.Errorf("deleting a missing entry: %v", err)
	}
}

// brokenKeyring is a keyring that cannot be reached, as where there is no D-Bus session.
type brokenKeyring struct{}

var errNoDBus = errors.New("dbus: couldn't determine address of session bus")

func (brokenKeyring) Get(string, string) (string, error) { return "", errNoDBus }
func (brokenKeyring) Set(string, string, string) error   { return errNoDBus }
func (brokenKeyring) Delete(string, string) error        { return errNoDBus }

// slowKeyring never answers.
type slowKeyring struct{ brokenKeyring }

func (slowKeyring) Get(string, string) (string, error) { time.Sleep(time.Hour); return "", nil }

func TestKeyringUnavailableSaysSo(t *testing.T) {
	s := &Secrets{Keyring: brokenKeyring{}}
	ctx := context.Background()
	_, err := s.Resolve(ctx, "keyring:", "acme")
	if !errors.Is(err, ErrKeyringUnavailable) || !errors.Is(err, errNoDBus) {
		t.Fatalf("Resolve: %v", err)
	}
	for _, frag := range []string{"is not available", "couldn't determine address of session bus", "headless server", "env:NAME", "file:PATH", "cmd:COMMAND"} {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("the message lacks %q: %v", frag, err)
		}
	}
	if err := s.StoreKeyring(ctx, "keyring:", "acme", "x"); !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("StoreKeyring: %v", err)
	}
	s = &Secrets{Keyring: slowKeyring{}, KeyringTimeout: 50 * time.Millisecond}
	if _, err := s.Resolve(ctx, "keyring:", "acme"); !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Errorf("a keyring that never answers: %v", err)
	}
}

func TestResolveEnv(t *testing.T) {
	s := testSecrets(map[string]string{"ACME_SECRET": "from-env"})
	if v, err := s.Resolve(context.Background(), "env:ACME_SECRET", "acme"); err != nil || v != "from-env" {
		t.Errorf("env: gave %q, %v", v, err)
	}
	if _, err := s.Resolve(context.Background(), "env:UNSET_ONE", "acme"); err == nil || !strings.Contains(err.Error(), "UNSET_ONE is not set") {
		t.Errorf("an unset variable: %v", err)
	}
}

func TestResolveFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret")
	if err := os.WriteFile(path, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := testSecrets(nil)
	if v, err := s.Resolve(context.Background(), SecretRef("file:"+path), "acme"); err != nil || v != "from-file" {
		t.Errorf("file: gave %q, %v", v, err)
	}
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings for a 0600 file: %v", w)
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Resolve(context.Background(), SecretRef("file:"+path), "acme"); err != nil {
			t.Fatal(err)
		}
		if w := strings.Join(s.Warnings(), "\n"); !strings.Contains(w, path+" can be read by other users (mode 0644): chmod 600") {
			t.Errorf("no warning for a 0644 secret file: %q", w)
		}
	}
	// Only one trailing newline goes; CRLF counts as one.
	os.WriteFile(path, []byte("two\n\n"), 0o600) //nolint:errcheck // read back below
	if v, _ := s.Resolve(context.Background(), SecretRef("file:"+path), "acme"); v != "two\n" {
		t.Errorf("got %q", v)
	}
	os.WriteFile(path, []byte("crlf\r\n"), 0o600) //nolint:errcheck // read back below
	if v, _ := s.Resolve(context.Background(), SecretRef("file:"+path), "acme"); v != "crlf" {
		t.Errorf("got %q", v)
	}
	for content, want := range map[string]string{"": "is empty", "\n": "is empty"} {
		os.WriteFile(path, []byte(content), 0o600) //nolint:errcheck // read back below
		if _, err := s.Resolve(context.Background(), SecretRef("file:"+path), "acme"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", content, err)
		}
	}
	if _, err := s.Resolve(context.Background(), SecretRef("file:"+filepath.Join(dir, "missing")), "acme"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

func TestResolveCmd(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	s := testSecrets(nil)
	ctx := context.Background()
	if v, err := s.Resolve(ctx, "cmd:printf 'from-cmd\\n\\n'", "acme"); err != nil || v != "from-cmd\n" {
		t.Errorf("cmd: gave %q, %v (want one newline trimmed)", v, err)
	}
	if v, err := s.Resolve(ctx, "cmd:echo from-echo", "acme"); err != nil || v != "from-echo" {
		t.Errorf("cmd: gave %q, %v", v, err)
	}
	_, err := s.Resolve(ctx, "cmd:echo 'gpg: decryption failed: No secret key' >&2; exit 2", "acme")
	for _, frag := range []string{"exit status 2", "gpg: decryption failed: No secret key"} {
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("a failing command: %v lacks %q", err, frag)
		}
	}
	if _, err := s.Resolve(ctx, "cmd:true", "acme"); err == nil || !strings.Contains(err.Error(), "printed nothing") {
		t.Errorf("a silent command: %v", err)
	}

	s.CmdTimeout = 200 * time.Millisecond
	start := time.Now()
	// The shell's child holds stdout open: the whole group must go, and the wait must end.
	_, err = s.Resolve(ctx, "cmd:sleep 30 & sleep 30", "acme")
	if err == nil || !strings.Contains(err.Error(), "did not finish within 200ms") {
		t.Errorf("a stuck command: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the timeout took %s", d)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := (&Secrets{}).Resolve(cctx, "cmd:echo x", "acme"); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: %v", err)
	}
}

func TestResolvePlain(t *testing.T) {
	s := testSecrets(nil)
	if v, err := s.Resolve(context.Background(), "plain:in-clear", "acme"); err != nil || v != "in-clear" {
		t.Errorf("plain: gave %q, %v", v, err)
	}
	p := simpleProfile("acme")
	p.ClientSecret = "plain:in-clear"
	wantField(t, p.Validate(), "client_secret", "allow_plain_secret")
	p.AllowPlainSecret = true
	if err := p.Validate(); err != nil {
		t.Fatalf("with the flag: %v", err)
	}
	if w := strings.Join(p.Warnings(), "\n"); !strings.Contains(w, "keeps its client secret in clear") {
		t.Errorf("no warning for a plain secret: %q", w)
	}
	cfg, _, err := p.Client(context.Background(), s)
	if err != nil || cfg.ClientSecret != "in-clear" {
		t.Errorf("Client: %q, %v", cfg.ClientSecret, err)
	}
}

func TestSecretRefNeverShowsASecret(t *testing.T) {
	r := SecretRef("plain:hunter2")
	for _, s := range []string{r.String(), r.Masked(), (&SecretError{Ref: r, Err: errors.New("x")}).Error()} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("%q shows the secret", s)
		}
	}
	if SecretRef("env:X").String() != "env:X" {
		t.Errorf("a reference is shown as it is")
	}
	// A secret pasted where a reference belongs is refused without being repeated.
	_, err := ParseSecretRef("hunter2")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("ParseSecretRef: %v", err)
	}
	if _, err := ParseSecretRef("plain:hunter2"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("ParseSecretRef(plain:): %v", err)
	}
	for _, ok := range []string{"keyring", "keyring:", "keyring:acct", "env:A_B", "file:/x", "cmd:pass show x"} {
		if _, err := ParseSecretRef(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"env:", "env:1X", "file:", "cmd:  ", "vault:x"} {
		if _, err := ParseSecretRef(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestSecretService stores and reads back a secret through a real Secret Service: a private D-Bus
// session with gnome-keyring-daemon, in a helper process (the other tests use go-keyring's mock,
// which replaces the real provider for the whole test binary). It runs when
// TOKENBENCH_TEST_SECRET_SERVICE=1, as in CI, and then fails if the tools are missing.
func TestSecretService(t *testing.T) {
	if os.Getenv("TOKENBENCH_TEST_SECRET_SERVICE") != "1" {
		t.Skip("set TOKENBENCH_TEST_SECRET_SERVICE=1 to test against a real Secret Service (needs dbus-run-session and gnome-keyring-daemon)")
	}
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("TOKENBENCH_TEST_SECRET_SERVICE=1 but %s is missing: apt-get install dbus-daemon gnome-keyring", tool)
		}
	}
	helper := runHelper(t, "secret-service", t.TempDir())
	home := t.TempDir()
	// A fresh session bus; the daemon creates and unlocks a login keyring with a throwaway password
	// (an empty one would make it prompt), then the helper runs inside that session.
	script := `printf 'tokenbench-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"`
	c := exec.Command("dbus-run-session", append([]string{"--", "sh", "-c", script, "sh"}, helper.Args...)...)
	c.Env = append(helper.Env, "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "share"), "XDG_RUNTIME_DIR="+home)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() {
		out, err = c.CombinedOutput()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		c.Process.Kill() //nolint:errcheck // reported below
		<-done
		t.Fatalf("the Secret Service test did not finish within 60s:\n%s", out)
	}
	if err != nil || !strings.Contains(string(out), "secret service round trip: ok") {
		t.Fatalf("through the real Secret Service: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
