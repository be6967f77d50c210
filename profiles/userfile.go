package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
)

// ReadUserFile reads a file the user named (a HAR file, an assertion …): ~/ expanded, a directory
// refused, and a file over limit bytes refused before it is read, the error naming the limit.
func ReadUserFile(path, what string, limit int64) ([]byte, error) {
	path = ExpandHome(path)
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, err
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a %s", path, what)
	case fi.Size() > limit:
		return nil, fmt.Errorf("%s is %d bytes, over the %d-byte limit on %ss", path, fi.Size(), limit, what)
	}
	return os.ReadFile(path)
}

// ErrFileExists is WriteUserFile's answer for a file that exists when it was not to be replaced;
// the caller asks before writing again with overwrite.
var ErrFileExists = errors.New("the file exists")

// WriteUserFile writes data to a file the user named (an export, a saved trace): ~/ expanded,
// readable by its owner only (0600, also when it replaces a file), and an existing file replaced
// only when overwrite is set.
func WriteUserFile(path string, data []byte, overwrite bool) error {
	path = ExpandHome(path)
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if overwrite {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return ErrFileExists
	}
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		f.Close()
		return err
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}
