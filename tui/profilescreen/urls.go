package profilescreen

import (
	"strings"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// The URLs a profile resolves to, for the form's "Resolves to" block.

// expandedURLs are the URLs a profile resolves to: the preset expanded with its parameters
// (Preset.Expand, through Settings) with the profile's overrides laid over it. While a parameter
// is missing or invalid, the preset's templates are shown with what is known filled in.
func expandedURLs(p profiles.Profile) ([]urlLine, string) {
	set, err := p.Settings()
	if err != nil {
		return templateURLs(p), "the URLs are complete once the parameters are"
	}
	var lines []urlLine
	issuer, discovery := set.Issuer, ""
	switch {
	case set.Preset != nil && p.Issuer == "":
		issuer, discovery = set.Preset.Issuer, set.Preset.DiscoveryURL
	case strings.Contains(issuer, "/.well-known/"):
		discovery = issuer
	case issuer != "":
		if urls := mustDiscoveryURLs(issuer); len(urls) > 0 {
			discovery = urls[0]
		}
	}
	if issuer != "" {
		lines = append(lines, urlLine{label: "issuer", url: issuer, override: p.Issuer != "" && p.Preset != ""})
	}
	if discovery != "" {
		lines = append(lines, urlLine{label: "discovery", url: discovery})
	}
	own := p.Endpoints.Flows().List()
	for i, e := range set.Endpoints.List() {
		if e.URL != "" {
			lines = append(lines, urlLine{label: e.Name, url: e.URL, override: own[i].URL != ""})
		}
	}
	note := ""
	switch {
	case len(lines) == 0:
		note = "choose a preset, or type the issuer"
	case set.Preset != nil && set.Preset.Quirks.NoDiscovery:
		note = "this vendor has no usable discovery: the endpoints above are used as they are"
	case len(lines) < 10:
		note = "the other endpoints come from discovery"
	}
	return lines, note
}

// templateURLs is the preset's templates with the parameters known filled in.
func templateURLs(p profiles.Profile) []urlLine {
	pr, ok := profiles.LookupPreset(p.Preset)
	if !ok {
		if p.Issuer != "" {
			return []urlLine{{label: "issuer", url: p.Issuer}}
		}
		return nil
	}
	values := map[string]string{}
	for _, pp := range pr.Params {
		if v := p.Params[pp.Name]; v != "" {
			values[pp.Name] = v
		} else if pp.Default != "" {
			values[pp.Name] = pp.Default
		}
	}
	fill := func(t string) string {
		for k, v := range values {
			t = strings.ReplaceAll(t, "{"+k+"}", v)
		}
		return t
	}
	issuer := fill(pr.Issuer)
	values["issuer"] = issuer
	lines := []urlLine{{label: "issuer", url: issuer}}
	if pr.Discovery != "" {
		lines = append(lines, urlLine{label: "discovery", url: fill(pr.Discovery)})
	}
	for _, name := range flows.EndpointNames() {
		if t, ok := pr.Endpoints[name]; ok && t != "" {
			lines = append(lines, urlLine{label: name, url: fill(t)})
		}
	}
	return lines
}
