package ui

import (
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// The built-in provider as the screens see it: its ready client and its control panel.

// Demo is the built-in provider's ready client, which the Profiles screen opens without a profile.
type Demo struct {
	// Name labels the client ("demo-basic @ built-in provider"); Note is the hint beside the tabs.
	Name string
	Note string
	// Config and Transport are the client's configuration, as a profile would give them.
	Config    flows.ClientConfig
	Transport flows.TransportOptions
	// Controls is the provider's control panel (the faults panel, F).
	Controls DemoControls
}

// DemoControls is the built-in provider's control panel. *demoidp.Provider implements it.
type DemoControls interface {
	Faults() demoidp.Faults
	SetFaults(demoidp.Faults)
	// RotateKeys makes a new signing key current and keeps publishing the earlier ones.
	RotateKeys()
	// RetireOldKeys stops publishing every key but the current one; it returns how many.
	RetireOldKeys() int
	// KeyIDs are the published keys' kids, the current one first.
	KeyIDs() []string
}
