package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// demoOptions are the flags of `tokenbench demo`.
type demoOptions struct {
	serve       bool
	addr        string
	faults      []string
	browser     bool
	verbose     bool
	walkthrough bool
}

func newDemoCmd(e *env) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run an OpenID Connect flow against the built-in provider, or serve it",
		Long: `In a terminal: the workbench (TUI) on a ready demo client of a provider running inside
tokenbench. Run the steps one by one with enter — discover, authorize, callback, token, refresh,
userinfo, introspect, revoke, logout — see each request before it is sent and each response after;
L explains the current step, ? lists every key, q quits.

When stdin or stdout is not a terminal, or with --walkthrough: a guided walk through the same flow,
printed — each step naming its RFC section.

With --serve: run the built-in provider until interrupted. The first line of stdout is its issuer;
each following line is one demo client: client_id, client_secret ('-' when none), auth method.

--fault makes the provider misbehave so the checks can be watched catching it (repeatable):
  ` + strings.Join(demoidp.FaultNames(), ", ") + `
(clock-skew and slow take a duration: clock-skew=5m, slow=3s).`,
		Example: `  tokenbench demo
  tokenbench demo --fault wrong-state
  tokenbench demo --serve --addr 127.0.0.1:9000`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			faults, err := parseFaults(o.faults)
			if err != nil {
				return err
			}
			if o.serve {
				return o.runServe(cmd.Context(), e, faults)
			}
			if o.walkthrough || !e.stdinIsTerminal || !e.stdoutIsTerminal {
				return o.runWalkthrough(cmd.Context(), e, faults)
			}
			return o.runTUI(cmd.Context(), e, faults)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&o.serve, "serve", false, "serve the built-in provider until interrupted")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "listen address (loopback only; port 0: any free port)")
	fs.StringArrayVar(&o.faults, "fault", nil, "make the provider misbehave: "+strings.Join(demoidp.FaultNames(), ", "))
	fs.BoolVar(&o.walkthrough, "walkthrough", false, "print the guided walkthrough instead of opening the workbench")
	fs.BoolVar(&o.browser, "browser", false, "walkthrough: sign in with your real browser instead of letting tokenbench play it")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "print every HTTP exchange on stderr, secrets masked")
	cmd.AddCommand(newDemoSAMLCmd(e))
	return cmd
}

func parseFaults(names []string) (demoidp.Faults, error) {
	var f demoidp.Faults
	for _, n := range names {
		if err := f.Set(n); err != nil {
			return f, usagef("--fault: %v", err)
		}
	}
	return f, nil
}

// startDemo starts the built-in provider with faults.
func startDemo(addr string, faults demoidp.Faults) (*demoidp.Provider, error) {
	p, err := demoidp.Start(demoidp.Options{Addr: addr})
	if err != nil {
		return nil, err
	}
	p.SetFaults(faults)
	return p, nil
}

// runServe serves the provider until ctrl-c or SIGTERM, which end it cleanly (exit status 0).
func (o *demoOptions) runServe(ctx context.Context, e *env, faults demoidp.Faults) error {
	e.cancelOnInterrupt()
	p, err := startDemoMTLS(o.addr, faults)
	if err != nil {
		return err
	}
	defer p.Close()
	fmt.Fprintln(e.stdout, p.Issuer())
	for _, c := range p.Clients() {
		secret := c.Secret
		if secret == "" {
			secret = "-"
		}
		fmt.Fprintf(e.stdout, "%s %s %s\n", c.ID, secret, c.AuthMethod)
	}
	keyDir, err := o.describeServe(e, p, faults)
	if keyDir != "" {
		defer os.RemoveAll(keyDir)
	}
	if err != nil {
		return err
	}
	mtlsDir, err := describeMTLS(e, p)
	if mtlsDir != "" {
		defer os.RemoveAll(mtlsDir)
	}
	if err != nil {
		return err
	}
	<-ctx.Done()
	fmt.Fprintln(e.stderr, "Stopped the demo provider.")
	return nil
}

// describeServe tells, on stderr, where the private_key_jwt keys are and how to try the provider.
// It returns the temporary directory holding copies of the keys, to remove at the end.
func (o *demoOptions) describeServe(e *env, p *demoidp.Provider, faults demoidp.Faults) (string, error) {
	w := e.stderr
	dir, keys, err := writeDemoKeys()
	if err != nil {
		return dir, err
	}
	fmt.Fprintf(w, "\nprivate_key_jwt keys of demo-private-key-jwt (RSA: RS256 or PS256; EC: ES256), until this stops:\n  %s\n  %s\n", keys[0], keys[1])
	fmt.Fprintf(w, "  (the same keys are assets/demo/*.pem in the tokenbench repository)\n")
	fmt.Fprintf(w, "\nTry:\n  tokenbench token --issuer %s --client-id demo-public --auth-method none\n", p.Issuer())
	fmt.Fprintf(w, "  tokenbench token --issuer %s --client-id demo-private-key-jwt --signing-key %s\n", p.Issuer(), keys[0])
	fmt.Fprintf(w, "  tokenbench token --issuer %s --client-id demo-encrypted --client-secret-file SECRET --decryption-key %s\n", p.Issuer(), keys[0])
	fmt.Fprintf(w, "  (demo-encrypted's id_tokens, JARM responses and userinfo are encrypted to the RSA key above: RSA-OAEP-256, A256GCM)\n")
	fmt.Fprintf(w, "  tokenbench demo saml-assertion --audience %s | tokenbench token --issuer %s --client-id demo-basic --client-secret-file SECRET --grant saml2_bearer --assertion -\n", p.Issuer(), p.Issuer())
	fmt.Fprintf(w, "  tokenbench call %s%s --access-token @TOKEN_FILE   (the demo API says who the token is for and how it is bound)\n", p.Issuer(), demoidp.APIPath)
	fmt.Fprintf(w, "  (the demo user is demo / demo; the secrets of the other clients are on stdout)\n")
	if s := faults.String(); s != "" {
		fmt.Fprintf(w, "\nFaults on: %s\n", s)
	}
	fmt.Fprintf(w, "\nServing %s until interrupted (ctrl-c).\n", p.Issuer())
	return dir, nil
}

// writeDemoKeys writes the demo client's embedded private keys into a new private temporary
// directory, readable by the user only, so that --signing-key can name them from any directory.
func writeDemoKeys() (dir string, paths [2]string, err error) {
	dir, err = os.MkdirTemp("", "tokenbench-demo-keys-")
	if err != nil {
		return "", paths, err
	}
	for i, k := range []struct {
		name string
		pem  []byte
	}{{"private-key-jwt-rsa.pem", assets.DemoClientKeyRSA}, {"private-key-jwt-ec.pem", assets.DemoClientKeyEC}} {
		paths[i] = filepath.Join(dir, k.name)
		if err := os.WriteFile(paths[i], k.pem, 0o600); err != nil {
			return dir, paths, err
		}
	}
	return dir, paths, nil
}
