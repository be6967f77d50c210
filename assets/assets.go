// Package assets holds tokenbench's embedded data: plain-language explanations of OAuth 2.0,
// OpenID Connect and transport errors (explanations.yaml), the Learn text of each flow step
// (steps.yaml), and the page the loopback callback listener answers the browser with
// (callback.html).
//
// The package is data only: it imports nothing from the rest of tokenbench, so flows, profiles and
// the TUI can all depend on it.
package assets

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed explanations.yaml
var explanationsYAML []byte

//go:embed callback.html
var callbackHTML string

// Explanation says what an error means and what to check.
type Explanation struct {
	Code    string   `yaml:"-"` // the key
	Title   string   // one line, plain language: "The authorization code was rejected"
	Meaning string   // 1–3 sentences: what the server/transport is telling you
	Causes  []string // likely causes, most likely first, concrete (name real misconfigurations, vendor habits)
	Checks  []string // what to check / do next, concrete
	Spec    string   // e.g. "RFC 6749 §5.2"; "tokenbench" for the tool's own failure kinds
}

// explanations parses explanations.yaml on first use. The file is embedded at build time and the
// package's tests parse it, so a parse error here is a build defect and panics.
var explanations = sync.OnceValue(func() map[string]Explanation {
	m, err := parseExplanations(explanationsYAML)
	if err != nil {
		panic(fmt.Sprintf("assets: explanations.yaml: %v", err))
	}
	return m
})

// parseExplanations decodes a YAML map of code to explanation, rejecting unknown fields (and, through
// the YAML decoder, duplicate keys), and fills in each entry's Code from its key.
func parseExplanations(data []byte) (map[string]Explanation, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var m map[string]Explanation
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("no explanations")
	}
	for code, e := range m {
		e.Code = code
		m[code] = e
	}
	return m, nil
}

// Explain returns the explanation for an OAuth / OpenID Connect error code (the "error" member or
// parameter, e.g. "invalid_grant") or a tokenbench failure kind (e.g. "tls_unknown_authority").
// The code is looked up as given and, failing that, trimmed and lower-cased, since some servers
// send codes in upper case. The returned slices are copies the caller may modify.
func Explain(code string) (Explanation, bool) {
	m := explanations()
	e, ok := m[code]
	if !ok {
		e, ok = m[strings.ToLower(strings.TrimSpace(code))]
	}
	if !ok {
		return Explanation{}, false
	}
	e.Causes = slices.Clone(e.Causes)
	e.Checks = slices.Clone(e.Checks)
	return e, true
}

// CallbackPage is the HTML page the loopback listener answers the browser with after receiving the
// authorization response. Execute it with a value of type
//
//	struct{ OK bool; Title, Detail string }
//
// OK reports whether the response was usable. When OK is false, Title (one line, e.g. an
// Explanation's Title) and Detail (e.g. the error and error_description) say what went wrong; when
// OK is true, Detail, if not empty, is shown under the confirmation. All values are escaped. It is
// parsed on first use: most commands never listen for a callback.
var CallbackPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("callback.html").Parse(callbackHTML))
})
