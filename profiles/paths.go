package profiles

import (
	"errors"
	"os"
	"path/filepath"
)

// FileName is the name of the profile file in the configuration directory.
const FileName = "profiles.yaml"

// DirFrom is tokenbench's configuration directory: $TOKENBENCH_CONFIG_HOME, else
// $XDG_CONFIG_HOME/tokenbench, else os.UserConfigDir()/tokenbench, reading the environment through
// getenv (os.Getenv, or a command's or a test's own). os.UserConfigDir, the last resort, reads the
// process's.
func DirFrom(getenv func(string) string) (string, error) {
	if d := getenv("TOKENBENCH_CONFIG_HOME"); d != "" {
		return filepath.Clean(d), nil
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		if !filepath.IsAbs(d) {
			// The XDG Base Directory spec: a relative path is invalid and must be ignored.
			return userConfigDir()
		}
		return filepath.Join(d, "tokenbench"), nil
	}
	return userConfigDir()
}

func userConfigDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", errors.New("no configuration directory: set $TOKENBENCH_CONFIG_HOME (" + err.Error() + ")")
	}
	return filepath.Join(d, "tokenbench"), nil
}
