package profiles

import (
	"bufio"
	"bytes"
	"io"
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
	if f, err := os.Open(s.path); err == nil {
		p, ok := profileLines(s.path, f, name)
		f.Close()
		if ok {
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

// profileItem is one item of the profiles list as profileLines finds it: its lines, whether its
// name is a plain scalar on the item's own key column, and whether that name is the one looked for.
type profileItem struct {
	lines  []byte
	keyCol int
	named  bool
	wanted bool
}

// lineLimit is the longest line profileLines reads; a file with a longer one is parsed whole.
const lineLimit = 64 << 10

// profileLines finds the named profile in a profile file by its lines alone and parses only those,
// with the same decoding and checks as a whole file's. It reports false whenever the file is not
// of the plain shape it understands or the answer is not certain (no item of that name, two, an
// item whose name it cannot read, a document marker, a tab, a second top-level key, a line over
// lineLimit): the caller then parses the whole file. It reads the file once, line by line, keeping
// only the item being read and the one found (a file of thousands of profiles is never held
// whole); most lines (an item's keys) cost a count of their leading spaces.
func profileLines(path string, r io.Reader, name string) (Profile, bool) {
	if ValidateName(name) != nil {
		return Profile{}, false
	}
	var cur, found profileItem
	inList, inItem, dash := false, false, -1
	// done ends the item being read: it must be named, and be the only one named name.
	done := func() bool {
		if !inItem {
			return true
		}
		if !cur.named || (found.wanted && cur.wanted) {
			return false
		}
		if cur.wanted {
			found = profileItem{lines: bytes.Clone(cur.lines), named: true, wanted: true}
		}
		return true
	}
	pr := &plainReader{r: r}
	br := bufio.NewReaderSize(pr, lineLimit)
	for {
		raw, err := br.ReadSlice('\n')
		if pr.odd {
			return Profile{}, false
		}
		if err != nil && (err != io.EOF || len(raw) == 0) {
			if err != io.EOF {
				return Profile{}, false // a line over lineLimit, or a read error
			}
			break
		}
		line := bytes.TrimSuffix(raw, []byte("\n"))
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		body := line[indent:]
		if indent == 0 && (bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("..."))) {
			return Profile{}, false
		}
		blank := len(bytes.TrimRight(body, " ")) == 0 || body[0] == '#'
		if dash >= 0 && (blank || indent > dash) {
			// A key of the current item (or a blank line or comment, kept with it); only its name
			// matters.
			if inItem && (cur.wanted || !cur.named) {
				// Only the lines of an item that may be the one looked for are kept.
				cur.lines = append(cur.lines, raw...)
			}
			if !blank && indent == cur.keyCol && bytes.HasPrefix(body, []byte("name:")) {
				if cur.named {
					return Profile{}, false // name given twice: the whole file's parse says so
				}
				cur.setName(body, name)
			}
			continue
		}
		if blank {
			continue
		}
		text := bytes.TrimRight(line, " ")
		if !inList {
			switch string(text) {
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
		if indent != dash || !bytes.HasPrefix(text[indent:], []byte("- ")) || !done() {
			return Profile{}, false // another top-level key, an item that is not a mapping, a name twice
		}
		rest := bytes.TrimLeft(body[1:], " ")
		cur = profileItem{lines: append(cur.lines[:0], raw...), keyCol: indent + len(body) - len(rest)}
		cur.setName(rest, name)
		inItem = true
	}
	if !done() || !found.wanted {
		return Profile{}, false
	}
	d, err := parseDocument(path, append([]byte("profiles:\n"), found.lines...))
	if err != nil || len(d.profiles) != 1 || d.profiles[0].Name != name {
		return Profile{}, false
	}
	return d.profiles[0], true
}

// plainReader passes a file through, noting whether it holds a tab or a carriage return, which
// profileLines leaves to the whole parse. It looks at each read's bytes at once: per line, the
// search would cost more than the scan.
type plainReader struct {
	r   io.Reader
	odd bool
}

func (p *plainReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if bytes.IndexByte(b[:n], '\t') >= 0 || bytes.IndexByte(b[:n], '\r') >= 0 {
		p.odd = true
	}
	return n, err
}

// setName reads the item's name from a "name: VALUE" key.
func (it *profileItem) setName(key []byte, want string) {
	var n []byte
	n, it.named = nameKey(key)
	it.wanted = it.named && string(n) == want
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
