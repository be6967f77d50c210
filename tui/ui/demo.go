package ui

import (
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

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

// The faults panel (F, while the session runs on the built-in provider): the provider's faults,
// each turned on or off in place, and its signing keys rotated or retired, so that a learner can
// make the provider misbehave and watch the checks catch it on the next run. The panel lies over
// the active screen like the full help; every call on the provider happens in a command.

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
