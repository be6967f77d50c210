package profiles

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

// OpenProfile opens the store in dir for a command that needs one profile now and perhaps the
// others later (`tokenbench run NAME`, whose first frame shows that one profile). When the file has
// the shape tokenbench writes (version: 1, then profiles: as a block list, each item's name a plain
// scalar) and exactly one item is named name, only that item's lines are parsed, and the Store
// reads the whole file on its first use (List, Get, Err, a change): a file of thousands of
// profiles is not parsed before the profile is shown. A problem elsewhere in the file is then
// reported by that first use, as Open would have, and a file that does not load is still never
// written (every change reads the file again). Otherwise OpenProfile reads the whole file as Open
// does and returns Open's error, or Get's.
func OpenProfile(dir, name string) (*Store, Profile, error) {
	s := &Store{dir: dir, path: filepath.Join(dir, FileName)}
	if data, err := os.ReadFile(s.path); err == nil {
		if p, ok := profileLines(s.path, data, name); ok {
			s.unread = true
			s.warnings = permissionWarnings(s.dir, s.path)
			return s, p, nil
		}
	}
	if err := s.Reload(); err != nil {
		return s, Profile{}, err
	}
	p, err := s.Get(name)
	return s, p, err
}

// profileItem is one item of the profiles list as profileLines finds it: its bytes [start, end)
// of the file, and its name when that is a plain scalar on the item's own key column.
type profileItem struct {
	start, end int
	keyCol     int
	name       []byte
	named      bool
}

// profileLines finds the named profile in a profile file by its lines alone and parses only those,
// with the same decoding and checks as a whole file's. It reports false whenever the file is not
// of the plain shape it understands or the answer is not certain (no item of that name, two, an
// item whose name it cannot read, a document marker, a tab, a second top-level key): the caller
// then parses the whole file. It reads the file once, line by line, keeping only where each item
// starts and its name.
func profileLines(path string, data []byte, name string) (Profile, bool) {
	if ValidateName(name) != nil || bytes.ContainsAny(data, "\t\r") {
		return Profile{}, false
	}
	var items []profileItem
	inList, dash := false, -1
	for start := 0; start < len(data); {
		end := len(data)
		if nl := bytes.IndexByte(data[start:], '\n'); nl >= 0 {
			end = start + nl + 1
		}
		text := bytes.TrimRight(data[start:end], " \n")
		body := bytes.TrimLeft(text, " ")
		indent := len(text) - len(body)
		lineStart := start
		start = end
		if bytes.HasPrefix(text, []byte("---")) || bytes.HasPrefix(text, []byte("...")) {
			return Profile{}, false
		}
		if len(body) == 0 || body[0] == '#' {
			continue
		}
		if !inList {
			switch {
			case string(text) == "version: 1":
			case string(text) == "profiles:":
				inList = true
			default:
				return Profile{}, false
			}
			continue
		}
		if dash < 0 {
			dash = indent
		}
		switch {
		case indent == dash && bytes.HasPrefix(body, []byte("- ")):
			if n := len(items); n > 0 {
				items[n-1].end = lineStart
			}
			rest := bytes.TrimLeft(body[1:], " ")
			it := profileItem{start: lineStart, end: len(data), keyCol: indent + len(body) - len(rest)}
			it.name, it.named = nameKey(rest)
			items = append(items, it)
		case indent <= dash:
			return Profile{}, false // another top-level key, or an item that is not a mapping
		case indent == items[len(items)-1].keyCol && bytes.HasPrefix(body, []byte("name:")):
			it := &items[len(items)-1]
			if it.named {
				return Profile{}, false // name given twice: the whole file's parse says so
			}
			it.name, it.named = nameKey(body)
		}
	}
	found := -1
	for i, it := range items {
		if !it.named {
			return Profile{}, false
		}
		if string(it.name) == name {
			if found >= 0 {
				return Profile{}, false
			}
			found = i
		}
	}
	if found < 0 {
		return Profile{}, false
	}
	it := items[found]
	d, err := parseDocument(path, append([]byte("profiles:\n"), data[it.start:it.end]...))
	if err != nil || len(d.profiles) != 1 || d.profiles[0].Name != name {
		return Profile{}, false
	}
	return d.profiles[0], true
}

// nameKey reads "name: VALUE" where VALUE is a plain scalar of a profile name's characters, which
// decodes to its own text (not null).
func nameKey(s []byte) ([]byte, bool) {
	v, ok := bytes.CutPrefix(s, []byte("name: "))
	if !ok {
		return nil, false
	}
	v = bytes.Trim(v, " ")
	if len(v) == 0 || !isAlnum(v[0]) || isYAMLNull(v) {
		return nil, false
	}
	for _, c := range v {
		if !isAlnum(c) && !strings.ContainsRune("._@+-", rune(c)) {
			return nil, false
		}
	}
	return v, true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isYAMLNull reports whether a plain scalar is YAML's null (which decodes to an empty name).
func isYAMLNull(v []byte) bool {
	switch string(v) {
	case "null", "Null", "NULL":
		return true
	}
	return false
}
