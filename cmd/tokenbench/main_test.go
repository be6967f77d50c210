package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// The test binary doubles as two helper programs, chosen by its first argument: a browser that
// opens a URL and follows redirects (for $BROWSER), and tokenbench itself (for tests that need a
// real process: exit statuses, signals).
const (
	helperBrowser = "tokenbench-test-browser"
	helperMain    = "tokenbench-test-main"
)

func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case helperBrowser:
			os.Exit(fakeBrowser(os.Args[2:]))
		case helperMain:
			os.Args = append(os.Args[:1], os.Args[2:]...)
			main()
			return
		}
	}
	os.Exit(m.Run())
}

// fakeBrowser GETs the URL and follows redirects, as a browser whose user is signed in and approves
// would; the provider sends it on to tokenbench's loopback listener or approves a device code.
func fakeBrowser(args []string) int {
	if len(args) != 1 {
		os.Stderr.WriteString("fake browser: want one URL\n")
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := demoidptest.Browse(ctx, args[0]); err != nil { // form_post and fragment pages too
		os.Stderr.WriteString("fake browser: " + err.Error() + "\n")
		return 1
	}
	return 0
}

// browserEnv is $BROWSER naming the fake browser.
func browserEnv(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(exe, " :") {
		t.Fatalf("the test binary's path %q has a space or colon, which $BROWSER cannot carry", exe)
	}
	return exe + " " + helperBrowser + " %s"
}

// syncBuffer is a buffer written by the command (and by a browser's reaper) while a test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// result is one command's outcome.
type result struct {
	code           int
	stdout, stderr string
}

// invocation is one in-process run of tokenbench.
type invocation struct {
	args   []string
	stdin  io.Reader
	env    map[string]string
	stderr *syncBuffer // optional: to watch stderr while the command runs
	// ctx is cancelled to play ctrl-c; nil means a 30-second limit.
	ctx context.Context
}

// runCLI runs tokenbench in-process, as main would, and returns its exit status and output.
func runCLI(t *testing.T, inv invocation) result {
	t.Helper()
	if inv.stdin == nil {
		inv.stdin = strings.NewReader("")
	}
	if inv.stderr == nil {
		inv.stderr = &syncBuffer{}
	}
	stdout := &syncBuffer{}
	e := &env{
		stdin:  inv.stdin,
		stdout: stdout,
		stderr: inv.stderr,
		getenv: func(k string) string { return inv.env[k] },
	}
	ctx := inv.ctx
	if ctx == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
	}
	code := run(ctx, e, inv.args)
	return result{code: code, stdout: stdout.String(), stderr: inv.stderr.String()}
}

// tb runs tokenbench with args and $BROWSER set to the fake browser.
func tb(t *testing.T, args ...string) result {
	t.Helper()
	return runCLI(t, invocation{args: args, env: map[string]string{"BROWSER": browserEnv(t)}})
}

// wantExit fails the test unless the command exited with code and stderr holds every fragment.
func wantExit(t *testing.T, r result, code int, fragments ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, f := range fragments {
		if !strings.Contains(r.stderr, f) {
			t.Errorf("stderr lacks %q:\n%s", f, r.stderr)
		}
	}
}

// newHelperCommand runs the test binary as one of its helper programs.
func newHelperCommand(exe string, args ...string) *exec.Cmd {
	return exec.Command(exe, args...)
}
