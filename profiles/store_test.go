package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestFullProfileSetsEveryField keeps the round trip honest: a field added to Profile must be
// added to fullProfile too.
func TestFullProfileSetsEveryField(t *testing.T) {
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if f.Type.Kind() == reflect.Struct {
				walk(path+f.Name+".", fv)
				continue
			}
			if fv.IsZero() {
				t.Errorf("fullProfile leaves %s%s empty", path, f.Name)
			}
		}
	}
	walk("", reflect.ValueOf(fullProfile(t, "x")))
}

func TestRoundTripEveryField(t *testing.T) {
	dir := testDir(t)
	s := openStore(t, dir)
	want := fullProfile(t, "acme-prod")
	if err := want.Validate(); err != nil {
		t.Fatalf("the full profile is invalid: %v", err)
	}
	if err := s.Add(want); err != nil {
		t.Fatal(err)
	}
	got, err := openStore(t, dir).Get("acme-prod")
	if err != nil {
		t.Fatal(err)
	}
	if !sameProfile(got, want) {
		t.Errorf("round trip changed the profile:\n got %+v\nwant %+v", got, want)
	}
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"version: 1", "profiles:", "- name: acme-prod", "preset: okta", "params:", "issuer:", "endpoints:", "authorization:", "end_session:", "device_authorization:", "jwks:", "client_id:", "client_secret: plain:s3cret-value", "allow_plain_secret: true", "auth_method: private_key_jwt", "signing_key:", "signing_alg: PS256", "decryption_key:", "redirect_uri:", "scopes: [openid, profile, offline_access]", "grant: authorization_code", "auth_params:", "acr_values: ['urn:mfa', 'urn:pwd']", "token_params:", "pkce: plain", "tls:", "ca_file:", "client_cert:", "client_key:", "insecure: true", "notes: |-"} {
		if !strings.Contains(string(data), key) {
			t.Errorf("the file lacks %q:\n%s", key, data)
		}
	}
	// Every other kind of reference survives too.
	for _, ref := range []SecretRef{"keyring:", "keyring:shared", "env:ACME_SECRET", "file:/run/secrets/acme", "cmd:pass show acme/client | head -1"} {
		p := simpleProfile("ref")
		p.ClientSecret = ref
		if err := s.Put(p); err != nil {
			t.Fatal(err)
		}
		got, err := openStore(t, dir).Get("ref")
		if err != nil || got.ClientSecret != ref {
			t.Errorf("reference %q came back as %q (%v)", string(ref), string(got.ClientSecret), err)
		}
	}
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := testDir(t)
	s := openStore(t, dir)
	if len(s.Warnings()) != 0 {
		t.Errorf("warnings for a directory not yet created: %v", s.Warnings())
	}
	if err := s.Add(simpleProfile("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(simpleProfile("b")); err != nil { // a second save makes the backup
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		dir:                                  0o700,
		filepath.Dir(dir):                    0o700, // created on the way
		s.Path():                             0o600,
		s.BackupPath():                       0o600,
		filepath.Join(dir, FileName+".lock"): 0o600,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %04o, want %04o", path, got, want)
		}
	}
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings after creating everything tight: %v", w)
	}

	// Loosened by hand: both are reported.
	if err := os.Chmod(s.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir)
	w := strings.Join(s.Warnings(), "\n")
	for _, frag := range []string{"profiles.yaml can be read by other users (mode 0644): chmod 600", "directory " + dir + " is open to other users (mode 0755): chmod 700"} {
		if !strings.Contains(w, frag) {
			t.Errorf("warnings lack %q:\n%s", frag, w)
		}
	}
	// The next save writes the file 0600 again.
	if err := s.Add(simpleProfile("c")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(s.Path()); fi.Mode().Perm() != 0o600 {
		t.Errorf("after a save the file is %04o", fi.Mode().Perm())
	}
	if w := strings.Join(s.Warnings(), "\n"); strings.Contains(w, "profiles.yaml can be read") {
		t.Errorf("the file warning stayed after the save fixed it: %s", w)
	}
}

func TestBackupKeepsThePreviousVersion(t *testing.T) {
	dir := testDir(t)
	s := openStore(t, dir)
	if err := s.Add(simpleProfile("a")); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(s.Path())
	if err := s.Add(simpleProfile("b")); err != nil {
		t.Fatal(err)
	}
	bak, err := os.ReadFile(s.BackupPath())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bak, first) {
		t.Errorf("the backup is not the previous version:\n%s\nwant\n%s", bak, first)
	}
}

// crashTest sets up a file with one profile and returns its bytes.
func crashSetup(t *testing.T) (dir string, before []byte) {
	t.Helper()
	dir = testDir(t)
	s := openStore(t, dir)
	if err := s.Add(simpleProfile("old")); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	return dir, before
}

// crashCheck asserts the old file survived a crash before the rename, loads, and that the next
// save clears the temporary file left behind.
func crashCheck(t *testing.T, dir string, before []byte) {
	t.Helper()
	path := filepath.Join(dir, FileName)
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, before) {
		t.Fatalf("the file changed although the save crashed before its rename:\n%s", after)
	}
	temps, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	if len(temps) != 1 {
		t.Errorf("want the crashed save's temporary file left behind, found %v", temps)
	}
	s := openStore(t, dir)
	if names := s.Names(); !reflect.DeepEqual(names, []string{"old"}) {
		t.Errorf("after the crash the file holds %v", names)
	}
	if err := s.Add(simpleProfile("next")); err != nil {
		t.Fatalf("a save after the crash: %v", err)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, tempPrefix+"*")); len(temps) != 0 {
		t.Errorf("stale temporary files remain: %v", temps)
	}
}

func TestCrashBetweenWriteAndRenameInProcess(t *testing.T) {
	dir, before := crashSetup(t)
	s := openStore(t, dir)
	var written []byte
	s.afterTemp = func(tmp string) {
		written, _ = os.ReadFile(tmp)
		panic("crash")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the hook did not run")
			}
		}()
		s.Add(simpleProfile("new")) //nolint:errcheck // it panics
	}()
	if !strings.Contains(string(written), "name: new") {
		t.Errorf("the temporary file did not hold the new version:\n%s", written)
	}
	crashCheck(t, dir, before)
}

func TestCrashBetweenWriteAndRenameProcess(t *testing.T) {
	dir, before := crashSetup(t)
	out, err := runHelper(t, "crash-before-rename", dir, "new").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("the helper did not die at the hook (%v):\n%s", err, out)
	}
	// The dead process's lock is gone with it: the next save (in crashCheck) does not wait.
	crashCheck(t, dir, before)
}

func TestCorruptFileIsNeverOverwritten(t *testing.T) {
	cases := []struct {
		name, content string
		line          int
		want          string
	}{
		{"bad YAML", "version: 1\nprofiles:\n  - name: a\n    issuer: https://idp.example.com\n   client_id: x\n", 5, "not valid YAML"},
		{"unknown version", "version: 2\nprofiles: []\n", 1, "version 2 is newer than this tokenbench understands"},
		{"version not a number", "# mine\nversion: one\nprofiles: []\n", 2, "version must be a whole number"},
		{"wrong type", "version: 1\nprofiles:\n  - name: a\n    scopes:\n      openid: true\n", 5, "cannot unmarshal"},
		{"two profiles of one name", "version: 1\nprofiles:\n  - name: a\n    issuer: https://x.example\n  - name: a\n", 5, `a second profile named "a" (the first is on line 3)`},
		{"profile without a name", "version: 1\nprofiles:\n  - issuer: https://x.example\n", 3, "a profile without a name"},
		{"not a mapping", "- name: a\n", 1, "must be a mapping"},
		{"profiles not a list", "version: 1\nprofiles:\n  a: {}\n", 3, "profiles must be a list"},
		{"two documents", "version: 1\n---\nversion: 1\n", 2, "a second YAML document"},
		{"an alias inside itself", "version: 1\nprofiles:\n  - &p\n    name: a\n    extra: *p\n", 5, "the alias *p refers to a node that contains it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testDir(t)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir)
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Open: %v (%T), want a *LoadError", err, err)
			}
			if le.Path != path || le.Line != tc.line || !strings.Contains(le.Msg, tc.want) {
				t.Errorf("LoadError{%s, line %d, %q}, want line %d and %q", le.Path, le.Line, le.Msg, tc.line, tc.want)
			}
			if want := fmt.Sprintf("%s:%d: ", path, tc.line); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("message %q does not start with %q", err, want)
			}
			if s == nil || len(s.List()) != 0 || s.Err() == nil {
				t.Fatalf("Open should return an empty store that knows it is broken")
			}
			writes := map[string]func() error{
				"Add": func() error { return s.Add(simpleProfile("new")) },
				"Put": func() error { return s.Put(simpleProfile("a")) },
				"Delete": func() error {
					_, err := s.Delete("a")
					return err
				},
				"Copy": func() error {
					_, err := s.Copy("a", "b")
					return err
				},
				"Import": func() error {
					_, err := s.Import([]Profile{simpleProfile("z")}, ImportOptions{})
					return err
				},
			}
			for name, write := range writes {
				err := write()
				if !errors.As(err, &le) {
					t.Errorf("%s on a corrupt file: %v, want the *LoadError", name, err)
				}
			}
			got, _ := os.ReadFile(path)
			if string(got) != tc.content {
				t.Errorf("the corrupt file was changed:\n%s", got)
			}
			if _, err := os.Stat(s.BackupPath()); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a backup was written: %v", err)
			}
		})
	}
}

func TestEmptyAndCommentOnlyFilesLoad(t *testing.T) {
	for _, content := range []string{"", "# nothing yet\n", "version: 1\n", "version: 1\nprofiles:\n", "profiles: []\n"} {
		dir := testDir(t)
		os.MkdirAll(dir, 0o700) //nolint:errcheck // WriteFile reports it
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		s := openStore(t, dir)
		if err := s.Add(simpleProfile("a")); err != nil {
			t.Fatalf("%q: %v", content, err)
		}
		data, _ := os.ReadFile(s.Path())
		if !strings.HasPrefix(strings.TrimPrefix(string(data), "# nothing yet\n"), "version: 1\nprofiles:\n  - name: a\n") {
			t.Errorf("from %q the file became:\n%s", content, data)
		}
	}
}

func TestConcurrentWritersGoroutines(t *testing.T) {
	dir := testDir(t)
	shared := openStore(t, dir)
	var wg sync.WaitGroup
	errs := make(chan error, 80)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Two writers with a Store each (like two processes), two sharing one.
			s := shared
			if w < 2 {
				s = openStore(t, dir)
			}
			for i := range 20 {
				errs <- s.Add(simpleProfile(fmt.Sprintf("w%d-%02d", w, i)))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(openStore(t, dir).List()); n != 80 {
		t.Errorf("%d profiles, want 80", n)
	}
}

func TestConcurrentWritersProcesses(t *testing.T) {
	dir := testDir(t)
	a := runHelper(t, "add-many", dir, "proc-a", "20")
	b := runHelper(t, "add-many", dir, "proc-b", "20")
	var outA, outB bytes.Buffer
	a.Stdout, a.Stderr = &outA, &outA
	b.Stdout, b.Stderr = &outB, &outB
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.Wait(); err != nil {
		t.Errorf("process a: %v\n%s", err, outA.String())
	}
	if err := b.Wait(); err != nil {
		t.Errorf("process b: %v\n%s", err, outB.String())
	}
	s := openStore(t, dir)
	if n := len(s.List()); n != 40 {
		t.Fatalf("%d profiles, want 40: %v", n, s.Names())
	}
	for _, prefix := range []string{"proc-a", "proc-b"} {
		for i := range 20 {
			if _, err := s.Get(fmt.Sprintf("%s-%02d", prefix, i)); err != nil {
				t.Error(err)
			}
		}
	}
}

// newerFile is a file a newer tokenbench wrote: keys this version does not know at the top, in a
// profile, inside endpoints and tls, and comments.
const newerFile = `# my tenants
version: 1
telemetry: {enabled: false}
profiles:
  # production: careful
  - name: acme
    issuer: https://idp.acme.example # the real one
    client_id: app
    client_secret: env:ACME_SECRET
    attestation:
      alg: ES256
    endpoints:
      token: https://idp.acme.example/token
      par: https://idp.acme.example/par
    tls:
      min_version: "1.3"
  - name: beta
    issuer: https://idp.beta.example
    client_id: beta
    client_secret: env:BETA
    future_flag: true
  - name: gamma
    issuer: https://idp.gamma.example
    client_id: gamma
    client_secret: env:GAMMA
`

func TestUnknownFieldsSurviveRewrites(t *testing.T) {
	dir := testDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(newerFile), 0o600); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, dir)
	// Edited the usual way: read, change, save.
	acme, err := s.Get("acme")
	if err != nil {
		t.Fatal(err)
	}
	acme.Notes = "edited"
	acme.TLS = TLS{} // tls now has no known key left, but its unknown one stays
	if err := s.Put(acme); err != nil {
		t.Fatal(err)
	}
	// Replaced by a profile built from scratch: the file's unknown keys stay.
	if err := s.Put(simpleProfile("beta")); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(simpleProfile("delta")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete("gamma"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Copy("acme", "acme-copy"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Telemetry map[string]any
		Profiles  []map[string]any
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Telemetry["enabled"] != false {
		t.Errorf("the top-level unknown key was lost:\n%s", data)
	}
	byName := map[string]map[string]any{}
	for _, p := range doc.Profiles {
		byName[p["name"].(string)] = p
	}
	for _, name := range []string{"acme", "acme-copy"} {
		p := byName[name]
		if att, _ := p["attestation"].(map[string]any); att["alg"] != "ES256" {
			t.Errorf("%s lost attestation:\n%s", name, data)
		}
		if ep, _ := p["endpoints"].(map[string]any); ep["par"] != "https://idp.acme.example/par" || ep["token"] != "https://idp.acme.example/token" {
			t.Errorf("%s lost endpoints.par:\n%s", name, data)
		}
		if tls, _ := p["tls"].(map[string]any); tls["min_version"] != "1.3" {
			t.Errorf("%s lost tls.min_version:\n%s", name, data)
		}
	}
	if byName["beta"]["future_flag"] != true || byName["beta"]["client_id"] != "client-beta" {
		t.Errorf("beta was not replaced with its unknown key kept:\n%s", data)
	}
	if _, ok := byName["gamma"]; ok {
		t.Errorf("gamma was not deleted")
	}
	for _, c := range []string{"# my tenants", "# production: careful", "# the real one"} {
		if !strings.Contains(string(data), c) {
			t.Errorf("the comment %q was lost:\n%s", c, data)
		}
	}
	// And it still loads, with the edit.
	got, err := openStore(t, dir).Get("acme")
	if err != nil || got.Notes != "edited" {
		t.Errorf("reload: %+v, %v", got, err)
	}
}

func TestStoreNameErrors(t *testing.T) {
	s := openStore(t, testDir(t))
	if _, err := s.Get("nope"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `no profile named "nope"`) {
		t.Errorf("Get: %v", err)
	}
	if err := s.Add(simpleProfile("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(simpleProfile("a")); !errors.Is(err, ErrExists) {
		t.Errorf("Add twice: %v", err)
	}
	if _, err := s.Delete("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete: %v", err)
	}
	if _, err := s.Copy("a", "a"); !errors.Is(err, ErrExists) {
		t.Errorf("Copy onto itself: %v", err)
	}
	if _, err := s.Copy("nope", "b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Copy of a missing one: %v", err)
	}
	if _, err := s.Copy("a", "bad name"); err == nil {
		t.Errorf("Copy to a bad name")
	}
	bad := simpleProfile("b")
	bad.Issuer = "not a url"
	if err := s.Add(bad); err == nil {
		t.Errorf("Add of an invalid profile")
	}
}

func TestCopyKeepsTheKeyringSecret(t *testing.T) {
	s := openStore(t, testDir(t))
	p := simpleProfile("a")
	p.ClientSecret = "keyring:"
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	c, err := s.Copy("a", "b")
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientSecret != "keyring:a" {
		t.Errorf("the copy's reference is %q, want keyring:a", string(c.ClientSecret))
	}
	if got := s.UsesKeyringAccount("a", "a"); !reflect.DeepEqual(got, []string{"b"}) {
		t.Errorf("UsesKeyringAccount: %v", got)
	}
}

func TestDir(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	env["TOKENBENCH_CONFIG_HOME"] = "/a/b"
	env["XDG_CONFIG_HOME"] = "/x"
	if d, _ := DirFrom(getenv); d != filepath.Clean("/a/b") {
		t.Errorf("with TOKENBENCH_CONFIG_HOME: %s", d)
	}
	delete(env, "TOKENBENCH_CONFIG_HOME")
	if d, _ := DirFrom(getenv); d != filepath.Join("/x", "tokenbench") {
		t.Errorf("with XDG_CONFIG_HOME: %s", d)
	}
	delete(env, "XDG_CONFIG_HOME")
	ucd, err := os.UserConfigDir()
	if d, _ := DirFrom(getenv); err == nil && d != filepath.Join(ucd, "tokenbench") {
		t.Errorf("default: %s, want under %s", d, ucd)
	}
}

// TestAliasBombIsNotExpanded: unknown keys are copied with a profile, aliases expanded; a few
// nested ones must not make that endless.
func TestAliasBombIsNotExpanded(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nbomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("profiles:\n  - name: a\n    issuer: https://idp.example.com\n    client_id: a\n    boom: *a8\n")
	dir := testDir(t)
	os.MkdirAll(dir, 0o700) //nolint:errcheck // WriteFile reports it
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, dir)
	// Untouched, the aliases are written back as aliases.
	if err := s.Add(simpleProfile("b")); err != nil {
		t.Fatal(err)
	}
	p, err := s.Get("a")
	if err != nil {
		t.Fatal(err)
	}
	p.Notes = "touched"
	start := time.Now()
	if err := s.Put(p); err == nil || !strings.Contains(err.Error(), "more than 100000 YAML nodes") {
		t.Errorf("Put: %v", err)
	}
	if _, err := Export([]Profile{p}); err == nil {
		t.Error("Export expanded the bomb")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}
