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
// then parses the whole file. It reads the file once, line by line, keeping only the item being
// read and the one found; most lines (an item's keys) cost a count of their leading spaces.
func profileLines(path string, data []byte, name string) (Profile, bool) {
	if ValidateName(name) != nil || bytes.IndexByte(data, '\t') >= 0 || bytes.IndexByte(data, '\r') >= 0 {
		return Profile{}, false
	}
	var cur, found profileItem
	inList, inItem, dash := false, false, -1
	// done ends the item being read at end: it must be named, and be the only one named name.
	done := func(end int) bool {
		if !inItem {
			return true
		}
		cur.end = end
		if !cur.named || (found.named && string(cur.name) == name) {
			return false
		}
		if string(cur.name) == name {
			found = cur
		}
		return true
	}
	for start := 0; start < len(data); {
		end := len(data)
		if nl := bytes.IndexByte(data[start:], '\n'); nl >= 0 {
			end = start + nl
		}
		line, lineStart := data[start:end], start
		start = end + 1
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		body := line[indent:]
		if indent == 0 && (bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("..."))) {
			return Profile{}, false
		}
		if len(bytes.TrimRight(body, " ")) == 0 || body[0] == '#' {
			continue
		}
		if dash >= 0 && indent > dash {
			// A key of the current item; only its name matters.
			if indent == cur.keyCol && bytes.HasPrefix(body, []byte("name:")) {
				if cur.named {
					return Profile{}, false // name given twice: the whole file's parse says so
				}
				cur.name, cur.named = nameKey(body)
			}
			continue
		}
		text := string(bytes.TrimRight(line, " "))
		if !inList {
			switch text {
			case "version: 1":
			case "profiles:":
				inList = true
			default:
				return Profile{}, false
			}
			continue
		}
		if dash < 0 {
			dash = indent
		}
		if indent != dash || !strings.HasPrefix(text[indent:], "- ") {
			return Profile{}, false // another top-level key, or an item that is not a mapping
		}
		if !done(lineStart) {
			return Profile{}, false
		}
		rest := bytes.TrimLeft(body[1:], " ")
		cur = profileItem{start: lineStart, end: len(data), keyCol: indent + len(body) - len(rest)}
		cur.name, cur.named = nameKey(rest)
		inItem = true
	}
	if !done(len(data)) || !found.named {
		return Profile{}, false
	}
	d, err := parseDocument(path, append([]byte("profiles:\n"), data[found.start:found.end]...))
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
