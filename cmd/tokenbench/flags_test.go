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
	root := newRootCmd(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }})
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
