package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/profiles"
)

// profileFlags are the flags of `profile add` and `profile edit`: one for every field of the
// registry (profiles.Fields), and the few that need care of their own: the preset and its
// parameters, the secret reference, --unset. Only the flags given change anything.
type profileFlags struct {
	preset      string
	set         []string
	secretRef   string
	plainSecret string
	unset       []string
}

// fieldUsage is the help of a field's flag: the registry's, with how a repeatable or switch flag
// behaves.
func fieldUsage(f profiles.Field) string {
	switch f.Kind {
	case profiles.KindBool:
		return f.Help + "; --" + f.Flag + "=false turns it off"
	case profiles.KindList, profiles.KindPairs:
		return f.Help + " (repeatable; replaces the profile's)"
	case profiles.KindText, profiles.KindPath:
	}
	return f.Help
}

// registerField registers the flag of one registry field.
func registerField(fs *pflag.FlagSet, f profiles.Field, usage string) {
	switch f.Kind {
	case profiles.KindBool:
		fs.Bool(f.Flag, false, usage)
	case profiles.KindList, profiles.KindPairs:
		fs.StringArray(f.Flag, nil, usage)
	case profiles.KindText, profiles.KindPath:
		fs.String(f.Flag, "", usage)
	}
}

// fieldValues reads the values a registry field's flag was given: a file name made absolute, so
// that the profile works from any directory.
func fieldValues(fs *pflag.FlagSet, f profiles.Field) []string {
	switch f.Kind {
	case profiles.KindBool:
		v, _ := fs.GetBool(f.Flag)
		return []string{strconv.FormatBool(v)}
	case profiles.KindList, profiles.KindPairs:
		v, _ := fs.GetStringArray(f.Flag)
		return v
	case profiles.KindPath:
		v, _ := fs.GetString(f.Flag)
		return []string{absPath(v)}
	case profiles.KindText:
	}
	v, _ := fs.GetString(f.Flag)
	return []string{v}
}

// setField lays one registry field's flag over p when it was given; an error names the flag.
func setField(p *profiles.Profile, fs *pflag.FlagSet, f profiles.Field) (bool, error) {
	if fl := fs.Lookup(f.Flag); fl == nil || !fl.Changed {
		return false, nil
	}
	if err := f.Set(p, fieldValues(fs, f)); err != nil {
		return false, usagef("--%s: %v", f.Flag, err)
	}
	return true, nil
}

func (f *profileFlags) register(fs *pflag.FlagSet, edit bool) {
	fs.StringVar(&f.preset, "preset", "", "vendor preset (tokenbench profile presets lists them)")
	fs.StringArrayVar(&f.set, "set", nil, "a preset parameter name=value (repeatable), e.g. --set domain=acme.okta.com; name= removes it")
	for _, fd := range profiles.Fields() {
		registerField(fs, fd, fieldUsage(fd))
	}
	fs.StringVar(&f.secretRef, "client-secret-ref", "", "where the client secret is kept: keyring: (asks for it and stores it in the OS keyring), keyring:ACCOUNT, env:NAME, file:PATH or cmd:COMMAND")
	fs.StringVar(&f.plainSecret, "plain-secret", "", "keep the client secret in clear in the profile file (not recommended: prefer --client-secret-ref)")
	if edit {
		fs.StringArrayVar(&f.unset, "unset", nil, "clear a field (repeatable): "+strings.Join(unsettable(), ", "))
	}
}

// unsetGroups are what --unset clears besides the registry's fields: whole sections, the preset,
// the secret reference.
var unsetGroups = []string{"preset", "params", "endpoints", "client_secret", "tls"}

// unsettable are the fields --unset clears.
func unsettable() []string {
	names := slices.Clone(unsetGroups)
	for _, fd := range profiles.Fields() {
		names = append(names, fd.Key)
	}
	return names
}

// apply lays the given flags over p. It reports whether anything was given.
func (f *profileFlags) apply(p *profiles.Profile, fs *pflag.FlagSet) (bool, error) {
	for _, field := range f.unset {
		if err := unsetField(p, field); err != nil {
			return false, err
		}
	}
	given := len(f.unset) > 0
	if fs.Changed("preset") {
		oldPreset := p.Preset
		p.Preset, given = strings.TrimSpace(f.preset), true
		if p.Preset != oldPreset {
			keepDeclaredParams(p)
		}
	}
	for _, fd := range profiles.Fields() {
		changed, err := setField(p, fs, fd)
		if err != nil {
			return given, err
		}
		given = given || changed
	}
	if err := f.applyParams(p, &given); err != nil {
		return given, err
	}
	return given, f.applySecret(p, fs, &given)
}

// applyParams applies --set.
func (f *profileFlags) applyParams(p *profiles.Profile, given *bool) error {
	for _, kv := range f.set {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return usagef("--set %q: expected name=value", kv)
		}
		k = strings.TrimSpace(k)
		if p.Params == nil {
			p.Params = map[string]string{}
		}
		if v = strings.TrimSpace(v); v == "" {
			delete(p.Params, k)
		} else {
			p.Params[k] = v
		}
		*given = true
	}
	if len(p.Params) == 0 {
		p.Params = nil
	}
	return nil
}

// applySecret applies --client-secret-ref and --plain-secret.
func (f *profileFlags) applySecret(p *profiles.Profile, fs *pflag.FlagSet, given *bool) error {
	ref, plain := fs.Changed("client-secret-ref"), fs.Changed("plain-secret")
	switch {
	case ref && plain:
		return usagef("give --client-secret-ref or --plain-secret, not both")
	case ref:
		r, err := profiles.ParseSecretRef(f.secretRef)
		if err != nil {
			return usagef("--client-secret-ref: %v", err)
		}
		if r.Kind() == profiles.SecretFile {
			r = profiles.SecretRef("file:" + absPath(r.Target()))
		}
		p.ClientSecret, p.AllowPlainSecret, *given = r, false, true
	case plain:
		if f.plainSecret == "" {
			return usagef("--plain-secret needs the secret")
		}
		p.ClientSecret, p.AllowPlainSecret, *given = profiles.SecretRef("plain:"+f.plainSecret), true, true
	}
	return nil
}

// keepDeclaredParams drops the parameters the profile's (new) preset does not take: a tenant
// domain of one vendor means nothing to another.
func keepDeclaredParams(p *profiles.Profile) {
	preset, ok := profiles.LookupPreset(p.Preset)
	if !ok {
		return
	}
	for name := range p.Params {
		if !slices.ContainsFunc(preset.Params, func(pp profiles.PresetParam) bool { return pp.Name == name }) {
			delete(p.Params, name)
		}
	}
}

// unsetField clears one field for --unset.
func unsetField(p *profiles.Profile, field string) error {
	if name, ok := strings.CutPrefix(field, "params."); ok {
		delete(p.Params, name)
		return nil
	}
	if fd, ok := profiles.LookupField(field); ok {
		fd.Clear(p)
		if field == "dpop" {
			p.DPoPKey = "" // a key implies DPoP
		}
		if field == "tls.client_cert" || field == "tls.client_key" {
			p.TLS.ClientCert, p.TLS.ClientKey = "", "" // one is no use without the other
		}
		return nil
	}
	switch field {
	case "preset":
		p.Preset, p.Params = "", nil
	case "params":
		p.Params = nil
	case "endpoints":
		p.Endpoints = profiles.Endpoints{}
	case "client_secret":
		p.ClientSecret, p.AllowPlainSecret = "", false
	case "tls":
		p.TLS = profiles.TLS{}
	default:
		return usagef("--unset %q: not a field; valid: %s, params.NAME", field, strings.Join(unsettable(), ", "))
	}
	return nil
}

// splitScopes splits on spaces and commas.
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// absPath makes a file path absolute, so the profile works from any directory; ~/ is kept (it is
// expanded when the file is read).
func absPath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" || p == "~" || strings.HasPrefix(p, "~/") || filepath.IsAbs(p) {
		return p
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// fieldFlag names the flag that sets a field, for messages; "" when none does.
func fieldFlag(key string) string {
	if fd, ok := profiles.LookupField(key); ok {
		return "--" + fd.Flag
	}
	switch key {
	case "name":
		return "the NAME argument"
	case "preset":
		return "--preset"
	case "params":
		return "--set"
	case "client_secret":
		return "--client-secret-ref"
	}
	return ""
}

// profileFieldError says which profile and field are wrong, and which flag sets the field.
func profileFieldError(name string, err error) error {
	var fe *profiles.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	flag := fieldFlag(fe.Field)
	if p, ok := strings.CutPrefix(fe.Field, "params."); ok {
		flag = "--set " + p + "=…"
	}
	msg := fmt.Sprintf("profile %q: %s: %s", name, fe.Field, fe.Message)
	if flag != "" {
		msg += " (" + flag + ")"
	}
	return usageError{msg}
}
