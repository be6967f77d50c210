package assets

import "embed"

// PresetFiles holds the vendor presets, one YAML file per preset under presets/ (presets/keycloak.yaml,
// presets/okta.yaml, …). Each file names the parameters a user enters, the URL templates they fill
// (issuer, discovery, endpoints), the default client authentication and scopes, and the vendor's known
// quirks. The profiles package parses and validates them; adding a preset is adding a file.
//
//go:embed presets/*.yaml
var PresetFiles embed.FS
