package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/profiles"
)

// Shell completion (cobra's `tokenbench completion bash|zsh|fish|powershell`): the names a user
// would otherwise look up — saved profiles, grants, presets, faults, client authentication methods.

// profileArgCommands take saved profile names as their arguments.
var profileArgCommands = map[string]bool{"run": true, "show": true, "edit": true, "rm": true, "export": true, "copy": true}

// addCompletions completes every command's profile arguments and the flags that take a name from a
// fixed list, walking the command tree once.
func addCompletions(root *cobra.Command, e *env) {
	profileNames := func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if cmd.Name() == "copy" && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp // the new name is the user's
		}
		s, err := openStore(e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return s.Names(), cobra.ShellCompDirectiveNoFileComp
	}
	lists := map[string]func() []string{
		"grant":       profiles.Grants,
		"preset":      presetNames,
		"fault":       demoidp.FaultNames,
		"auth-method": authMethodNames,
		"pkce":        func() []string { return []string{"S256", "plain", "none"} },
	}
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		if profileArgCommands[cmd.Name()] {
			cmd.ValidArgsFunction = profileNames
		}
		if cmd.Name() == "presets" {
			cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return presetNames(), cobra.ShellCompDirectiveNoFileComp
			}
		}
		if cmd.Flags().Lookup("profile") != nil {
			cmd.RegisterFlagCompletionFunc("profile", profileNames) //nolint:errcheck // the flag exists
		}
		for flag, names := range lists {
			if cmd.Flags().Lookup(flag) != nil {
				cmd.RegisterFlagCompletionFunc(flag, fixedCompletion(names)) //nolint:errcheck // the flag exists
			}
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// fixedCompletion completes a flag from a list, matching what was typed as a prefix.
func fixedCompletion(names func() []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, n := range names() {
			if strings.HasPrefix(n, typed) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func presetNames() []string {
	ps, err := profiles.Presets()
	if err != nil {
		return nil
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names
}

func authMethodNames() []string {
	var names []string
	for _, m := range flows.AuthMethods() {
		names = append(names, string(m))
	}
	return names
}
