package assets

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed steps.yaml
var stepsYAML []byte

// StepText is the Learn text of one flow step: what it does, what to look at, and where it is
// specified.
type StepText struct {
	Name  string   `yaml:"-"` // the key
	Title string   // the step's name as shown
	Does  string   // what the step does, in plain sentences
	Look  []string // what to look at in the request and the response
	Spec  string   // the RFC or specification sections
}

// steps parses steps.yaml on first use; the package's tests parse it, so an error here is a build
// defect and panics.
var steps = sync.OnceValue(func() map[string]StepText {
	m, err := parseSteps(stepsYAML)
	if err != nil {
		panic(fmt.Sprintf("assets: steps.yaml: %v", err))
	}
	return m
})

func parseSteps(data []byte) (map[string]StepText, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var m map[string]StepText
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for name, s := range m {
		s.Name = name
		m[name] = s
	}
	return m, nil
}

// Step returns the Learn text of a step by name ("discover", "token", "device" …).
func Step(name string) (StepText, bool) {
	s, ok := steps()[name]
	if ok {
		s.Look = append([]string(nil), s.Look...)
	}
	return s, ok
}
