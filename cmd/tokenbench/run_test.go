package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestRunMissingProfile: `tokenbench run NAME` and `tokenbench --profile NAME` with no such
// profile exit 1 with a clear message, before any workbench starts.
func TestRunMissingProfile(t *testing.T) {
	t.Parallel()
	pe := newProfileEnv(t)
	pe.mustRun("profile", "add", "acme-prod", "--issuer", "https://sso.acme.test", "--client-id", "web", "--auth-method", "none")
	for _, args := range [][]string{{"run", "acme-prd"}, {"--profile", "acme-prd"}} {
		r := pe.run(args...)
		if r.code != exitFailure {
			t.Errorf("%v: exit %d, want 1\n%s", args, r.code, r.stderr)
		}
		wantOut(t, "stderr", r.stderr, `no profile named "acme-prd"`, "did you mean acme-prod?")
		wantNot(t, "stdout", r.stdout, "\x1b[")
	}
	if r := pe.run("run"); r.code != exitUsage {
		t.Errorf("run without a name: exit %d", r.code)
	}
}

// TestRunUnresolvableProfile: a profile whose secret cannot be had fails on stderr (exit 1) before
// the workbench starts, naming the variable.
func TestRunUnresolvableProfile(t *testing.T) {
	t.Parallel()
	pe := newProfileEnv(t)
	pe.mustRun("profile", "add", "acme-prod", "--issuer", "https://sso.acme.test", "--client-id", "web", "--client-secret-ref", "env:ACME_SECRET")
	r := pe.runWith(invocation{args: []string{"run", "acme-prod"}}, true)
	if r.code != exitFailure {
		t.Errorf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	wantOut(t, "stderr", r.stderr, "acme-prod", "ACME_SECRET", "not set")
	wantNot(t, "stdout", r.stdout, "\x1b[")
}

// TestRootWithoutTerminal: `tokenbench` alone, not on a terminal, prints what to run instead.
func TestRootWithoutTerminal(t *testing.T) {
	t.Parallel()
	r := newProfileEnv(t).run()
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	wantOut(t, "stdout", r.stdout, "On a terminal, tokenbench opens the workbench", "tokenbench demo")
}

// startTUI runs tokenbench with args on a pretend terminal fed by a pipe, in configuration
// directory dir; it returns the output so far, a writer for keys, and the exit status to come.
func startTUI(t *testing.T, dir string, vars map[string]string, args ...string) (*syncBuffer, io.WriteCloser, <-chan int) {
	t.Helper()
	r, w := io.Pipe()
	stdout := &syncBuffer{}
	all := map[string]string{"TOKENBENCH_CONFIG_HOME": dir}
	for k, v := range vars {
		all[k] = v
	}
	e := &env{stdin: r, stdout: stdout, stderr: &syncBuffer{}, getenv: func(k string) string { return all[k] },
		stdinIsTerminal: true, stdoutIsTerminal: true}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, args) }()
	return stdout, w, done
}

// waitOutput waits for text in the output.
func waitOutput(t *testing.T, out *syncBuffer, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %q:\n%q", text, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// quitTUI sends q and waits for exit status 0.
func quitTUI(t *testing.T, w io.WriteCloser, done <-chan int) {
	t.Helper()
	if _, err := w.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("q did not quit")
	}
	w.Close()
}

// TestRunOpensWorkbench: `tokenbench run NAME` on a terminal opens the workbench on the profile,
// its secret resolved first. Without a terminal there is no window size, so nothing is drawn: the
// window title says which client the session runs.
func TestRunOpensWorkbench(t *testing.T) {
	t.Parallel()
	p := demoidptest.StartWith(t, demoidp.Options{})
	pe := newProfileEnv(t)
	pe.mustRun("profile", "add", "local", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret-ref", "env:DEMO_SECRET")
	out, w, done := startTUI(t, pe.dir, map[string]string{"DEMO_SECRET": "demo-basic-secret"}, "run", "local")
	waitOutput(t, out, "tokenbench — local @ 127.0.0.1:")
	quitTUI(t, w, done)
}

// TestRootOpensProfiles: `tokenbench` on a terminal opens the workbench without a client; enter on
// the empty store's first entry starts the built-in provider in the process and opens its client.
func TestRootOpensProfiles(t *testing.T) {
	t.Parallel()
	out, w, done := startTUI(t, filepath.Join(t.TempDir(), "config"), nil)
	waitOutput(t, out, "\x1b]2;tokenbench\a")
	if _, err := w.Write([]byte("\r")); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, out, "tokenbench — demo-basic @ built-in provider")
	quitTUI(t, w, done)
}
