package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// pflag takes a `quoted` word of a flag's usage as the placeholder of its value in --help, so a
// backquoted command in a usage ("--dpop-key token --dpop") garbles the help line. No usage has one.
func TestFlagUsagesHaveNoBackquotes(t *testing.T) {
	t.Parallel()
	root := newRootCmd(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}, nil)
	seen := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			seen++
			if strings.Contains(f.Usage, "`") {
				name, _ := pflag.UnquoteUsage(f)
				t.Errorf("%s --%s: --help shows the value as %q: %q", c.CommandPath(), f.Name, name, f.Usage)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if seen < 50 {
		t.Fatalf("only %d flags seen: the walk over the commands missed some", seen)
	}
}

func TestUserinfoHelpDPoPKey(t *testing.T) {
	t.Parallel()
	r := tb(t, "userinfo", "--help")
	wantExit(t, r, 0)
	for _, w := range []string{"--dpop-key string", "the one tokenbench token --dpop wrote (implies --dpop)", "with the key the token is bound to, given with --dpop-key"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("userinfo --help lacks %q:\n%s", w, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "key is generated") {
		t.Errorf("userinfo --help says a key is generated, but userinfo needs the token's key:\n%s", r.stdout)
	}
}

// TestOneCommandTreeIsTheWholeTreesCommand: a command line naming a command builds the root and
// that command alone; its help (flags, usage, subcommands) is the one the whole tree gives, and
// every command of the whole tree is in the table it is built from.
func TestOneCommandTreeIsTheWholeTreesCommand(t *testing.T) {
	t.Parallel()
	help := func(build []string, args ...string) string {
		var out strings.Builder
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
		root := newRootCmd(e, build)
		addCompletions(root, e)
		root.SetArgs(args)
		if err := root.Execute(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	whole := newRootCmd(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}, nil)
	if got, want := len(whole.Commands()), len(subcommands); got != want {
		t.Errorf("the whole tree has %d commands, the table %d", got, want)
	}
	for _, sc := range subcommands {
		if c, _, err := whole.Find([]string{sc.name}); err != nil || c.Name() != sc.name {
			t.Errorf("the table's %s is the whole tree's %v", sc.name, c)
		}
		args := []string{sc.name, "--help"}
		if got, want := help(args, args...), help(nil, args...); got != want {
			t.Errorf("%s --help alone:\n%s\nin the whole tree:\n%s", sc.name, got, want)
		}
	}
	one := newRootCmd(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}, []string{"token", "--grant", "client_credentials"})
	if n := len(one.Commands()); n != 1 {
		t.Errorf("tokenbench token built %d commands", n)
	}
}
