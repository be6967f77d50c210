package faultpanel

// What the root's tests read of the panel, so that its state stays unexported.

// SelectedFault is the name of the fault under the cursor.
func (p Panel) SelectedFault() string {
	if p.sel < 0 || p.sel >= len(p.list) {
		return ""
	}
	return p.list[p.sel].Name
}

// Kids are the provider's published key ids as the panel last read them, the current one first.
func (p Panel) Kids() []string { return p.kids }

// Editing reports whether the panel asks for a fault's value.
func (p Panel) Editing() bool { return p.editing }

// InputValue is the value typed for the fault being edited.
func (p Panel) InputValue() string { return p.input.Value() }

// Notice says what the panel's last command did.
func (p Panel) Notice() string { return p.notice }

// Failure is why the last value typed was refused, "" when none was.
func (p Panel) Failure() string { return p.failure }
