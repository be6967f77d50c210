package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui"
	"github.com/tokenbench/tokenbench/tui/browser"
)

// The three ways into the workbench: `tokenbench` (the Profiles screen), `tokenbench run NAME` or
// `tokenbench --profile NAME` (the stepper on a profile, resolved before the program starts), and
// `tokenbench demo` (the stepper on the built-in provider's demo client). All three have the
// profiles and the demo one key away.

// demoConfig is the built-in provider's demo client: a confidential client authenticating with
// HTTP Basic. `tokenbench demo` (its walkthrough and its workbench) and the Profiles screen's
// "Built-in demo" all use it.
func demoConfig(p *demoidp.Provider) (flows.ClientConfig, flows.TransportOptions) {
	cfg := flows.ClientConfig{
		Issuer:      p.Issuer(),
		ClientID:    walkthroughClient,
		AuthMethod:  flows.AuthClientSecretBasic,
		RedirectURI: profiles.DefaultRedirectURI,
		Scopes:      append(slices.Clone(profiles.DefaultUserScopes), "offline_access"),
	}
	for _, dc := range p.Clients() {
		if dc.ID == walkthroughClient {
			cfg.ClientSecret = dc.Secret
		}
	}
	return cfg, flows.TransportOptions{Timeout: 10 * time.Second}
}

// demoNote is the hint beside the tabs while the demo client is in use; the workbench adds the
// faults that are on.
const demoNote = "built-in provider · user demo / demo"

// lazyDemo is the built-in provider of a workbench session: started on first use (or given
// started), once, and closed when the program ends.
type lazyDemo struct {
	addr   string
	faults demoidp.Faults

	mu sync.Mutex
	p  *demoidp.Provider
}

// start starts the provider unless it runs, and returns its demo client; the Profiles screen calls
// it inside a command.
func (d *lazyDemo) start() (tui.Demo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.p == nil {
		p, err := startDemo(d.addr, d.faults)
		if err != nil {
			return tui.Demo{}, fmt.Errorf("the built-in provider did not start: %w", err)
		}
		d.p = p
	}
	cfg, opts := demoConfig(d.p)
	return tui.Demo{Name: walkthroughClient + " @ built-in provider", Note: demoNote, Config: cfg, Transport: opts, Controls: d.p}, nil
}

// close stops the provider, if it was started.
func (d *lazyDemo) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.p != nil {
		d.p.Close()
		d.p = nil
	}
}

// runTUI opens the workbench on the demo client of a provider started in this process.
func (o *demoOptions) runTUI(ctx context.Context, e *env, faults demoidp.Faults) error {
	p, err := startDemo(o.addr, faults)
	if err != nil {
		return err
	}
	demo := &lazyDemo{addr: o.addr, faults: faults, p: p}
	defer demo.close()
	c, err := demoClient(p)
	if err != nil {
		return err
	}
	opts := workbenchOptions(e, demo)
	opts.Client, opts.Name, opts.Note = c, walkthroughClient+" @ built-in provider", demoNote
	opts.DemoControls = p
	return runWorkbench(ctx, e, opts)
}

// runProfiles opens the workbench on the Profiles screen (`tokenbench` on a terminal).
func runProfiles(ctx context.Context, e *env) error {
	demo := &lazyDemo{addr: "127.0.0.1:0"}
	defer demo.close()
	return runWorkbench(ctx, e, workbenchOptions(e, demo))
}

// runProfile opens the stepper on a saved profile (`tokenbench run NAME`, `tokenbench --profile
// NAME`). The profile is read and its secret resolved first: any failure is reported on stderr with
// exit status 1 before the workbench starts.
func runProfile(ctx context.Context, e *env, name string) error {
	demo := &lazyDemo{addr: "127.0.0.1:0"}
	defer demo.close()
	opts, err := profileWorkbench(ctx, e, name, demo)
	if err != nil {
		return err
	}
	if !e.stdinIsTerminal || !e.stdoutIsTerminal {
		return fmt.Errorf("the workbench needs a terminal (stdin and stdout); in a script use: tokenbench token --profile %s", name)
	}
	return runWorkbench(ctx, e, opts)
}

// profileWorkbench resolves a saved profile as every command does (profiles.Resolve) and returns
// the workbench's options with the stepper on it.
func profileWorkbench(ctx context.Context, e *env, name string, demo *lazyDemo) (tui.Options, error) {
	s, p, err := openProfile(e, name)
	if err != nil {
		return tui.Options{}, exitFailureErr(err)
	}
	printWarnings(e, p.Warnings())
	secrets := newSecrets(e)
	cfg, topts, err := profiles.Resolve(ctx, p, secrets, profiles.Run{})
	printWarnings(e, secrets.Warnings())
	var fe *profiles.FieldError
	switch {
	case errors.As(err, &fe):
		return tui.Options{}, exitFailureErr(profileFieldError(p.Name, err))
	case err != nil:
		return tui.Options{}, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	c, err := flows.NewClient(cfg, topts)
	if err != nil {
		return tui.Options{}, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	opts := sessionOptions(e, demo)
	opts.Store, opts.Secrets = s, secrets
	opts.Client, opts.Name, opts.Grant, opts.Profile = c, p.Name, p.Grant, p.Name
	if u := cfg.Issuer; u != "" {
		opts.Name += " @ " + hostOf(u)
	}
	opts.Note = "profile " + opts.Name
	if w := p.Warnings(); len(w) > 0 {
		opts.Note += " · ⚠ " + w[0]
	}
	return opts, nil
}

// exitFailureErr makes a usage error (a profile that does not exist, a field of it that is wrong)
// an ordinary failure: starting the workbench on a profile exits 1 on any error.
func exitFailureErr(err error) error {
	var ue usageError
	if errors.As(err, &ue) {
		return errors.New(ue.msg)
	}
	return err
}

// workbenchOptions are the options every workbench session shares: the profile store of this
// invocation's configuration directory (a file that does not load is shown, and never written),
// its secrets, the browser, and the built-in demo.
func workbenchOptions(e *env, demo *lazyDemo) tui.Options {
	opts := sessionOptions(e, demo)
	dir, err := profiles.DirFrom(e.getenv)
	if err != nil {
		opts.StoreErr = err
		return opts
	}
	opts.Store, _ = profiles.Open(dir) // a load error stays in Store.Err(), which the screen shows
	return opts
}

// sessionOptions are workbenchOptions less the profile store, for a caller that has opened it
// already (a file of thousands of profiles is not read twice before the first frame).
func sessionOptions(e *env, demo *lazyDemo) tui.Options {
	opts := tui.Options{
		InTmux:      e.getenv("TMUX") != "",
		Secrets:     newSecrets(e),
		StartDemo:   demo.start,
		OpenBrowser: func(u string) error { return browser.Open(u, e.getenv) },
	}
	opts.TokenCache, _ = tokenCache(e) // none without a state directory: tokens are then not reused
	return opts
}

// runWorkbench runs the TUI until it quits.
func runWorkbench(ctx context.Context, e *env, opts tui.Options) error {
	closeLog, err := tuiLogging(e)
	if err != nil {
		return err
	}
	defer closeLog()
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(e.stdin), tea.WithOutput(e.stdout)}
	if e.stdout == io.Writer(os.Stdout) {
		// lipgloss detected standard output's colour profile when it was initialised (reading
		// terminfo and, in tmux, running `tmux info`); Bubble Tea would detect it again on start.
		popts = append(popts, tea.WithColorProfile(lipgloss.Writer.Profile))
	}
	prog := tea.NewProgram(tui.New(opts), popts...)
	if _, err := prog.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("the workbench stopped: %w", err)
	}
	return nil
}

// hostOf is a URL's host, or the URL itself when it has none.
func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Host
	}
	return u
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
