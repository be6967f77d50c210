package inspector

// What the root's tests read of the inspector, so that its state stays unexported.

// InputValue is what is typed into the paste input.
func (s Model) InputValue() string { return s.input.Value() }
