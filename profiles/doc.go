// Package profiles keeps tokenbench's tenant profiles: the settings needed to run flows against one
// provider, saved in one YAML file in the configuration directory, with the client secret kept out of
// that file as a reference (OS keyring, environment variable, file, or a command's output).
//
// A Profile turns into the flows package's client configuration with Profile.Client, which expands
// the profile's vendor preset, resolves the secret and reads the key and certificate files; flows
// itself knows nothing of profiles or files. The Store reads and writes profiles.yaml atomically,
// under a file lock, keeping a backup, unknown fields and comments, and never overwriting a file it
// cannot read. Export and ParseProfiles move profiles between machines with their secrets left out.
//
// The package never prints: warnings (loose permissions, a secret in clear) are returned as data
// for the command line or the TUI to show.
package profiles
