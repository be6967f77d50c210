package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	tea "charm.land/bubbletea/v2"
	clibrowser "github.com/cli/browser"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui"
	"github.com/tokenbench/tokenbench/tui/browser"
)

// runTUI opens the workbench on the demo client of a provider started in this process.
func (o *demoOptions) runTUI(ctx context.Context, e *env, faults demoidp.Faults) error {
	p, err := startDemo(o.addr, faults)
	if err != nil {
		return err
	}
	defer p.Close()
	c, err := demoClient(p)
	if err != nil {
		return err
	}
	closeLog, err := tuiLogging(e)
	if err != nil {
		return err
	}
	defer closeLog()
	// Nothing may write to the terminal behind the TUI's back: not the platform opener's helpers,
	// not a stray log line.
	clibrowser.Stdout, clibrowser.Stderr = io.Discard, io.Discard
	note := "built-in provider · user demo / demo"
	if s := faults.String(); s != "" {
		note += " · faults: " + s
	}
	m := tui.New(tui.Options{
		Client:      c,
		Name:        walkthroughClient + " @ built-in provider",
		Note:        note,
		OpenBrowser: func(u string) error { return browser.Open(u, e.getenv) },
	})
	prog := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(e.stdin), tea.WithOutput(e.stdout))
	if _, err := prog.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("the workbench stopped: %w", err)
	}
	return nil
}

// tuiLogging sends the log package's output to a file when TOKENBENCH_DEBUG is set (its value is
// the file's path, or "1" for tokenbench-debug.log here), and nowhere otherwise: the terminal
// belongs to the TUI. Secrets are never logged.
func tuiLogging(e *env) (func(), error) {
	path := e.getenv("TOKENBENCH_DEBUG")
	if path == "" {
		log.SetOutput(io.Discard)
		return func() {}, nil
	}
	if path == "1" || path == "true" {
		path = "tokenbench-debug.log"
	}
	f, err := tea.LogToFile(path, "tokenbench")
	if err != nil {
		return nil, fmt.Errorf("TOKENBENCH_DEBUG: %w", err)
	}
	return func() { f.Close(); log.SetOutput(os.Stderr) }, nil
}
