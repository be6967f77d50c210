package profiles_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// yamlKeys lists the YAML keys of a struct, dotted below nested sections.
func yamlKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			keys = append(keys, yamlKeys(f.Type, prefix+name+".")...)
			continue
		}
		keys = append(keys, prefix+name)
	}
	return keys
}

// TestEveryProfileFieldIsInTheRegistry: a field added to Profile without its registry entry would
// be missing from the flags, --unset, the messages and the form.
func TestEveryProfileFieldIsInTheRegistry(t *testing.T) {
	special := []string{"name", "preset", "params", "client_secret", "allow_plain_secret"}
	for _, key := range yamlKeys(reflect.TypeFor[profiles.Profile](), "") {
		if _, ok := profiles.LookupField(key); !ok && !slices.Contains(special, key) {
			t.Errorf("profiles.yaml key %q has no entry in the field registry", key)
		}
	}
	for _, name := range flows.EndpointNames() {
		if _, ok := profiles.LookupField("endpoints." + name); !ok {
			t.Errorf("endpoint %q has no registry field", name)
		}
	}
	seen := map[string]bool{}
	for _, f := range profiles.Fields() {
		if seen[f.Flag] || f.Flag == "" || f.Label == "" || f.Help == "" {
			t.Errorf("field %q: flag %q (duplicate %v), label %q, help %q", f.Key, f.Flag, seen[f.Flag], f.Label, f.Help)
		}
		seen[f.Flag] = true
	}
}

// TestFieldsRoundTrip: each field reads back what it was set to, and Clear empties it.
func TestFieldsRoundTrip(t *testing.T) {
	values := map[profiles.FieldKind][]string{
		profiles.KindText:  {"value"},
		profiles.KindPath:  {"/etc/some.pem"},
		profiles.KindBool:  {"true"},
		profiles.KindList:  {"a", "b"},
		profiles.KindPairs: {"k=v", "x=y"},
	}
	for _, f := range profiles.Fields() {
		v := values[f.Kind]
		switch f.Key {
		case "pkce":
			v = []string{"plain"}
		case "response_type":
			v = []string{"code id_token"}
		case "token_headers":
			v = []string{"X-Api-Version: 2", "X-Tenant: acme"}
		}
		var p profiles.Profile
		if err := f.Set(&p, v); err != nil {
			t.Errorf("%s: Set(%q): %v", f.Key, v, err)
			continue
		}
		if got := f.Get(p); !slices.Equal(got, v) {
			t.Errorf("%s: Get = %q after Set(%q)", f.Key, got, v)
		}
		f.Clear(&p)
		if got := f.Get(p); len(got) != 0 {
			t.Errorf("%s: Get = %q after Clear", f.Key, got)
		}
	}
	pkce, _ := profiles.LookupField("pkce")
	if err := pkce.Set(&profiles.Profile{}, []string{"S512"}); err == nil {
		t.Error("pkce took S512")
	}
	headers, _ := profiles.LookupField("token_headers")
	for _, bad := range []string{"no colon", "Authorization: Bearer x", "Bad Name: v", ": v"} {
		if err := headers.Set(&profiles.Profile{}, []string{bad}); err == nil {
			t.Errorf("token_headers took %q", bad)
		}
	}
}
