package profiles

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tokenbench/tokenbench/flows"
)

// Settings are a profile's settings with its preset filled in and the profile's own fields laid
// over it: what Client turns into a flows.ClientConfig, before any secret or file is read.
type Settings struct {
	// Issuer is the issuer, or a discovery URL when the preset's discovery document is not at the
	// issuer's usual place; empty when only endpoints are known.
	Issuer string
	// Endpoints are the preset's endpoints overridden one by one by the profile's.
	Endpoints flows.Endpoints
	// AuthMethod is the profile's, else private_key_jwt when it has a signing key, else the preset's;
	// empty leaves the choice to flows (client_secret_basic with a secret, none without).
	AuthMethod flows.AuthMethod
	// Scopes are the profile's, else the preset's.
	Scopes []string
	// AuthParams are the preset's authorize parameters with the profile's laid over them, name by
	// name; TokenParams the profile's; TokenHeaders the preset's with the profile's laid over them,
	// name by name.
	AuthParams   url.Values
	TokenParams  url.Values
	TokenHeaders http.Header
	// Preset is the preset filled in, or nil without a preset.
	Preset *Expansion

	// methodOrigin says where AuthMethod came from, for messages: "" or " (the okta preset's default)".
	methodOrigin string
}

// Settings expands the profile's preset with its parameters and lays the profile's fields over
// it. It fails with a *FieldError for an unknown preset, parameters without a preset, and a missing
// or invalid preset parameter (the field is then "params.NAME").
func (p Profile) Settings() (Settings, error) { return p.settings() }

// settings is Settings without a copy of p (a listing reviews thousands of profiles).
func (p *Profile) settings() (Settings, error) {
	s := Settings{
		Issuer:      p.Issuer,
		Endpoints:   p.Endpoints.Flows(),
		AuthMethod:  p.AuthMethod,
		Scopes:      slices.Clone(p.Scopes),
		AuthParams:  cloneValues(p.AuthParams),
		TokenParams: cloneValues(p.TokenParams),
	}
	own, err := ParseHeaders(p.TokenHeaders)
	if err != nil {
		return s, &FieldError{Field: "token_headers", Message: err.Error()}
	}
	s.TokenHeaders = own
	if p.Preset == "" {
		if len(p.Params) > 0 {
			return s, &FieldError{Field: "params", Message: "preset parameters need a preset: set preset, or drop params"}
		}
		if s.AuthMethod == "" && p.SigningKey != "" {
			s.AuthMethod = flows.AuthPrivateKeyJWT
		}
		return s, nil
	}
	preset, ok := loadedPreset(p.Preset)
	if !ok {
		return s, &FieldError{Field: "preset", Message: fmt.Sprintf("unknown preset %q; known presets: %s", p.Preset, presetNames())}
	}
	x, err := preset.Expand(p.Params)
	if err != nil {
		return s, presetFieldError(err)
	}
	s.Preset = &x
	if s.Issuer == "" {
		s.Issuer = x.Issuer
		if d := x.DiscoveryURL; d != "" && !isUsualDiscovery(x.Issuer, d) {
			s.Issuer = d
		}
	}
	s.Endpoints = s.Endpoints.Merge(x.Endpoints)
	switch {
	case s.AuthMethod != "":
	case p.SigningKey != "":
		s.AuthMethod = flows.AuthPrivateKeyJWT
	default:
		s.AuthMethod = x.AuthMethod
		s.methodOrigin = " (the " + preset.Name + " preset's default)"
	}
	if len(s.Scopes) == 0 {
		s.Scopes = slices.Clone(x.Scopes)
	}
	if len(x.AuthParams) > 0 {
		merged := cloneValues(x.AuthParams)
		maps.Copy(merged, s.AuthParams)
		s.AuthParams = merged
	}
	s.TokenHeaders = layHeaders(x.TokenHeaders.Clone(), own)
	return s, nil
}

// presetFieldError names a preset's complaint by the profile's field: "param domain" becomes
// "params.domain".
func presetFieldError(err error) error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return &FieldError{Field: "params", Message: err.Error()}
	}
	field := fe.Field
	if name, ok := strings.CutPrefix(field, "param "); ok {
		field = "params." + name
	}
	return &FieldError{Field: field, Message: fe.Message}
}

// isUsualDiscovery reports whether d is where discovery looks for the issuer's document anyway
// (OpenID Connect Discovery §4), so that the issuer itself can be given to flows.
func isUsualDiscovery(issuer, d string) bool {
	rest, ok := strings.CutPrefix(d, strings.TrimSuffix(issuer, "/"))
	return ok && rest == "/.well-known/openid-configuration"
}

// presetNames lists the known presets' names, for messages.
func presetNames() string {
	ps, err := Presets()
	if err != nil {
		return "(the presets do not load: " + err.Error() + ")"
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}
