package profiles

import (
	"fmt"
	"os"
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
