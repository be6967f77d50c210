package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeProfileFile writes content as the profile file of a new configuration directory.
func writeProfileFile(t *testing.T, content string) string {
	t.Helper()
	dir := testDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestOpenProfileIsOpenAndGet: whichever way OpenProfile finds a profile (by its lines, or by
// reading the whole file), it is the profile Open and Get give, and the Store then lists them all.
func TestOpenProfileIsOpenAndGet(t *testing.T) {
	saved := testDir(t)
	st := openStore(t, saved)
	full := fullProfile(t, "full")
	for _, p := range []Profile{simpleProfile("a"), full, simpleProfile("b-2")} {
		if err := st.Put(p); err != nil {
			t.Fatal(err)
		}
	}
	written, err := os.ReadFile(filepath.Join(saved, FileName))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"as written":                             string(written),
		"commented, keys after name, no version": "# mine\nprofiles:\n  # the first\n  - issuer: https://idp.example.com\n    name: a\n    scopes:\n    - openid\n    notes: |\n      name: not-a\n\n  # b\n  - name: b-2\n    client_id: x\n  -   name: full\n      client_id: y\n",
		"an alias":                               "version: 1\nx-base: &base {issuer: https://idp.example.com}\nprofiles:\n  - name: a\n    <<: *base\n  - name: full\n    client_id: y\n  - name: b-2\n",
		"quoted names, flow items":               "version: 1\nprofiles:\n  - name: \"a\"\n  - {name: b-2}\n  - name: 'full'\n",
		"items at column 0, crlf":                "version: 1\r\nprofiles:\r\n- name: a\r\n- name: b-2\r\n- name: full\r\n",
		"a line longer than the scan reads":      "version: 1\nprofiles:\n  - name: a\n    notes: " + strings.Repeat("x", lineLimit+1) + "\n  - name: b-2\n  - name: full\n",
	}
	byLines := map[string]bool{"as written": true, "commented, keys after name, no version": true}
	for what, content := range files {
		t.Run(what, func(t *testing.T) {
			dir := writeProfileFile(t, content)
			want := openStore(t, dir)
			for _, name := range []string{"a", "b-2", "full"} {
				w, err := want.Get(name)
				if err != nil {
					t.Fatal(err)
				}
				s, got, err := OpenProfile(dir, name)
				if err != nil {
					t.Fatalf("OpenProfile %s: %v", name, err)
				}
				if s.unread != byLines[what] {
					t.Errorf("found by its lines: %v, want %v", s.unread, byLines[what])
				}
				if !sameProfile(got, w) {
					t.Errorf("OpenProfile %s:\n%#v\nOpen and Get:\n%#v", name, got, w)
				}
				if n := len(s.List()); n != 3 {
					t.Errorf("the store lists %d profiles, want 3", n)
				}
			}
		})
	}
}

// TestOpenProfileLeavesTheRestForLater: the profile is found by its own lines even when the rest
// of the file does not load; the Store says so on first use and writes nothing.
func TestOpenProfileLeavesTheRestForLater(t *testing.T) {
	content := "version: 1\nprofiles:\n  - name: a\n    issuer: https://idp.example.com\n  - name: b\n    scopes:\n      openid: true\n"
	dir := writeProfileFile(t, content)
	s, p, err := OpenProfile(dir, "a")
	if err != nil || p.Issuer != "https://idp.example.com" {
		t.Fatalf("OpenProfile: %+v, %v", p, err)
	}
	var le *LoadError
	if err := s.Err(); !errors.As(err, &le) || le.Line != 7 {
		t.Fatalf("Err after OpenProfile: %v, want the load error of line 7", err)
	}
	if n := len(s.List()); n != 0 {
		t.Errorf("List of a file that does not load: %d profiles", n)
	}
	if err := s.Put(simpleProfile("c")); err == nil {
		t.Error("Put saved into a file that does not load")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, FileName)); string(got) != content {
		t.Errorf("the file changed:\n%s", got)
	}
}

// TestOpenProfileReadsTheWholeFileWhenUnsure: a name given twice, a name not there, a version this
// tokenbench does not read are answered as Open and Get answer them.
func TestOpenProfileReadsTheWholeFileWhenUnsure(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"two of the name", "version: 1\nprofiles:\n  - name: a\n  - name: b\n  - name: a\n", `a second profile named "a"`},
		{"one quoted", "version: 1\nprofiles:\n  - name: a\n  - name: \"a\"\n", `a second profile named "a"`},
		{"name given twice", "version: 1\nprofiles:\n  - name: b\n    name: a\n  - name: a\n", "mapping key \"name\" already defined"},
		{"newer version", "version: 2\nprofiles:\n  - name: a\n", "version 2 is newer"},
		{"not there", "version: 1\nprofiles:\n  - name: b\n", `no profile named "a"`},
		{"a second document", "version: 1\nprofiles:\n  - name: a\n---\nversion: 1\n", "a second YAML document"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _, err := OpenProfile(writeProfileFile(t, tc.content), "a")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("OpenProfile: %v, want %q", err, tc.want)
			}
			if !errors.Is(err, ErrNotFound) && s.Err() == nil {
				t.Error("the store does not hold the load error")
			}
		})
	}
}
