package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Version is the version of the profile file format this tokenbench reads and writes.
const Version = 1

// LoadError is a profile file that cannot be read: which file, which line (0 when unknown), and
// what is wrong. A file in this state is never overwritten.
type LoadError struct {
	Path string
	Line int
	Msg  string
	// Err is the YAML decoder's error, when it is the cause.
	Err error
}

// Error is "PATH:LINE: what is wrong".
func (e *LoadError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	return where + ": " + e.Msg
}

// Unwrap returns the decoder's error.
func (e *LoadError) Unwrap() error { return e.Err }

// document is a profile file as a YAML node tree, so that a rewrite keeps what this version does
// not know (unknown keys at the top and in each profile) and the user's comments.
type document struct {
	root *yaml.Node // the document node
	top  *yaml.Node // its mapping
	// profiles are decoded from the items of the profiles sequence, in file order; each one's raw is
	// its item node.
	profiles []Profile
}

// yamlLine finds the line number in a YAML error message.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)`) })

// yamlError turns a decoder error into a LoadError, with the line it names (or fallback).
func yamlError(path string, fallback int, err error) *LoadError {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = strings.Join(te.Errors, "; ")
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := fallback
	if m := yamlLine().FindStringSubmatchIndex(msg); m != nil {
		line, _ = strconv.Atoi(msg[m[2]:m[3]])
		if m[0] == 0 {
			msg = strings.TrimPrefix(msg[m[1]:], ": ")
		}
	}
	return &LoadError{Path: path, Line: line, Msg: "not valid YAML: " + msg, Err: err}
}

// syntaxError reports a YAML syntax error at the line where it is. The parser names the line where
// the enclosing block starts (and counts it from 0); the first line at which the file, read up to
// there, stops parsing is where the user must look.
func syntaxError(path string, data []byte, err error) *LoadError {
	le := yamlError(path, 0, err)
	lines := bytes.SplitAfter(data, []byte("\n"))
	parses := func(n int) bool {
		var probe yaml.Node
		dec := yaml.NewDecoder(bytes.NewReader(bytes.Join(lines[:n], nil)))
		for {
			err := dec.Decode(&probe)
			if errors.Is(err, io.EOF) {
				return true
			}
			if err != nil {
				return false
			}
		}
	}
	// The smallest n whose first n lines fail to parse, by bisection: prefixes that parse come
	// (nearly always) before those that do not.
	lo, hi := 0, len(lines)
	if parses(hi) {
		return le
	}
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if parses(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	le.Line = hi
	return le
}

// parseDocument reads a profile file; path is only for messages. Empty data (or only comments) is
// an empty file of the current version.
func parseDocument(path string, data []byte) (*document, error) {
	d := &document{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, syntaxError(path, data, err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return nil, &LoadError{Path: path, Line: second.Line, Msg: "a second YAML document (after ---): the profile file holds one"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(path, data, err)
	}
	if root.Kind == 0 {
		root = yaml.Node{Kind: yaml.DocumentNode}
	}
	d.root = &root
	if len(root.Content) == 0 {
		d.top = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		root.Content = []*yaml.Node{d.top}
		return d, nil
	}
	// An alias is written *name: without a '*' in the file there is none to check (a listing of
	// thousands of profiles is spared the walk).
	if bytes.IndexByte(data, '*') >= 0 {
		if err := checkAliases(path, &root, map[*yaml.Node]bool{}); err != nil {
			return nil, err
		}
	}
	d.top = root.Content[0]
	if d.top.Kind == yaml.ScalarNode && d.top.Tag == "!!null" {
		*d.top = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: d.top.HeadComment}
		return d, nil
	}
	if d.top.Kind != yaml.MappingNode {
		return nil, &LoadError{Path: path, Line: d.top.Line, Msg: "the file must be a mapping with version: 1 and a list of profiles"}
	}
	if err := d.checkTop(path); err != nil {
		return nil, err
	}
	return d, d.decodeProfiles(path)
}

// checkAliases refuses an alias to a node that contains it, which would make the profiles an
// endless structure. Anchors come before their aliases, so any cycle has an alias pointing to one
// of its own ancestors; the walk does not follow aliases and so stays linear.
func checkAliases(path string, n *yaml.Node, ancestors map[*yaml.Node]bool) error {
	if n.Kind == yaml.AliasNode {
		if ancestors[n.Alias] {
			return &LoadError{Path: path, Line: n.Line, Msg: fmt.Sprintf("the alias *%s refers to a node that contains it", n.Value)}
		}
		return nil
	}
	ancestors[n] = true
	defer delete(ancestors, n)
	for _, c := range n.Content {
		if err := checkAliases(path, c, ancestors); err != nil {
			return err
		}
	}
	return nil
}

// checkTop checks the top-level keys: no duplicates, a version this tokenbench understands.
func (d *document) checkTop(path string) error {
	seen := map[string]int{}
	for i := 0; i+1 < len(d.top.Content); i += 2 {
		k := d.top.Content[i]
		if line, dup := seen[k.Value]; dup {
			return &LoadError{Path: path, Line: k.Line, Msg: fmt.Sprintf("%q is given twice (first on line %d)", k.Value, line)}
		}
		seen[k.Value] = k.Line
	}
	v := d.value("version")
	if v == nil {
		return nil // a hand-written file may leave it out: it is then version 1, written on save
	}
	n, err := strconv.Atoi(v.Value)
	switch {
	case v.Kind != yaml.ScalarNode || err != nil:
		return &LoadError{Path: path, Line: v.Line, Msg: fmt.Sprintf("version must be a whole number (this tokenbench writes version: %d)", Version)}
	case n > Version:
		return &LoadError{Path: path, Line: v.Line, Msg: fmt.Sprintf("version %d is newer than this tokenbench understands (version %d): upgrade tokenbench; the file is left as it is", n, Version)}
	case n != Version:
		return &LoadError{Path: path, Line: v.Line, Msg: fmt.Sprintf("unknown version %d (this tokenbench reads version %d)", n, Version)}
	}
	return nil
}

// value returns the value node of a top-level key, or nil.
func (d *document) value(key string) *yaml.Node {
	return mapValue(d.top, key)
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// list returns the profiles sequence, or nil when there is none (or it is empty: profiles:).
func (d *document) list() *yaml.Node {
	l := d.value("profiles")
	if l == nil || l.Kind != yaml.SequenceNode {
		return nil
	}
	return l
}

// decodeProfiles decodes each item of the profiles sequence.
func (d *document) decodeProfiles(path string) error {
	l := d.value("profiles")
	if l == nil || (l.Kind == yaml.ScalarNode && l.Tag == "!!null") {
		return nil
	}
	if l.Kind != yaml.SequenceNode {
		return &LoadError{Path: path, Line: l.Line, Msg: "profiles must be a list (each item starting with - name: …)"}
	}
	names := make(map[string]int, len(l.Content))
	// Each profile is decoded in its place in the list, which is made once: a Profile is large, and
	// a file may hold thousands.
	d.profiles = make([]Profile, len(l.Content))
	for i, item := range l.Content {
		if item.Kind == yaml.AliasNode {
			item = item.Alias
		}
		if item.Kind != yaml.MappingNode {
			return &LoadError{Path: path, Line: item.Line, Msg: "each profile must be a mapping (name: …, issuer: …)"}
		}
		p := &d.profiles[i]
		if err := decodeProfileNode(item, p); err != nil {
			return yamlError(path, item.Line, err)
		}
		nameLine := item.Line
		if k := mapKey(item, "name"); k != nil {
			nameLine = k.Line
		}
		if strings.TrimSpace(p.Name) == "" {
			return &LoadError{Path: path, Line: nameLine, Msg: "a profile without a name"}
		}
		if first, dup := names[p.Name]; dup {
			return &LoadError{Path: path, Line: nameLine, Msg: fmt.Sprintf("a second profile named %q (the first is on line %d)", p.Name, first)}
		}
		names[p.Name] = nameLine
		p.raw = item
	}
	return nil
}

// mapKey returns the key node of key in a mapping node, or nil.
func mapKey(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

// index returns the position of the named profile, or -1.
func (d *document) index(name string) int {
	for i, p := range d.profiles {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// ensureList returns the profiles sequence, creating it (and version) when missing.
func (d *document) ensureList() *yaml.Node {
	d.ensureVersion()
	if l := d.list(); l != nil {
		return l
	}
	l := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if v := d.value("profiles"); v != nil { // profiles: (null)
		*v = *l
		return v
	}
	d.top.Content = append(d.top.Content, scalarNode("profiles"), l)
	return l
}

// ensureVersion puts version: 1 first when the file has none.
func (d *document) ensureVersion() {
	if d.value("version") != nil {
		return
	}
	v := scalarNode(strconv.Itoa(Version))
	v.Tag = "!!int"
	d.top.Content = append([]*yaml.Node{scalarNode("version"), v}, d.top.Content...)
}

func scalarNode(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// add appends p.
func (d *document) add(p Profile) error {
	n, err := encodeProfile(p, nil)
	if err != nil {
		return err
	}
	l := d.ensureList()
	l.Style &^= yaml.FlowStyle // profiles: [] becomes a block list
	l.Content = append(l.Content, n)
	d.profiles = append(d.profiles, p)
	return nil
}

// replace puts p in place of the profile at i, keeping that profile's comments, and its unknown
// keys unless p carries its own.
func (d *document) replace(i int, p Profile) error {
	l := d.list()
	old := l.Content[i]
	n, err := encodeProfile(p, old)
	if err != nil {
		return err
	}
	n.HeadComment, n.LineComment, n.FootComment = old.HeadComment, old.LineComment, old.FootComment
	l.Content[i] = n
	d.profiles[i] = p
	return nil
}

// remove deletes the profile at i.
func (d *document) remove(i int) {
	l := d.list()
	l.Content = append(l.Content[:i], l.Content[i+1:]...)
	d.profiles = append(d.profiles[:i], d.profiles[i+1:]...)
}

// marshal writes the document out, with version first and two-space indentation.
func (d *document) marshal() ([]byte, error) {
	if l := d.ensureList(); len(l.Content) == 0 {
		l.Style |= yaml.FlowStyle // profiles: []
	}
	spellNulls(d.root, false)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(d.root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// spellNulls writes "null" for the empty nulls of flow collections ({prompt}, [a, ]): the encoder
// would write a quoted empty string there instead, which may not load.
func spellNulls(n *yaml.Node, inFlow bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		if inFlow && n.Value == "" && n.Tag == "!!null" && n.Style == 0 {
			n.Value = "null"
		}
	case yaml.AliasNode:
	default:
		flow := inFlow || n.Style&yaml.FlowStyle != 0
		for _, c := range n.Content {
			spellNulls(c, flow)
		}
	}
}

// dropPlainSecrets removes the client_secret of every profile whose plain secret is not in kept,
// and reports whether it removed any.
func (d *document) dropPlainSecrets(kept map[string]bool) bool {
	dropped := false
	for _, p := range d.profiles {
		if p.ClientSecret.Kind() != SecretPlain || kept[p.ClientSecret.Target()] || p.raw == nil {
			continue
		}
		m := p.raw
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "client_secret" {
				m.Content = append(m.Content[:i], m.Content[i+2:]...)
				dropped = true
				break
			}
		}
	}
	return dropped
}
