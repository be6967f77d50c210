package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/tokenbench/tokenbench/profiles"
)

func TestProfileAddListShowNeverShowSecrets(t *testing.T) {
	useMockKeyring()
	t.Parallel()
	pe := newProfileEnv(t)
	const kept, plain = "kept-in-the-keyring-9f8e", "in-clear-7d6c"
	r := pe.runStdin(kept+"\n", false, "profile", "add", "okta-acme", "--preset", "okta", "--set", "domain=acme.okta.com", "--client-id", "0oa1", "--client-secret-ref", "keyring:", "--scope", "openid,profile", "--scope", "offline_access", "--notes", "prod")
	wantExit(t, r, 0, "stored the client secret in the OS keyring (service tokenbench, account okta-acme)", "added profile okta-acme")
	if v, err := profiles.OSKeyring().Get("tokenbench", "okta-acme"); err != nil || v != kept {
		t.Fatalf("the keyring holds %q, %v", v, err)
	}
	r = pe.run("profile", "add", "plain", "--issuer", "https://idp.example.com", "--client-id", "x", "--plain-secret", plain)
	wantExit(t, r, 0, "warning: the client secret of plain is kept in clear")

	list := pe.mustRun("profile", "list")
	wantOut(t, "list", list.stdout, "NAME", "AUTH METHOD", "okta-acme", "https://acme.okta.com/oauth2/default", "0oa1", "client_secret_basic", "keyring", "plain")
	js := pe.mustRun("profile", "list", "--json")
	var entries []map[string]any
	if err := json.Unmarshal([]byte(js.stdout), &entries); err != nil || len(entries) != 2 {
		t.Fatalf("list --json: %v\n%s", err, js.stdout)
	}
	if entries[0]["name"] != "okta-acme" || entries[0]["issuer"] != "https://acme.okta.com/oauth2/default" || entries[0]["secret"] != "keyring" {
		t.Errorf("list --json: %v", entries[0])
	}
	show := pe.mustRun("profile", "show", "okta-acme")
	wantOut(t, "show", show.stdout, "client_secret: 'keyring:' # in the OS keyring: service tokenbench, account okta-acme", "scopes:", "- offline_access", "token:", "/v1/token")
	showPlain := pe.mustRun("profile", "show", "plain")
	wantOut(t, "show", showPlain.stdout, "plain:********", "warning:")
	for what, out := range map[string]string{"list": list.stdout + list.stderr, "list --json": js.stdout, "show": show.stdout + show.stderr, "show plain": showPlain.stdout + showPlain.stderr} {
		wantNot(t, what, out, kept, plain)
	}
	wantNot(t, "the profile file", pe.file(), kept)
}

func TestProfileAddRefusesNamingTheField(t *testing.T) {
	t.Parallel()
	pe := newProfileEnv(t)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--preset", "keycloak", "--set", "realm=acme", "--client-id", "x", "--auth-method", "none"}, []string{`profile "p": params.host: the Keycloak preset needs host`, "(--set host=…)"}},
		{[]string{"--issuer", "https//idp.example.com", "--client-id", "x"}, []string{"issuer: malformed URL", "(--issuer)"}},
		{[]string{"--issuer", "https://idp.example.com", "--token-endpoint", "idp.example.com/token", "--client-id", "x"}, []string{"endpoints.token: malformed URL", "(--token-endpoint)"}},
		{[]string{"--issuer", "https://idp.example.com", "--client-id", "x", "--auth-method", "basic"}, []string{`auth_method: unknown method "basic"`, "(--auth-method)"}},
		{[]string{"--issuer", "https://idp.example.com", "--client-id", "x", "--auth-method", "private_key_jwt"}, []string{"signing_key: private_key_jwt needs a signing key", "(--signing-key)"}},
		{[]string{"--issuer", "https://idp.example.com", "--client-id", "x", "--auth-method", "client_secret_post"}, []string{"client_secret: client_secret_post needs a client secret", "(--client-secret-ref)"}},
		{[]string{"--issuer", "https://idp.example.com", "--client-id", "x", "--client-secret-ref", "hunter2"}, []string{"--client-secret-ref: not a secret reference"}},
		{[]string{"--issuer", "https://idp.example.com", "--client-id", "x", "--grant", "implicit", "--auth-method", "none"}, []string{`grant: unknown grant "implicit"`}},
		{[]string{"--issuer", "https://idp.example.com", "--client-id", "x", "--pkce", "S512", "--auth-method", "none"}, []string{"--pkce: unknown PKCE method \"S512\""}},
		{[]string{"--preset", "nope", "--client-id", "x"}, []string{`preset: unknown preset "nope"`, "okta"}},
	}
	for _, tc := range cases {
		r := pe.run(append([]string{"profile", "add", "p"}, tc.args...)...)
		wantExit(t, r, 2, tc.want...)
		wantNot(t, "stderr", r.stderr, "hunter2")
	}
	if _, err := os.Stat(filepath.Join(pe.dir, "profiles.yaml")); !os.IsNotExist(err) {
		t.Errorf("a refused profile was saved: %v", err)
	}
	r := pe.run("profile", "add", "bad name", "--issuer", "https://idp.example.com", "--client-id", "x")
	wantExit(t, r, 2, "not a usable name")
}

func TestProfileEditCopyRemove(t *testing.T) {
	useMockKeyring()
	t.Parallel()
	pe := newProfileEnv(t)
	pe.runStdin("s1\n", false, "profile", "add", "rm-a", "--issuer", "https://idp.example.com", "--client-id", "a", "--client-secret-ref", "keyring:", "--param", "prompt=login")

	// Only the flags given change; --unset clears; a relative path becomes absolute.
	dir := t.TempDir()
	pe.mustRun("profile", "edit", "rm-a", "--scope", "openid", "--unset", "auth_params", "--ca-file", filepath.Join(dir, "ca.pem"))
	r := pe.mustRun("profile", "show", "rm-a")
	wantOut(t, "show", r.stdout, "client_id: a", "scopes:", "ca_file: "+filepath.Join(dir, "ca.pem"))
	wantNot(t, "show", r.stdout, "prompt")
	wantExit(t, pe.run("profile", "edit", "rm-a"), 2, "nothing to change")
	wantExit(t, pe.run("profile", "edit", "rm-b", "--client-id", "x"), 1, `no profile named "rm-b"`, "did you mean rm-a?")
	wantExit(t, pe.run("profile", "edit", "rm-a", "--issuer", "nope"), 2, "issuer: malformed URL")

	// A copy shares the keyring secret, so removing the original keeps it.
	pe.mustRun("profile", "copy", "rm-a", "rm-b")
	wantOut(t, "show", pe.mustRun("profile", "show", "rm-b").stdout, "client_secret: keyring:rm-a")
	wantExit(t, pe.run("profile", "copy", "rm-a", "rm-b"), 2, "already exists")

	// rm asks on a terminal, refuses to guess elsewhere.
	wantExit(t, pe.run("profile", "rm", "rm-a"), 2, "--yes")
	r = pe.runStdin("n\n", true, "profile", "rm", "rm-a")
	wantExit(t, r, 1, "Delete profile rm-a (https://idp.example.com)? [y/N]", "kept rm-a")
	r = pe.runStdin("y\n", true, "profile", "rm", "rm-a")
	wantExit(t, r, 0, "deleted profile rm-a")
	wantNot(t, "stderr", r.stderr, "removed its client secret")
	if v, _ := profiles.OSKeyring().Get("tokenbench", "rm-a"); v != "s1" {
		t.Errorf("the secret rm-b still uses was removed")
	}
	// Its own entry goes with a profile.
	pe.runStdin("s2\n", false, "profile", "add", "rm-c", "--issuer", "https://idp.example.com", "--client-id", "c", "--client-secret-ref", "keyring:")
	r = pe.run("profile", "rm", "--yes", "rm-c", "rm-b")
	wantExit(t, r, 0, "deleted profile rm-c", "removed its client secret from the OS keyring", "deleted profile rm-b")
	if _, err := profiles.OSKeyring().Get("tokenbench", "rm-c"); err == nil {
		t.Errorf("rm-c's secret stayed in the keyring")
	}
	wantExit(t, pe.run("profile", "rm", "--yes", "rm-x"), 1, `no profile named "rm-x"`)
}

func TestProfileEditKeepsOrReplacesTheKeyringSecret(t *testing.T) {
	useMockKeyring()
	t.Parallel()
	pe := newProfileEnv(t)
	pe.runStdin("first\n", false, "profile", "add", "kr-edit", "--issuer", "https://idp.example.com", "--client-id", "a", "--client-secret-ref", "keyring:")
	r := pe.runStdin("", true, "profile", "edit", "kr-edit", "--client-secret-ref", "keyring:")
	wantExit(t, r, 0, "press enter to keep it", "kept the client secret already in the OS keyring")
	r = pe.runStdin("second\n", false, "profile", "edit", "kr-edit", "--client-secret-ref", "keyring:")
	wantExit(t, r, 0, "stored the client secret")
	if v, _ := profiles.OSKeyring().Get("tokenbench", "kr-edit"); v != "second" {
		t.Errorf("the keyring holds %q", v)
	}
	wantExit(t, pe.runStdin("", false, "profile", "add", "kr-empty", "--issuer", "https://idp.example.com", "--client-id", "a", "--client-secret-ref", "keyring:"), 2, "no client secret given")
}

func TestProfileExportImport(t *testing.T) {
	useMockKeyring()
	t.Parallel()
	src := newProfileEnv(t)
	const plain = "plain-secret-3c2b"
	src.runStdin("kr-secret-1a2b\n", false, "profile", "add", "ex-acme", "--preset", "keycloak", "--set", "host=sso.acme.example", "--set", "realm=acme", "--client-id", "app", "--client-secret-ref", "keyring:")
	src.mustRun("profile", "add", "ex-beta", "--issuer", "https://idp.beta.example", "--client-id", "beta", "--plain-secret", plain, "--notes", "beta tenant")
	src.mustRun("profile", "add", "ex-gamma", "--issuer", "https://idp.gamma.example", "--client-id", "gamma", "--client-secret-ref", "cmd:pass show gamma")
	all := src.mustRun("profile", "export")
	wantOut(t, "export", all.stdout, "name: ex-acme", "name: ex-beta", "name: ex-gamma", "notes: beta tenant")
	var body []string
	for _, l := range strings.Split(all.stdout, "\n") {
		if !strings.HasPrefix(l, "#") {
			body = append(body, l)
		}
	}
	// The secrets go, the methods they implied stay (auth_method: client_secret_basic).
	wantNot(t, "export", strings.Join(body, "\n"), plain, "kr-secret-1a2b", "client_secret:", "keyring:", "pass show", "allow_plain_secret")
	one := src.mustRun("profile", "export", "ex-beta")
	wantNot(t, "export ex-beta", one.stdout, "ex-acme")
	wantExit(t, src.run("profile", "export", "nope"), 1, `no profile named "nope"`)

	file := filepath.Join(t.TempDir(), "export.yaml")
	if err := os.WriteFile(file, []byte(all.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := newProfileEnv(t)
	r := dst.run("profile", "import", file)
	wantExit(t, r, 0, "added ex-acme, ex-beta, ex-gamma", "ex-acme needs its client secret: tokenbench profile edit ex-acme --client-secret-ref keyring:",
		"ex-beta needs its client secret: tokenbench profile edit ex-beta --client-secret-ref keyring:", "ex-gamma needs its client secret")
	got := dst.mustRun("profile", "export")
	if got.stdout != all.stdout {
		t.Errorf("export → import → export changed the profiles:\n%s\nwant\n%s", got.stdout, all.stdout)
	}

	// A clash is refused, renamed, replaced, or asked about.
	r = dst.run("profile", "import", file)
	wantExit(t, r, 2, "already exist; nothing was imported", "--rename", "--replace")
	r = dst.run("profile", "import", "--rename", file)
	wantExit(t, r, 0, "imported ex-acme as ex-acme-2", "imported ex-gamma as ex-gamma-2")
	dst.mustRun("profile", "edit", "ex-beta", "--notes", "changed here")
	r = dst.runStdin(one.stdout, false, "profile", "import", "--replace", "-")
	wantExit(t, r, 0, "replaced ex-beta")
	wantOut(t, "show", dst.mustRun("profile", "show", "ex-beta").stdout, "notes: beta tenant")
	dst.mustRun("profile", "edit", "ex-beta", "--notes", "changed again")
	// On a terminal: n skips, y replaces.
	r = dst.runStdin("n\ny\nn\n", true, "profile", "import", file)
	wantExit(t, r, 0, "A profile named ex-acme exists. Replace it with the imported one? [y/N]", "replaced ex-beta", "skipped ex-acme, ex-gamma")
	wantOut(t, "show", dst.mustRun("profile", "show", "ex-beta").stdout, "notes: beta tenant")
	wantExit(t, dst.run("profile", "import", "--rename", "--replace", file), 2, "not both")
}

func TestProfileImportBadFile(t *testing.T) {
	t.Parallel()
	pe := newProfileEnv(t)
	file := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(file, []byte("version: 1\nprofiles:\n  - name: a\n    scopes: {x: y}\n"), 0o600) //nolint:errcheck // read by the command
	wantExit(t, pe.run("profile", "import", file), 1, file+":4: not valid YAML")
	os.WriteFile(file, []byte("version: 1\nprofiles:\n  - name: a\n    issuer: nope\n    client_id: x\n"), 0o600) //nolint:errcheck // read by the command
	wantExit(t, pe.run("profile", "import", file), 2, `profile "a": issuer: malformed URL`)
	wantExit(t, pe.run("profile", "import", filepath.Join(t.TempDir(), "missing.yaml")), 2, "no such file")
}

func TestProfileCorruptFileIsLeftAlone(t *testing.T) {
	t.Parallel()
	pe := newProfileEnv(t)
	if err := os.MkdirAll(pe.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	bad := "version: 1\nprofiles:\n  - name: a\n    issuer: https://idp.example.com\n   client_id: x\n"
	path := filepath.Join(pe.dir, "profiles.yaml")
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	want := path + ":5: not valid YAML"
	for _, args := range [][]string{
		{"profile", "list"},
		{"profile", "show", "a"},
		{"profile", "add", "b", "--issuer", "https://idp.example.com", "--client-id", "b", "--auth-method", "none"},
		{"profile", "edit", "a", "--client-id", "y"},
		{"profile", "rm", "--yes", "a"},
		{"token", "--profile", "a", "--grant", "client_credentials"},
	} {
		r := pe.run(args...)
		wantExit(t, r, 1, want, "left as it is and nothing is saved until it is fixed")
	}
	if got := pe.file(); got != bad {
		t.Errorf("the corrupt file changed:\n%s", got)
	}
	os.WriteFile(path, []byte("version: 7\nprofiles: []\n"), 0o600) //nolint:errcheck // read by the command
	wantExit(t, pe.run("profile", "list"), 1, path+":1: version 7 is newer than this tokenbench understands")
}

func TestProfilePermissionWarnings(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	t.Parallel()
	pe := newProfileEnv(t)
	pe.mustRun("profile", "add", "a", "--issuer", "https://idp.example.com", "--client-id", "a", "--auth-method", "none")
	for path, mode := range map[string]os.FileMode{pe.dir: 0o700, filepath.Join(pe.dir, "profiles.yaml"): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v %v, want %04o", path, fi.Mode(), err, mode)
		}
	}
	wantNot(t, "stderr", pe.mustRun("profile", "list").stderr, "warning")
	os.Chmod(filepath.Join(pe.dir, "profiles.yaml"), 0o644) //nolint:errcheck // checked by the warning
	r := pe.mustRun("profile", "list")
	wantOut(t, "stderr", r.stderr, "warning: the profile file", "can be read by other users (mode 0644): chmod 600")
	wantNot(t, "stdout", r.stdout, "warning")

	// A secret file others can read is warned about each time it is used.
	secret := secretFile(t, "x")
	os.Chmod(secret, 0o644) //nolint:errcheck // checked by the warning
	pe.mustRun("profile", "add", "f", "--issuer", "http://127.0.0.1:1", "--client-id", "a", "--client-secret-ref", "file:"+secret)
	r = pe.run("token", "--profile", "f", "--grant", "client_credentials", "--timeout", "1s")
	wantOut(t, "stderr", r.stderr, "warning: the secret file "+secret+" can be read by other users (mode 0644)")
}

func TestProfileKeyringUnavailable(t *testing.T) {
	// A helper process, where go-keyring is not mocked: no D-Bus session answers there.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := newHelperCommand(exe, helperMain, "profile", "add", "acme", "--issuer", "https://idp.example.com", "--client-id", "a", "--client-secret-ref", "keyring:")
	c.Env = append(os.Environ(), "TOKENBENCH_CONFIG_HOME="+dir, "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-bus"))
	c.Stdin = strings.NewReader("s3cret\n")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	err = c.Run()
	if err == nil {
		t.Skip("a keyring answered here")
	}
	wantOut(t, "stderr", stderr.String(), "is not available", "env:NAME", "file:PATH", "cmd:COMMAND")
	if _, err := os.Stat(filepath.Join(dir, "profiles.yaml")); !os.IsNotExist(err) {
		t.Errorf("the profile was saved without its secret")
	}
}

// TestProfileTwoProcessesAddAtOnce runs two tokenbench processes, each adding 20 profiles one by
// one, at the same time: all 40 must be there.
func TestProfileTwoProcessesAddAtOnce(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for _, who := range []string{"p1", "p2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				name := fmt.Sprintf("%s-%02d", who, i)
				c := newHelperCommand(exe, helperMain, "profile", "add", name, "--issuer", "https://idp.example.com", "--client-id", name, "--auth-method", "none")
				// Under -race a process sleeps a second on exit unless told not to.
				c.Env = append(os.Environ(), "TOKENBENCH_CONFIG_HOME="+dir, "GORACE=atexit_sleep_ms=0")
				if out, err := c.CombinedOutput(); err != nil {
					errs <- fmt.Errorf("%s: %v\n%s", name, err, out)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s, err := profiles.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.List()); n != 40 {
		t.Errorf("%d profiles, want 40: %v", n, s.Names())
	}
}

func TestProfilePresetsCommand(t *testing.T) {
	t.Parallel()
	pe := newProfileEnv(t)
	r := pe.mustRun("profile", "presets")
	wantOut(t, "presets", r.stdout,
		"okta — Okta", "issuer:     https://{domain}/oauth2/{server}", "domain", "the Okta org domain", "default default",
		"keycloak — Keycloak", "https://{host}/realms/{realm}",
		"blockid — 1Kosmos BlockID", "https://{dns}/oauth2/community/{community}", "discovery:  none",
		"generic", "google", "entra", "cognito", "pingone", "oneaccess", "bamboo", "connect2id", "auth0",
		"tokenbench profile add NAME --preset okta --set domain=acme.okta.com")
	one := pe.mustRun("profile", "presets", "blockid")
	wantOut(t, "presets blockid", one.stdout, "authorization:", "/v1/authorize", "direct authorize", "docs:")
	wantExit(t, pe.run("profile", "presets", "nope"), 2, `unknown preset "nope"`)
}
