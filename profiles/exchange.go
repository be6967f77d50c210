package profiles

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tokenbench/tokenbench/flows"
	"go.yaml.in/yaml/v3"
)

// exportComment heads an exported file.
const exportComment = `tokenbench profiles, exported without their client secrets.
Import them with: tokenbench profile import FILE
then give each confidential client its secret, e.g.:
  tokenbench profile edit NAME --client-secret-ref keyring:   (or env:NAME, file:PATH, cmd:COMMAND)`

// Export returns profiles as a profile file (version 1) for another machine or colleague, each
// without its client secret reference: a plain: secret must not leave the machine, and a keyring,
// environment, file or command reference means nothing elsewhere; the importer sets their own.
// The auth method is no secret and stays: one that was inferred from the secret is written out, so
// that the imported copy is not silently a public client. Keys a newer version wrote are kept.
func Export(ps []Profile) ([]byte, error) {
	top := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	d := &document{root: &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{top}, HeadComment: exportComment}, top: top}
	d.ensureList()
	for _, p := range ps {
		q := p.Clone()
		if q.ClientSecret != "" {
			q.AuthMethod = methodWithSecret(p)
		}
		q.ClientSecret, q.AllowPlainSecret = "", false
		if err := d.add(q); err != nil {
			return nil, fmt.Errorf("profile %q: %w", p.Name, err)
		}
	}
	return d.marshal()
}

// methodWithSecret is the auth method of p, which has a client secret, as it is written in the
// profile: its own, or client_secret_basic where it leaves the choice to flows, which picks that for
// a client with a secret (RFC 6749 §2.3.1). A method from the preset or the signing key stays
// implied: the imported copy has the same preset and key.
func methodWithSecret(p Profile) flows.AuthMethod {
	if set, err := p.Settings(); err == nil && set.AuthMethod == "" {
		return flows.AuthClientSecretBasic
	}
	return p.AuthMethod
}

// ParseProfiles reads profiles from a file in the profile file's format (an export, or a copy of
// profiles.yaml); name is the file's name for messages. Errors are *LoadError with the line.
func ParseProfiles(name string, data []byte) ([]Profile, error) {
	d, err := parseDocument(name, data)
	if err != nil {
		return nil, err
	}
	return d.profiles, nil
}

// ClashAction is what an import does with a profile whose name is taken.
type ClashAction int

// The clash actions.
const (
	// ClashRefuse refuses the whole import; nothing is written.
	ClashRefuse ClashAction = iota
	// ClashRename imports the profile under the first free name NAME-2, NAME-3, …
	ClashRename
	// ClashReplace replaces the existing profile.
	ClashReplace
	// ClashSkip leaves the existing profile and does not import this one.
	ClashSkip
)

// ImportOptions say what to do with name clashes: Decisions by name (from asking the user), else
// OnClash.
type ImportOptions struct {
	OnClash   ClashAction
	Decisions map[string]ClashAction
}

// ImportResult says what an import did.
type ImportResult struct {
	Added    []string
	Replaced []string
	Renamed  []Renamed
	Skipped  []string
}

// Renamed is a profile imported under another name.
type Renamed struct{ From, To string }

// ClashError is an import refused because profiles of these names exist.
type ClashError struct{ Names []string }

// Error names the profiles whose names are taken.
func (e *ClashError) Error() string {
	if len(e.Names) == 1 {
		return fmt.Sprintf("a profile named %q already exists; nothing was imported", e.Names[0])
	}
	return fmt.Sprintf("profiles named %s already exist; nothing was imported", strings.Join(quoteAll(e.Names), ", "))
}

func quoteAll(names []string) []string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return q
}

// Import saves ps in one change: all of them or, when a clash is refused or a profile is invalid,
// none. Imported profiles are validated, except that a confidential client may lack its secret
// reference (exports leave them out).
func (s *Store) Import(ps []Profile, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	seen := map[string]bool{}
	for _, p := range ps {
		if err := p.validate(false); err != nil {
			return res, fmt.Errorf("profile %q: %w", p.Name, err)
		}
		if seen[p.Name] {
			return res, fmt.Errorf("the import holds two profiles named %q", p.Name)
		}
		seen[p.Name] = true
	}
	err := s.mutate(func(d *document) error {
		res = ImportResult{}
		var refused []string
		for _, p := range ps {
			if d.index(p.Name) >= 0 && opts.action(p.Name) == ClashRefuse {
				refused = append(refused, p.Name)
			}
		}
		if len(refused) > 0 {
			return &ClashError{Names: refused}
		}
		for _, p := range ps {
			if err := importOne(d, p, opts, seen, &res); err != nil {
				return fmt.Errorf("profile %q: %w", p.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

func (o ImportOptions) action(name string) ClashAction {
	if a, ok := o.Decisions[name]; ok {
		return a
	}
	return o.OnClash
}

// importOne adds, replaces, renames or skips one profile; batch holds the import's own names, which
// a renamed profile must not take either.
func importOne(d *document, p Profile, opts ImportOptions, batch map[string]bool, res *ImportResult) error {
	i := d.index(p.Name)
	if i < 0 {
		res.Added = append(res.Added, p.Name)
		return d.add(p)
	}
	switch opts.action(p.Name) {
	case ClashReplace:
		res.Replaced = append(res.Replaced, p.Name)
		return d.replace(i, p)
	case ClashSkip:
		res.Skipped = append(res.Skipped, p.Name)
		return nil
	case ClashRename:
		q := p.Clone()
		q.Name = freeName(d, batch, p.Name)
		if err := ValidateName(q.Name); err != nil {
			return err
		}
		if q.ClientSecret.Kind() == SecretKeyring && q.ClientSecret.Target() == "" {
			q.ClientSecret = SecretRef("keyring:" + p.Name) // the account stays the original name
		}
		batch[q.Name] = true
		res.Renamed = append(res.Renamed, Renamed{From: p.Name, To: q.Name})
		return d.add(q)
	}
	return errors.New("refused: the name is taken")
}

// freeName is the first of NAME-2, NAME-3, … taken neither in the file nor by the import.
func freeName(d *document, batch map[string]bool, name string) string {
	for n := 2; ; n++ {
		c := name + "-" + strconv.Itoa(n)
		if d.index(c) < 0 && !batch[c] {
			return c
		}
	}
}
