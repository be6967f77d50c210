package tracescreen

import (
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// The trace's command: the session saved as HAR or Markdown, redacted, to the file asked for.

// exportFormat is a file format the session can be saved in.
type exportFormat string

// traceSavedMsg reports a saved export: the file's path, or why it could not be written.
type traceSavedMsg struct {
	id     int
	path   string
	format exportFormat
	count  int
	err    error
}

// saveTrace writes the trace as HAR or Markdown, secrets redacted, to path with mode 0600. An
// existing file is replaced only when overwrite is set; otherwise the answer is profiles.ErrFileExists, and
// the screen asks.
func saveTrace(t *flows.Trace, path string, f exportFormat, overwrite bool, id int) tea.Cmd {
	return func() tea.Msg {
		msg := traceSavedMsg{id: id, path: path, format: f, count: len(t.Exchanges())}
		var data []byte
		switch f {
		case exportHAR:
			data, msg.err = t.HAR("tokenbench")
		case exportMarkdown:
			data = t.Markdown()
		}
		if msg.err == nil {
			msg.err = profiles.WriteUserFile(path, data, overwrite)
		}
		return msg
	}
}
