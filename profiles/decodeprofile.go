package profiles

import (
	"net/url"
	"strings"
	"sync"

	"github.com/tokenbench/tokenbench/flows"
	"go.yaml.in/yaml/v3"
)

// A profile's mapping node is decoded by walking its keys once, by the field registry, instead of
// by the YAML library's reflection: a file may hold thousands of profiles, and `profile list`
// decodes them all. The walk takes only what it decodes exactly as the library does (plain, quoted
// and block scalars, lists and mappings of them, nulls); for anything else (a tag, an alias, a
// merge key, a key given twice, a value of the wrong shape) it gives up and the library decodes
// the node, with its messages and line numbers. FuzzDecodeProfile holds the two to the same result.

// decodeProfileNode decodes a profile's mapping node into p, which must be empty.
func decodeProfileNode(n *yaml.Node, p *Profile) error {
	if decodeProfile(n, p) {
		return nil
	}
	*p = Profile{}
	return n.Decode(p)
}

// fieldTargets are the decoder's keys: the registry's, dotted below a section (endpoints.token,
// tls.ca_file), and those outside it.
type fieldTargets struct {
	value    map[string]func(*Profile) any
	sections map[string]bool
}

var decoderKeys = sync.OnceValue(func() fieldTargets {
	k := fieldTargets{
		value: map[string]func(*Profile) any{
			"name":               func(p *Profile) any { return &p.Name },
			"preset":             func(p *Profile) any { return &p.Preset },
			"params":             func(p *Profile) any { return &p.Params },
			"client_secret":      func(p *Profile) any { return &p.ClientSecret },
			"allow_plain_secret": func(p *Profile) any { return &p.AllowPlainSecret },
		},
		sections: map[string]bool{},
	}
	for _, f := range fields {
		k.value[f.Key] = f.value
		if section, _, dotted := strings.Cut(f.Key, "."); dotted {
			k.sections[section] = true
		}
	}
	return k
})

// decodeProfile decodes a profile's mapping node into the empty p, and reports false when the
// node holds something it leaves to the YAML library (p is then partly set).
func decodeProfile(n *yaml.Node, p *Profile) bool {
	keys := decoderKeys()
	if !plainMapping(n) {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		key, v := n.Content[i].Value, n.Content[i+1]
		if strings.Contains(key, ".") {
			continue // not a key of Profile: unknown keys are kept in raw, not decoded
		}
		if keys.sections[key] {
			if !decodeSection(keys, key, v, p) {
				return false
			}
			continue
		}
		if target, ok := keys.value[key]; ok && !decodeValue(v, target(p)) {
			return false
		}
	}
	return true
}

// decodeSection decodes the mapping of a section (endpoints, tls); a null leaves it empty.
func decodeSection(keys fieldTargets, section string, n *yaml.Node, p *Profile) bool {
	if isNull(n) {
		return true
	}
	if !plainMapping(n) {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		key, v := n.Content[i].Value, n.Content[i+1]
		if strings.Contains(key, ".") {
			continue
		}
		if target, ok := keys.value[section+"."+key]; ok && !decodeValue(v, target(p)) {
			return false
		}
	}
	return true
}

// plainMapping reports whether n is an untagged mapping whose keys are distinct strings, none of
// them a merge key (which is not a string: !!merge).
func plainMapping(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode || n.Tag != "!!map" || len(n.Content)%2 != 0 {
		return false
	}
	for i := 0; i < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			return false
		}
		for j := 0; j < i; j += 2 {
			if n.Content[j].Value == k.Value {
				return false // the library names both lines
			}
		}
	}
	return true
}

// isNull reports whether n is an untagged null (nothing, ~ or null), which the library leaves the
// field alone for.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Style&yaml.TaggedStyle == 0
}

// decodeValue decodes n into target, one of the pointers of the registry's value.
func decodeValue(n *yaml.Node, target any) bool {
	if isNull(n) {
		// The library sets a null list or mapping to nil and leaves the rest: all already so.
		return true
	}
	switch t := target.(type) {
	case *string:
		return decodeText(n, t)
	case *SecretRef:
		return decodeText(n, t)
	case *flows.AuthMethod:
		return decodeText(n, t)
	case *flows.PKCEMethod:
		return decodeText(n, t)
	case *bool:
		return decodeBool(n, t)
	case *[]string:
		return decodeList(n, t)
	case *map[string]string:
		return decodeParams(n, t)
	case *url.Values:
		return decodeValues(n, t)
	}
	return false
}

// decodeText takes a scalar's text: a string, or an untagged number or boolean, which the library
// puts in a string as written.
func decodeText[T ~string](n *yaml.Node, t *T) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.Tag {
	case "!!str":
	case "!!int", "!!float", "!!bool":
		if n.Style&yaml.TaggedStyle != 0 {
			return false
		}
	default:
		return false
	}
	*t = T(n.Value)
	return true
}

// decodeBool takes an untagged boolean, or a string the library reads as YAML 1.1's yes and no.
func decodeBool(n *yaml.Node, t *bool) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.Tag {
	case "!!bool":
		if n.Style&yaml.TaggedStyle != 0 {
			return false
		}
		switch n.Value {
		case "true", "True", "TRUE":
			*t = true
			return true
		case "false", "False", "FALSE":
			*t = false
			return true
		}
	case "!!str":
		switch n.Value {
		case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON":
			*t = true
			return true
		case "n", "N", "no", "No", "NO", "off", "Off", "OFF":
			*t = false
			return true
		}
	}
	return false
}

// decodeList takes an untagged sequence of scalars; the library drops its nulls.
func decodeList(n *yaml.Node, t *[]string) bool {
	if n.Kind != yaml.SequenceNode || n.Tag != "!!seq" {
		return false
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if isNull(item) {
			continue
		}
		var s string
		if !decodeText(item, &s) {
			return false
		}
		out = append(out, s)
	}
	*t = out
	return true
}

// decodeParams takes a mapping of names to scalars; the library reads a null as "".
func decodeParams(n *yaml.Node, t *map[string]string) bool {
	if !plainMapping(n) {
		return false
	}
	m := make(map[string]string, len(n.Content)/2)
	for i := 0; i < len(n.Content); i += 2 {
		var s string
		if v := n.Content[i+1]; !isNull(v) && !decodeText(v, &s) {
			return false
		}
		m[n.Content[i].Value] = s
	}
	*t = m
	return true
}

// decodeValues takes a mapping of names to lists; the library reads a null as no list.
func decodeValues(n *yaml.Node, t *url.Values) bool {
	if !plainMapping(n) {
		return false
	}
	m := make(url.Values, len(n.Content)/2)
	for i := 0; i < len(n.Content); i += 2 {
		var vs []string
		if v := n.Content[i+1]; !isNull(v) && !decodeList(v, &vs) {
			return false
		}
		m[n.Content[i].Value] = vs
	}
	*t = m
	return true
}
