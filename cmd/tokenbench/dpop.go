package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// dpopFlags turn on DPoP (RFC 9449) and name its key.
type dpopFlags struct {
	on      bool
	keyFile string
	// mayCreate says a missing key file is generated (token); else it must exist (userinfo).
	mayCreate bool
}

func (f *dpopFlags) register(fs *pflag.FlagSet, mayCreate bool) {
	f.mayCreate = mayCreate
	if mayCreate {
		fs.BoolVar(&f.on, "dpop", false, "bind the token to a key with DPoP proofs (RFC 9449); without --dpop-key an ES256 key is generated")
		fs.StringVar(&f.keyFile, "dpop-key", "", "the DPoP key, as a PEM or JWK file; generated (ES256) and written there, mode 0600, when the file does not exist (implies --dpop)")
	} else {
		fs.BoolVar(&f.on, "dpop", false, "send DPoP proofs (RFC 9449) with the key the token is bound to, given with --dpop-key")
		fs.StringVar(&f.keyFile, "dpop-key", "", "the DPoP key the token is bound to, as a PEM or JWK file: the one tokenbench token --dpop wrote (implies --dpop)")
	}
}

// apply sets the client's DPoP key from the flags, generating and writing one when needed, and says
// on stderr where a generated key went.
func (f *dpopFlags) apply(e *env, c *flows.Client) error {
	if !f.on && f.keyFile == "" {
		return nil
	}
	if f.keyFile != "" {
		if _, err := os.Stat(f.keyFile); !errors.Is(err, fs.ErrNotExist) || !f.mayCreate {
			k, err := readKeyFlag("dpop-key", f.keyFile, flows.ParseSigningKey)
			if err != nil {
				return err
			}
			c.Config.DPoP, c.Config.DPoPKey = true, k
			return nil
		}
	} else if !f.mayCreate {
		return usagef("--dpop needs --dpop-key FILE here: the key the token is bound to (the one `tokenbench token --dpop` wrote)")
	}
	k, err := flows.GenerateDPoPKey()
	if err != nil {
		return err
	}
	path := f.keyFile
	if path == "" {
		dir, err := os.MkdirTemp("", "tokenbench-dpop-")
		if err != nil {
			return fmt.Errorf("cannot make a directory for the DPoP key: %w", err)
		}
		path = filepath.Join(dir, "dpop-key.json")
	}
	data, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return err
	}
	if err := profiles.WritePrivateFile(path, append(data, '\n')); err != nil {
		return fmt.Errorf("cannot write the DPoP key: %w", err)
	}
	c.Config.DPoP, c.Config.DPoPKey = true, k
	jkt, _ := flows.JWKThumbprint(k)
	fmt.Fprintf(e.stderr, "DPoP key: generated an ES256 key (thumbprint %s) and wrote it to %s (mode 0600); use the token with --dpop-key %s\n", jkt, path, path)
	return nil
}

// reportDPoP prints the DPoP binding checks of a token response, and their explanations when one
// failed; it reports whether none failed.
func reportDPoP(e *env, c *flows.Client, t *flows.Token) bool {
	checks := c.DPoPChecks(t)
	printChecks(e.stderr, "DPoP binding checks", checks)
	ok := true
	for _, ch := range checks {
		if ch.Status == flows.CheckFail {
			ok = false
		}
	}
	if !ok {
		explainFailedChecks(e.stderr, checks)
	}
	return ok
}
