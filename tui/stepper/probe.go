package stepper

// What the whole app's tests, in the root package, read of the stepper: they wait on its state
// through these, by the steps' names, so that the stepper's fields and enums stay its own.

// Model is the flow stepper screen, as the root holds it.
type Model = flowModel

// DiscoveredMsg is the result of Discover, which the root's tests wait for.
type DiscoveredMsg = discoveredMsg

// StepState is the state of the step named step (its key in assets/steps.yaml: "discover",
// "token" …): "pending", "running", "done", "failed" or "skipped"; "" when there is no such step.
func (s flowModel) StepState(step string) string {
	for id := stepID(0); id < numSteps; id++ {
		if id.name() == step {
			return s.steps[id].state.name()
		}
	}
	return ""
}

// StepEnded reports whether the step named step is done or failed.
func (s flowModel) StepEnded(step string) bool {
	st := s.StepState(step)
	return st == "done" || st == "failed"
}

// Running is the name of the step whose request is in flight, "" when none.
func (s flowModel) Running() string { return s.running.name() }

// Selected is the name of the step under the cursor.
func (s flowModel) Selected() string { return s.cursor.name() }

// HasMetadata reports whether the provider's metadata is known (discovered, or found by a step).
func (s flowModel) HasMetadata() bool { return s.meta != nil }

// Grant is the short name of the grant the flow runs ("authorization_code", "ciba" …).
func (s flowModel) Grant() string { return s.grant.String() }

// Editing reports whether the request form has the focus.
func (s flowModel) Editing() bool { return s.form.editing }

// FormValue is the request form's value of the parameter named name ("scope", "requested_expiry"),
// "" when the form has no such field.
func (s flowModel) FormValue(name string) string {
	for id := fieldID(0); id < numFields; id++ {
		if id.label() == name {
			return s.form.value(id)
		}
	}
	return ""
}

// ClientID is the client id of the configuration the stepper was built on.
func (s flowModel) ClientID() string { return s.base.ClientID }

// name is the state as the probes report it.
func (st stepState) name() string {
	switch st {
	case statePending:
		return "pending"
	case stateRunning:
		return "running"
	case stateDone:
		return "done"
	case stateFailed:
		return "failed"
	case stateSkipped:
		return "skipped"
	}
	return ""
}

// AuthorizationURL is the URL of the last authorization request, "" when none.
func (s flowModel) AuthorizationURL() string {
	if s.authReq == nil {
		return ""
	}
	return s.authReq.URL
}
