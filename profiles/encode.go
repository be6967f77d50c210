package profiles

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// keySchema is the tree of YAML keys this version knows: a key maps to the keys of its value when
// that value is a struct (endpoints, tls), or to nil when its value is data (a string, a list, a
// map of parameters).
type keySchema map[string]keySchema

// profileKeys are the keys of a profile, from Profile's yaml tags, read on first use.
var profileKeys = sync.OnceValue(func() keySchema { return schemaOf(reflect.TypeFor[Profile]()) })

func schemaOf(t reflect.Type) keySchema {
	s := keySchema{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		var sub keySchema
		if f.Type.Kind() == reflect.Struct {
			sub = schemaOf(f.Type)
		}
		s[name] = sub
	}
	return s
}

// encodeProfile turns p into a mapping node. The keys this version does not know, and the comments
// of those it does, come from p's own node when it has one (it was read from a file), else from
// fallback (the node p replaces).
func encodeProfile(p Profile, fallback *yaml.Node) (*yaml.Node, error) {
	var n yaml.Node
	if err := n.Encode(p); err != nil {
		return nil, err
	}
	flowLists(&n)
	src := p.raw
	if src == nil {
		src = fallback
	}
	if src != nil {
		budget := maxCopiedNodes
		carry(&n, deref(src), profileKeys(), &budget)
		if budget < 0 {
			return nil, fmt.Errorf("profile %q: the fields this version does not know expand to more than %d YAML nodes (aliases?); not copied", p.Name, maxCopiedNodes)
		}
	}
	return &n, nil
}

// maxCopiedNodes bounds the unknown data copied with one profile: aliases are expanded when copied,
// and a few nested ones (a "billion laughs") would otherwise never end.
const maxCopiedNodes = 100_000

// flowLists writes scopes and parameter values on one line: scopes: [openid, profile].
func flowLists(n *yaml.Node) {
	if v := mapValue(n, "scopes"); v != nil && v.Kind == yaml.SequenceNode {
		v.Style = yaml.FlowStyle
	}
	for _, key := range []string{"auth_params", "token_params"} {
		m := mapValue(n, key)
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		for i := 1; i < len(m.Content); i += 2 {
			if m.Content[i].Kind == yaml.SequenceNode {
				m.Content[i].Style = yaml.FlowStyle
			}
		}
	}
}

// carry copies into dst (freshly encoded) what src (as read) has that encoding loses: the keys
// unknown to this version, at the top and inside known structs, and the comments of known keys.
func carry(dst, src *yaml.Node, known keySchema, budget *int) {
	if dst.Kind != yaml.MappingNode || src.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(src.Content); i += 2 {
		k, v := src.Content[i], deref(src.Content[i+1])
		sub, isKnown := known[k.Value]
		dk := mapKey(dst, k.Value)
		switch {
		case !isKnown:
			if dk == nil {
				dst.Content = append(dst.Content, cloneNode(k, budget), cloneNode(v, budget))
			}
		case dk != nil:
			dk.HeadComment, dk.LineComment, dk.FootComment = k.HeadComment, k.LineComment, k.FootComment
			dv := mapValue(dst, k.Value)
			if dv.LineComment == "" {
				dv.LineComment = v.LineComment
			}
			if sub != nil {
				carry(dv, v, sub, budget)
			}
		case sub != nil && hasUnknown(v, sub):
			// A struct whose known fields are all empty now, holding keys a newer version wrote.
			nv := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			carry(nv, v, sub, budget)
			dst.Content = append(dst.Content, cloneNode(k, budget), nv)
		}
	}
}

// hasUnknown reports whether a mapping holds keys outside known.
func hasUnknown(m *yaml.Node, known keySchema) bool {
	if m.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		sub, ok := known[m.Content[i].Value]
		if !ok || (sub != nil && hasUnknown(deref(m.Content[i+1]), sub)) {
			return true
		}
	}
	return false
}

// deref follows an alias to its anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// cloneNode deep-copies a node, resolving aliases (the anchor may not travel with it) and dropping
// anchors (they would be defined twice). Each node copied takes one from budget; below zero the
// copy stops short (the caller reports it).
func cloneNode(n *yaml.Node, budget *int) *yaml.Node {
	n = deref(n)
	c := *n
	c.Anchor = ""
	c.Alias = nil
	c.Content = nil
	if *budget--; *budget < 0 {
		return &c
	}
	c.Content = make([]*yaml.Node, 0, len(n.Content))
	for _, ch := range n.Content {
		c.Content = append(c.Content, cloneNode(ch, budget))
		if *budget < 0 {
			break
		}
	}
	return &c
}
