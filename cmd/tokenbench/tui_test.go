package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemoWalkthroughFlag: --walkthrough prints the walkthrough even on a terminal.
func TestDemoWalkthroughFlag(t *testing.T) {
	t.Parallel()
	stdout := &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: stdout, stderr: &syncBuffer{},
		getenv:          func(k string) string { return map[string]string{"BROWSER": browserEnv(t)}[k] },
		stdinIsTerminal: true, stdoutIsTerminal: true}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if code := run(ctx, e, []string{"demo", "--walkthrough"}); code != 0 || !strings.Contains(stdout.String(), "Done") {
		t.Fatalf("exit %d:\n%s", code, stdout.String())
	}
}

// TestDemoTUI: on a terminal, demo opens the workbench (here fed by a pipe: one q quits), and
// TOKENBENCH_DEBUG sends the log to a file.
func TestDemoTUI(t *testing.T) {
	t.Parallel()
	r, w := io.Pipe()
	stdout := &syncBuffer{}
	logFile := filepath.Join(t.TempDir(), "debug.log")
	e := &env{stdin: r, stdout: stdout, stderr: &syncBuffer{},
		getenv:          func(k string) string { return map[string]string{"TOKENBENCH_DEBUG": logFile}[k] },
		stdinIsTerminal: true, stdoutIsTerminal: true}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, []string{"demo"}) }()
	deadline := time.Now().Add(10 * time.Second)
	// Without a terminal there is no window size, so nothing is drawn: wait for the alternate
	// screen and the window title instead.
	for !strings.Contains(stdout.String(), "tokenbench — demo-basic") {
		if time.Now().After(deadline) {
			t.Fatalf("no first frame:\n%q", stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	quitTUI(t, w, done)
	if _, err := os.Stat(logFile); err != nil {
		t.Errorf("TOKENBENCH_DEBUG: %v", err)
	}
}
