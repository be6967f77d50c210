package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

var mockKeyringOnce sync.Once

// useMockKeyring switches go-keyring to its in-memory stand-in for the whole test binary, before any
// test goroutine touches it. Tests that need a real keyring run a helper process instead.
func useMockKeyring() { mockKeyringOnce.Do(keyring.MockInit) }

// profileEnv is a configuration directory of its own, so each test is hermetic and may run in
// parallel with the others.
type profileEnv struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newProfileEnv(t *testing.T) *profileEnv {
	t.Helper()
	return &profileEnv{t: t, dir: filepath.Join(t.TempDir(), "config"), env: map[string]string{"BROWSER": browserEnv(t)}}
}

// run runs tokenbench with this configuration directory.
func (pe *profileEnv) run(args ...string) result {
	pe.t.Helper()
	return pe.runWith(invocation{args: args}, false)
}

// runStdin runs tokenbench with stdin; terminal plays an interactive terminal.
func (pe *profileEnv) runStdin(stdin string, terminal bool, args ...string) result {
	pe.t.Helper()
	return pe.runWith(invocation{args: args, stdin: strings.NewReader(stdin)}, terminal)
}

func (pe *profileEnv) runWith(inv invocation, terminal bool) result {
	pe.t.Helper()
	vars := map[string]string{"TOKENBENCH_CONFIG_HOME": pe.dir}
	for k, v := range pe.env {
		vars[k] = v
	}
	for k, v := range inv.env {
		vars[k] = v
	}
	if inv.stdin == nil {
		inv.stdin = strings.NewReader("")
	}
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	e := &env{stdin: inv.stdin, stdout: stdout, stderr: stderr, getenv: func(k string) string { return vars[k] }, stdinIsTerminal: terminal}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := run(ctx, e, inv.args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// mustRun runs tokenbench and fails the test unless it exits 0.
func (pe *profileEnv) mustRun(args ...string) result {
	pe.t.Helper()
	r := pe.run(args...)
	if r.code != 0 {
		pe.t.Fatalf("tokenbench %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// file is the profile file's content.
func (pe *profileEnv) file() string {
	pe.t.Helper()
	b, err := os.ReadFile(filepath.Join(pe.dir, "profiles.yaml"))
	if err != nil {
		pe.t.Fatal(err)
	}
	return string(b)
}

// wantOut fails unless the output holds every fragment.
func wantOut(t *testing.T, what, out string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(out, f) {
			t.Errorf("%s lacks %q:\n%s", what, f, out)
		}
	}
}

// wantNot fails if the output holds any fragment.
func wantNot(t *testing.T, what, out string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if strings.Contains(out, f) {
			t.Errorf("%s holds %q:\n%s", what, f, out)
		}
	}
}

// secretFile writes a 0600 file holding secret and a newline.
func secretFile(t *testing.T, secret string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
