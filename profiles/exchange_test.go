package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestExportImportRoundTripWithoutSecrets(t *testing.T) {
	src := openStore(t, testDir(t))
	full := fullProfile(t, "full") // plain:s3cret-value
	refs := map[string]SecretRef{
		"kr":   "keyring:",
		"kr2":  "keyring:shared-account",
		"env":  "env:ACME_CLIENT_SECRET",
		"file": "file:/home/me/.secrets/acme-client",
		"cmd":  "cmd:pass show acme/client",
	}
	if err := src.Add(full); err != nil {
		t.Fatal(err)
	}
	for name, ref := range refs {
		p := simpleProfile(name)
		p.ClientSecret = ref
		if err := src.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	data, err := Export(src.List())
	if err != nil {
		t.Fatal(err)
	}
	// The heading comment says how to set a secret after importing; the profiles hold none.
	var body []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "#") {
			body = append(body, line)
		}
	}
	for _, banned := range []string{"s3cret-value", "plain:", "allow_plain_secret", "client_secret:", "keyring:", "shared-account", "ACME_CLIENT_SECRET", ".secrets/acme-client", "pass show"} {
		if strings.Contains(strings.Join(body, "\n"), banned) {
			t.Errorf("the export holds %q:\n%s", banned, data)
		}
	}
	if !strings.HasPrefix(string(data), "# tokenbench profiles, exported without their client secrets.") {
		t.Errorf("the export does not say what it is:\n%s", data)
	}

	got, err := ParseProfiles("export.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, testDir(t))
	res, err := dst.Import(got, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 6 {
		t.Errorf("added %v", res.Added)
	}
	for _, want := range src.List() {
		p, err := dst.Get(want.Name)
		if err != nil {
			t.Fatal(err)
		}
		want.ClientSecret, want.AllowPlainSecret = "", false
		if want.AuthMethod == "" {
			want.AuthMethod = flows.AuthClientSecretBasic // inferred from the secret, now written out
		}
		if !sameProfile(p, want) {
			t.Errorf("%s after import:\n got %+v\nwant %+v", want.Name, p, want)
		}
	}
}

// The auth method is no secret: one inferred from the secret is written out, so that the imported
// copy, without the secret, still needs one instead of turning into a public client; one implied by
// the preset or the signing key stays implied, since the copy has those too.
func TestExportKeepsTheAuthMethod(t *testing.T) {
	withKey := simpleProfile("with-key")
	withKey.ClientSecret, withKey.SigningKey = "", demoidptest.KeyPath(t, demoidptest.ClientKeyRSA)
	preset := Profile{Name: "preset", Preset: "oneaccess", Params: map[string]string{"domain": "idaas.example.com"}, ClientID: "c", ClientSecret: "env:S"}
	post := simpleProfile("post")
	post.AuthMethod = flows.AuthClientSecretPost
	public := simpleProfile("public")
	public.ClientSecret = ""
	for _, tc := range []struct {
		p          Profile
		written    flows.AuthMethod // auth_method in the export
		effective  flows.AuthMethod // the imported copy's method
		needSecret bool
	}{
		{simpleProfile("inferred"), flows.AuthClientSecretBasic, flows.AuthClientSecretBasic, true},
		{post, flows.AuthClientSecretPost, flows.AuthClientSecretPost, true},
		{preset, "", flows.AuthClientSecretPost, true},
		{withKey, "", flows.AuthPrivateKeyJWT, false},
		{public, "", "", false},
	} {
		data, err := Export([]Profile{tc.p})
		if err != nil {
			t.Fatal(err)
		}
		ps, err := ParseProfiles("export.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		got := ps[0]
		set, err := got.Settings()
		if err != nil {
			t.Fatal(err)
		}
		if got.AuthMethod != tc.written || set.AuthMethod != tc.effective {
			t.Errorf("%s: exported auth_method %q, effective %q; want %q, %q\n%s", tc.p.Name, got.AuthMethod, set.AuthMethod, tc.written, tc.effective, data)
		}
		var fe *FieldError
		if needs := errors.As(got.Validate(), &fe) && fe.Field == "client_secret"; needs != tc.needSecret {
			t.Errorf("%s: the imported copy needs a secret: %v, want %v (%v)", tc.p.Name, needs, tc.needSecret, got.Validate())
		}
	}
}

func TestExportKeepsUnknownFields(t *testing.T) {
	ps, err := ParseProfiles("newer.yaml", []byte(newerFile))
	if err != nil {
		t.Fatal(err)
	}
	data, err := Export(ps[:1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"attestation:", "alg: ES256", "par: https://idp.acme.example/par", "min_version:"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the export lost %q:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "ACME_SECRET") {
		t.Errorf("the export holds the reference:\n%s", data)
	}
}

func TestImportNameClash(t *testing.T) {
	newStore := func(t *testing.T) *Store {
		s := openStore(t, testDir(t))
		for _, n := range []string{"acme", "acme-2", "beta"} {
			if err := s.Add(simpleProfile(n)); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	incoming := func() []Profile {
		a := simpleProfile("acme")
		a.ClientID = "imported-acme"
		a.ClientSecret = "keyring:"
		b := simpleProfile("gamma")
		return []Profile{a, b}
	}

	t.Run("refused", func(t *testing.T) {
		s := newStore(t)
		before, _ := os.ReadFile(s.Path())
		_, err := s.Import(incoming(), ImportOptions{})
		var ce *ClashError
		if !errors.As(err, &ce) || !reflect.DeepEqual(ce.Names, []string{"acme"}) || !strings.Contains(err.Error(), `"acme" already exists; nothing was imported`) {
			t.Fatalf("Import: %v", err)
		}
		after, _ := os.ReadFile(s.Path())
		if string(after) != string(before) {
			t.Errorf("a refused import changed the file")
		}
	})
	t.Run("renamed", func(t *testing.T) {
		s := newStore(t)
		res, err := s.Import(incoming(), ImportOptions{OnClash: ClashRename})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.Renamed, []Renamed{{From: "acme", To: "acme-3"}}) || !reflect.DeepEqual(res.Added, []string{"gamma"}) {
			t.Errorf("result %+v", res)
		}
		p, err := s.Get("acme-3")
		if err != nil || p.ClientID != "imported-acme" || p.ClientSecret != "keyring:acme" {
			t.Errorf("the renamed one: %+v, %v", p, err)
		}
		if p, _ := s.Get("acme"); p.ClientID != "client-acme" {
			t.Errorf("the existing one changed: %+v", p)
		}
	})
	t.Run("replaced", func(t *testing.T) {
		s := newStore(t)
		res, err := s.Import(incoming(), ImportOptions{OnClash: ClashReplace})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.Replaced, []string{"acme"}) {
			t.Errorf("result %+v", res)
		}
		if p, _ := s.Get("acme"); p.ClientID != "imported-acme" {
			t.Errorf("not replaced: %+v", p)
		}
		if n := len(s.List()); n != 4 {
			t.Errorf("%d profiles", n)
		}
	})
	t.Run("asked", func(t *testing.T) {
		s := newStore(t)
		res, err := s.Import(incoming(), ImportOptions{Decisions: map[string]ClashAction{"acme": ClashSkip}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.Skipped, []string{"acme"}) || !reflect.DeepEqual(res.Added, []string{"gamma"}) {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("invalid profile refuses all", func(t *testing.T) {
		s := newStore(t)
		ps := incoming()
		ps[1].Issuer = "nope"
		_, err := s.Import(ps, ImportOptions{OnClash: ClashReplace})
		wantField(t, err, "issuer")
		if !strings.Contains(err.Error(), `profile "gamma"`) {
			t.Errorf("the error does not name the profile: %v", err)
		}
		if _, err := s.Get("gamma"); err == nil {
			t.Error("part of a refused import was saved")
		}
	})
}

func TestParseProfilesNamesFileAndLine(t *testing.T) {
	_, err := ParseProfiles("/tmp/x.yaml", []byte("version: 1\nprofiles:\n  - name: a\n    scopes: {a: b}\n"))
	var le *LoadError
	if !errors.As(err, &le) || le.Path != "/tmp/x.yaml" || le.Line != 4 {
		t.Errorf("%v", err)
	}
	if _, err := ParseProfiles(filepath.Join("a", "b"), []byte("version: 3\n")); err == nil {
		t.Error("a newer version was accepted")
	}
}
