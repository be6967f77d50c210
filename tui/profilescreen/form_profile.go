package profilescreen

import (
	"errors"
	"strings"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// What the profile form derives from its fields after every change: the profile they describe
// (laid over the original, so that what the form does not show is kept), its validation, the URLs
// it resolves to, the placeholders that follow the choices, and what a save attempt said.

// secretRef is the reference the secret fields make.
func (f profileForm) secretRef() profiles.SecretRef {
	kind := f.get("client_secret")
	switch kind {
	case "none", "":
		return ""
	case string(profiles.SecretPlain):
		return f.orig.ClientSecret
	}
	return profiles.SecretRef(kind + ":" + f.get(fieldSecretTarget))
}

// profile builds the profile the fields describe, on top of the original.
func (f profileForm) profile() profiles.Profile {
	p := f.orig.Clone()
	p.Name = f.get("name")
	p.Preset = f.get("preset")
	p.Params = nil
	for _, i := range f.paramIndices() {
		if v := f.fields[i].value(); v != "" {
			if p.Params == nil {
				p.Params = map[string]string{}
			}
			p.Params[strings.TrimPrefix(f.fields[i].id, "params.")] = v
		}
	}
	for _, fd := range profiles.Fields() {
		if f.index(fd.Key) < 0 {
			continue // not in the form: kept as it was
		}
		// A value the registry refuses (a PKCE method from a newer version's file) leaves the
		// original's, which validation then names.
		fd.Set(&p, f.fieldValues(fd)) //nolint:errcheck // see above
	}
	p.ClientSecret = f.secretRef()
	p.AllowPlainSecret = p.ClientSecret.Kind() == profiles.SecretPlain && f.orig.AllowPlainSecret
	return p
}

// fieldValues is a registry field's text in the form, as profiles.Field.Set takes it.
func (f profileForm) fieldValues(fd profiles.Field) []string {
	v := f.get(fd.Key)
	switch {
	case fd.Kind == profiles.KindBool:
		return []string{map[bool]string{true: "true", false: "false"}[v == "on"]}
	case fd.Kind == profiles.KindList:
		if sep, ok := listSeparators[fd.Key]; ok {
			var out []string
			for _, s := range strings.Split(v, sep) {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
			return out
		}
		return strings.Fields(v)
	}
	return []string{v}
}

// refresh rebuilds the profile from the fields, validates it and expands its URLs.
func (f profileForm) refresh() profileForm {
	p := f.profile()
	f.prof = p
	f.err, f.errField = p.Validate(), ""
	var fe *profiles.FieldError
	if errors.As(f.err, &fe) {
		f.errField = f.fieldFor(fe.Field)
	}
	f.warnings = p.Warnings()
	if w := f.keyringWarning(); w != "" {
		f.warnings = append(f.warnings, w)
	}
	if noDiscovery(p) && p.Endpoints.JWKS == "" {
		// Without discovery nothing names the key set: an id_token's signature would go unchecked.
		f.warnings = append(f.warnings, "no JWKS URL: id_token signatures go unchecked; set the jwks override")
	}
	f.urls, f.urlNote = expandedURLs(p)
	f.method = ""
	if set, err := p.Settings(); err == nil {
		f.method = set.AuthMethod
		if i := f.index("scopes"); i >= 0 {
			f.fields[i].input.Placeholder = ui.Hint("default: " + placeholderOr(strings.Join(presetScopes(set.Preset), " "), "openid profile email"))
		}
	}
	f = f.placeholders()
	f.others = otherFields(p)
	return f
}

// fieldFor is the form field a *FieldError names, or "" when the form does not show it.
func (f profileForm) fieldFor(name string) string {
	switch {
	case name == "params":
		return "preset"
	case f.index(name) >= 0:
		return name
	}
	return ""
}

// placeholders follow the choices: the secret's target says what it wants, the endpoints what
// they default to.
func (f profileForm) placeholders() profileForm {
	if i := f.index(fieldSecretTarget); i >= 0 {
		label, ph := "", ""
		switch f.get("client_secret") {
		case string(profiles.SecretKeyring):
			label, ph = "keyring account", "empty: the profile's name"
		case string(profiles.SecretEnv):
			label, ph = "env variable", "e.g. ACME_CLIENT_SECRET"
		case string(profiles.SecretFile):
			label, ph = "secret file", "e.g. ~/.config/acme/client-secret, mode 0600"
		case string(profiles.SecretCmd):
			label, ph = "command", "e.g. pass show acme/client"
		}
		f.fields[i].label, f.fields[i].input.Placeholder = label, ui.Hint(ph)
	}
	if i := f.index(fieldSecretValue); i >= 0 {
		ph := "typed here, stored in the OS keyring, never in the file"
		switch {
		case f.get("client_secret") == string(profiles.SecretFile):
			ph = "typed here, written to that file, mode 0600; empty: the file holds it"
		case !f.isNew && f.orig.ClientSecret.Kind() == profiles.SecretKeyring:
			ph = "empty: keep the secret the keyring holds"
		}
		f.fields[i].input.Placeholder = ui.Hint(ph)
	}
	if i := f.index("issuer"); i >= 0 {
		f.fields[i].input.Placeholder = ui.Hint("e.g. https://login.example.com/realms/acme, or its discovery URL")
		if f.get("preset") != "" {
			f.fields[i].input.Placeholder = ui.Hint("empty: the preset's, shown below")
		}
	}
	known := map[string]string{}
	for _, u := range f.urls {
		known[u.label] = u.url
	}
	fallback := "from discovery"
	if noDiscovery(f.prof) {
		fallback = "none: this vendor has no usable discovery"
	}
	for _, name := range flows.EndpointNames() {
		if i := f.index("endpoints." + name); i >= 0 {
			f.fields[i].input.Placeholder = ui.Hint(placeholderOr(known[name], fallback))
		}
	}
	return f
}

// noDiscovery reports whether the profile's preset has no usable discovery document (BlockID).
func noDiscovery(p profiles.Profile) bool {
	pr, ok := profiles.LookupPreset(p.Preset)
	return ok && pr.Quirks.NoDiscovery
}

func placeholderOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// presetScopes is an expanded preset's default scopes, nil without a preset.
func presetScopes(x *profiles.Expansion) []string {
	if x == nil {
		return nil
	}
	return x.Scopes
}

// otherFields names what the file sets that the form does not show; they are kept as they are.
func otherFields(p profiles.Profile) []string {
	var out []string
	if len(p.AuthParams) > 0 {
		out = append(out, "auth_params")
	}
	if len(p.TokenParams) > 0 {
		out = append(out, "token_params")
	}
	if p.TLS != (profiles.TLS{}) {
		out = append(out, "tls")
	}
	return out
}

// needsKeyringSecret reports whether saving must find a secret in the keyring when none is typed:
// the reference is new or changed, and the method in effect uses a secret.
func (f profileForm) needsKeyringSecret() bool {
	if f.prof.ClientSecret.Kind() != profiles.SecretKeyring {
		return false
	}
	return f.method.UsesSecret() && (f.isNew || f.prof.ClientSecret != f.orig.ClientSecret)
}

// saveFailed shows what a save attempt said, beside its field when it names one.
func (f profileForm) saveFailed(err error) profileForm {
	f.saveErr, f.saveField = err, ""
	var fe *profiles.FieldError
	if errors.As(err, &fe) {
		f.saveField = f.fieldFor(fe.Field)
		if fe.Field == fieldSecretValue {
			f.saveField = fieldSecretValue
		}
	}
	return f
}
