package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
	"github.com/tokenbench/tokenbench/profiles"
)

// cacheFlags are token's --cached, --forget and --print.
type cacheFlags struct {
	cached bool
	forget bool
	// print names the token response member printed bare instead of the whole response.
	print string
}

func (f *cacheFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.cached, "cached", false, "with --profile: print the profile's cached token when it is still valid, refresh it when it has expired, and sign in only when that fails; the tokens obtained are kept, encrypted, for next time")
	fs.BoolVar(&f.forget, "forget", false, "with --profile: drop the profile's cached token, and do nothing else")
	fs.StringVar(&f.print, "print", "", "print only this member of the token response, bare (access_token, id_token …), e.g. for curl -H \"Authorization: Bearer $(tokenbench token --profile NAME --cached --print access_token)\"")
}

// check refuses what the cache cannot do.
func (f *cacheFlags) check(profile string) error {
	if (f.cached || f.forget) && profile == "" {
		return usagef("--cached and --forget keep tokens per profile: give --profile NAME")
	}
	if f.cached && f.forget {
		return usagef("--forget drops the cached token; give it without --cached")
	}
	return nil
}

// tokenCache opens the cache of token responses in the state directory.
func tokenCache(e *env) (*profiles.TokenCache, error) {
	dir, err := profiles.StateDirFrom(e.getenv)
	if err != nil {
		return nil, err
	}
	return profiles.NewTokenCache(dir, newSecrets(e)), nil
}

// forgetToken is `token --profile NAME --forget`.
func forgetToken(e *env, profile string) error {
	cache, err := tokenCache(e)
	if err != nil {
		return err
	}
	had, err := cache.Forget(profile)
	switch {
	case err != nil:
		return err
	case had:
		fmt.Fprintf(e.stderr, "dropped the cached token of profile %s\n", profile)
	default:
		fmt.Fprintf(e.stderr, "profile %s had no cached token\n", profile)
	}
	return nil
}

// writeToken prints the token response, or with --print one member of it, bare.
func (f *cacheFlags) writeToken(e *env, t *flows.Token) error {
	if f.print == "" {
		e.writeBody(t.JSON()) // JSON on stdout, whatever the provider's format
		return nil
	}
	v, ok := t.Members[f.print]
	if !ok {
		return fmt.Errorf("the token response has no %s member (it has %s)", f.print, strings.Join(memberNames(t), ", "))
	}
	s, ok := v.(string)
	if !ok {
		b, _ := json.Marshal(v)
		e.writeBody(b)
		return nil
	}
	if e.stdoutIsTerminal {
		s = untrusted.Line(s) // bare for a script's $(…), shown and not obeyed on a terminal
	}
	fmt.Fprintln(e.stdout, s)
	return nil
}

func memberNames(t *flows.Token) []string {
	var names []string
	for k := range t.Members {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
