package profilescreen

import (
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Results of the profiles screen's commands. Each carries the reqID of the request that
// started it; the screen drops any whose reqID is not the one it waits for (cancelled with esc).

// ProfileOpenedMsg is a profile resolved into a client configuration (its secret read, its signing
// key and TLS files loaded), or why it could not be.
type ProfileOpenedMsg struct {
	reqID     int
	name      string
	label     string
	grant     string
	config    flows.ClientConfig
	transport flows.TransportOptions
	// warnings are the profile's and the secrets' (profiles.Profile.Warnings, Secrets.Warnings);
	// secretWarnings the latter only, which the list does not show otherwise.
	warnings       []string
	secretWarnings []string
	err            error
}

// profilesChangedMsg is the result of a change to the profile store (save, delete, copy, import,
// reload) or of an export: the store's profiles afterwards, its load error, and what was done.
type profilesChangedMsg struct {
	reqID int
	// notice says what was done ("saved acme-prod"); sel names the profile to select.
	notice string
	sel    string
	list   []profiles.Profile
	// loadErr is the store's load error afterwards (a file broken behind our back); warnings its
	// permission warnings.
	loadErr  error
	warnings []string
	err      error
	// clash is set when an import was refused because names are taken: the parsed profiles and the
	// names, to ask rename / replace / cancel.
	clash *importClash
}

// importClash is an import waiting for the user's decision about the names already taken.
type importClash struct {
	file    string
	parsed  []profiles.Profile
	clashes []string
}

// discoveryFetchedMsg is the metadata found at a discovery URL typed in the new-profile menu.
type discoveryFetchedMsg struct {
	reqID int
	url   string
	meta  *flows.Metadata
	err   error
}

// demoStartedMsg is the built-in provider, started in this process, with its ready client.
type demoStartedMsg struct {
	reqID int
	demo  ui.Demo
	err   error
}
