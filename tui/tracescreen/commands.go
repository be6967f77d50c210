package tracescreen

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
)

// The trace's command: the session saved as HAR or Markdown, redacted, to a new file.

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

// saveTrace writes the trace as HAR or Markdown, secrets redacted, to a new file
// tokenbench-YYYYmmdd-HHMMSS.<ext> in dir, with mode 0600.
func saveTrace(t *flows.Trace, dir string, at time.Time, f exportFormat, id int) tea.Cmd {
	return func() tea.Msg {
		msg := traceSavedMsg{id: id, format: f, count: len(t.Exchanges())}
		var data []byte
		switch f {
		case exportHAR:
			data, msg.err = t.HAR("tokenbench")
		case exportMarkdown:
			data = t.Markdown()
		}
		if msg.err == nil {
			msg.path, msg.err = writeNewFile(dir, "tokenbench-"+at.Format("20060102-150405"), "."+string(f), data)
		}
		return msg
	}
}

// writeNewFile writes data to dir/base.ext, or base-2.ext … when that exists, never replacing a
// file, readable by its owner only. It returns the absolute path.
func writeNewFile(dir, base, ext string, data []byte) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("finding the directory: %w", err)
	}
	for n := 1; n <= 100; n++ {
		name := base + ext
		if n > 1 {
			name = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		path := filepath.Join(abs, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("creating the file: %w", err)
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return "", fmt.Errorf("writing %s: %w", path, werr)
		}
		return path, nil
	}
	return "", fmt.Errorf("%s%s and 99 numbered variants already exist in %s", base, ext, abs)
}
