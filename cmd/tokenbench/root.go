package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/tokenbench/tokenbench/flows/untrusted"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; otherwise the module version
// from the build info is used, or "dev".
var version string

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1   // a protocol error, a failed check, a transport failure
	exitUsage       = 2   // a mistake on the command line
	exitInterrupted = 130 // ctrl-c, as shells report SIGINT
)

// env is what one invocation reads and writes: its streams and environment. Commands never touch
// os.Stdin, os.Stdout, os.Stderr or os.Getenv directly, so tests run them in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	// stderr is safe for concurrent use: a browser launcher may report on it from a goroutine.
	stderr io.Writer
	getenv func(string) string
	// stdinIsTerminal reports whether stdin is an interactive terminal rather than a pipe or file.
	stdinIsTerminal bool
	// stdoutIsTerminal reports whether stdout is a terminal; the TUI needs both.
	stdoutIsTerminal bool
	// catchInterrupts makes ctrl-c cancel the command's context from then on (see
	// cancelOnInterrupt); nil in tests, which cancel the context themselves.
	catchInterrupts func()
}

// osEnv is the process's own environment. os.Stdout is unbuffered, so every line a command prints
// reaches a pipe at once.
func osEnv() *env {
	return &env{
		stdin:            os.Stdin,
		stdout:           os.Stdout,
		stderr:           &lockedWriter{w: os.Stderr},
		getenv:           os.Getenv,
		stdinIsTerminal:  isTerminal(os.Stdin),
		stdoutIsTerminal: isTerminal(os.Stdout),
	}
}

// isTerminal reports whether f is a character device (a terminal), not a pipe or a file.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// lockedWriter serializes writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// usageError is a mistake on the command line; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// reportedError is a failure already described on stderr (failed checks, for instance); run only
// sets the exit status.
type reportedError struct{ code int }

func (e reportedError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// errChecksFailed ends a command whose checks were printed and at least one failed.
var errChecksFailed = reportedError{code: exitFailure}

// run executes one command line and returns the exit status. Errors are printed here, once, in one
// format.
func run(ctx context.Context, e *env, args []string) int {
	// Standard error is for people, and much of what it shows comes from a provider or a file:
	// error descriptions, the discover summary, the -v trace, notes. Every byte of it goes through
	// the one sanitiser, so that no escape sequence in it reaches the terminal to be obeyed.
	// Standard output keeps JSON exact; its few outputs for people sanitise on their own.
	safe := *e
	safe.stderr = untrusted.NewWriter(e.stderr)
	e = &safe
	root := newRootCmd(e, args)
	addCompletions(root, e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return reportExit(e.stderr, err)
}

// reportExit prints err (if any) and chooses the exit status.
func reportExit(w io.Writer, err error) int {
	var ue usageError
	var re reportedError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &re):
		return re.code
	case errors.As(err, &ue):
		fmt.Fprintf(w, "tokenbench: %s\nRun 'tokenbench --help' for usage.\n", ue.msg)
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(w, "tokenbench: interrupted")
		return exitInterrupted
	}
	printError(w, err)
	return exitFailure
}

// buildVersion is the version this binary reports.
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// subcommands are tokenbench's commands by name, in the order help lists them.
var subcommands = []struct {
	name string
	make func(*env) *cobra.Command
}{
	{"discover", newDiscoverCmd}, {"doctor", newDoctorCmd}, {"har", newHARCmd}, {"token", newTokenCmd},
	{"jwt", newJWTCmd}, {"userinfo", newUserInfoCmd}, {"introspect", newIntrospectCmd}, {"revoke", newRevokeCmd},
	{"logout", newLogoutCmd}, {"register", newRegisterCmd}, {"call", newCallCmd}, {"profile", newProfileCmd},
	{"demo", newDemoCmd}, {"run", newRunCmd}, {"version", newVersionCmd},
}

// newRootCmd is the command tree for the command line args. A command line that starts with a
// command's name gets the root and that command only: a headless run pays for its own flags, not
// for every command's (help, completion and anything else get the whole tree).
func newRootCmd(e *env, args []string) *cobra.Command {
	var profile string
	root := &cobra.Command{
		Use:   "tokenbench",
		Short: "A terminal workbench for OAuth 2.0 and OpenID Connect",
		Long: `tokenbench runs OAuth 2.0 and OpenID Connect flows step by step, shows every HTTP exchange,
and explains every error and every check on a token.

On a terminal, tokenbench alone opens the workbench on your profiles, and
tokenbench run NAME (or tokenbench --profile NAME) opens the flow stepper on one.

Try it with nothing to set up:
  tokenbench demo                 a guided flow against the built-in provider
  tokenbench demo --serve         run the built-in provider for the other commands`,
		Version:       buildVersion(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          rootArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if profile != "" {
				return runProfile(cmd.Context(), e, profile)
			}
			if e.stdinIsTerminal && e.stdoutIsTerminal {
				return runProfiles(cmd.Context(), e)
			}
			// Not on a terminal: point to what works without one.
			fmt.Fprint(e.stdout, `tokenbench: a terminal workbench for OAuth 2.0 and OpenID Connect.

On a terminal, tokenbench opens the workbench on your profiles. Here (no terminal):
  tokenbench demo        walk through a whole OpenID Connect flow against the built-in provider
  tokenbench --help      list the commands (token, discover, jwt, userinfo, call, introspect, revoke, logout, register, profile, demo)
`)
			return nil
		},
	}
	root.SuggestionsMinimumDistance = 2
	// Declared here so that cobra does not take -v, which every other command uses for --verbose.
	root.Flags().Bool("version", false, "print the version")
	root.Flags().StringVar(&profile, "profile", "", "open the workbench's flow stepper on a saved profile (as tokenbench run NAME)")
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	for _, sc := range subcommands {
		if len(args) > 0 && args[0] == sc.name {
			root.AddCommand(sc.make(e))
			return root
		}
	}
	for _, sc := range subcommands {
		root.AddCommand(sc.make(e))
	}
	return root
}

// rootArgs rejects an unknown subcommand as a usage error, with cobra's suggestions.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q", args[0])
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return usageError{msg}
}

// usageArgs turns cobra's argument-count errors into usage errors.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err.Error()}
		}
		return nil
	}
}

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(e.stdout, "tokenbench %s\n", buildVersion())
			return nil
		},
	}
}

// newRunCmd is `tokenbench run NAME`: the workbench's flow stepper on a saved profile.
func newRunCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "run NAME",
		Short: "Open the workbench's flow stepper on a saved profile",
		Long: `Open the workbench (TUI) on a saved profile: its client secret is resolved first (keyring,
environment, file or command), then the flow stepper starts on it. The other screens, the
profiles included, are a key away. Any problem with the profile is reported before the
workbench starts (exit status 1).`,
		Example: "  tokenbench run acme-prod",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProfile(cmd.Context(), e, args[0])
		},
	}
}
