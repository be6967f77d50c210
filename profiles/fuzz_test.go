package profiles

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"
)

// FuzzParseProfiles feeds the profile file parser (which reads files from colleagues, through
// profile import) arbitrary input: it must never panic, and a file it loads must survive being
// written back and exported: what it writes, it reads.
func FuzzParseProfiles(f *testing.F) {
	f.Add([]byte(newerFile))
	f.Add([]byte("version: 1\nprofiles:\n  - name: a\n    issuer: https://idp.example.com\n    scopes: [openid]\n    auth_params: {prompt: [login]}\n"))
	f.Add([]byte("version: 1\nx: &a {k: v}\nprofiles:\n  - &p {name: a, extra: *a}\n  - *p\n"))
	f.Add([]byte("# only a comment\n"))
	f.Add([]byte("version: 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			fuzzOne(t, data)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("no answer within 5s for %q", data)
		}
	})
}

// fuzzOne checks one input: it loads or not, and what loads is written back and exported loadably.
func fuzzOne(t *testing.T, data []byte) {
	d, err := parseDocument("fuzz.yaml", data)
	if err != nil {
		return
	}
	names := func(ps []Profile) []string {
		var n []string
		for _, p := range ps {
			n = append(n, p.Name)
		}
		return n
	}
	out, err := d.marshal()
	if err != nil {
		return // e.g. excessive aliasing: then nothing is written (mutate refuses)
	}
	back, err := parseDocument("fuzz.yaml", out)
	if err != nil {
		t.Errorf("what was written does not load: %v\ninput:\n%q\nwritten:\n%s", err, data, out)
		return
	}
	if !slices.Equal(names(back.profiles), names(d.profiles)) {
		t.Errorf("the profiles changed: %v → %v", names(d.profiles), names(back.profiles))
	}
	exported, err := Export(d.profiles)
	if err != nil {
		return
	}
	if _, err := ParseProfiles("export.yaml", exported); err != nil {
		t.Errorf("an export does not load: %v\n%s", err, exported)
	}
}

// FuzzProfileLines: when OpenProfile's line scan finds a profile in a file that loads whole, it is
// the profile the whole file's parse gives, and no other file's parse disagrees about its name.
func FuzzProfileLines(f *testing.F) {
	f.Add([]byte("version: 1\nprofiles:\n  - name: a\n    issuer: https://idp.example.com\n  - name: b\n    client_id: x\n"), "a")
	f.Add([]byte("profiles:\n  # the first\n  - issuer: https://idp.example.com\n    name: a\n    notes: |\n      name: b\n  -   name: b\n      client_id: y\n"), "b")
	f.Add([]byte("version: 1\nprofiles:\n- name: a\n-\n  name: b\n"), "b")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		p, ok := profileLines("fuzz.yaml", bytes.NewReader(data), name)
		if !ok {
			return
		}
		d, err := parseDocument("fuzz.yaml", data)
		if err != nil {
			return // reported on the store's first use
		}
		i := d.index(name)
		if i < 0 {
			t.Fatalf("the line scan found %q, the whole parse did not:\n%s", name, data)
		}
		want := d.profiles[i]
		p.raw, want.raw = nil, nil
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("the line scan gave %+v, the whole parse %+v:\n%s", p, want, data)
		}
	})
}
