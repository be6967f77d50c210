package profilescreen

// What the root's tests read of the profiles screen, so that its state stays unexported.

// ProfileCount is the number of profiles in the store, as last read.
func (s Model) ProfileCount() int { return len(s.all) }

// Notice is the one-line message about the last action ("opened acme-prod").
func (s Model) Notice() string { return s.notice }

// FilterValue is what is typed into the filter.
func (s Model) FilterValue() string { return s.filter.Value() }

// SelectedName is the name of the selected profile, "" when none is.
func (s Model) SelectedName() string {
	r, ok := s.selected()
	if !ok {
		return ""
	}
	return r.p.Name
}

// FormOpen reports whether the profile form is shown.
func (s Model) FormOpen() bool { return s.mode == modeForm }

// FormValue is the form's value of the field with the given id ("preset", "params.host").
func (s Model) FormValue(id string) string { return s.form.get(id) }

// FocusedField is the id of the form's focused field, "" when none is.
func (s Model) FocusedField() string {
	ff, _ := s.form.focused()
	return ff.id
}
