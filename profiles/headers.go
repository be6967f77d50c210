package profiles

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// ParseHeader reads one header written "Name: value", as curl's -H takes it. The name must be an
// HTTP token (RFC 9110 §5.1) and not one the HTTP client or the client authentication sets
// (Authorization, Content-Type, Content-Length, Host, DPoP); the value may not hold a line break.
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	switch {
	case !ok || name == "":
		return "", "", fmt.Errorf("%q: expected Name: value", s)
	case !headerNameRE().MatchString(name):
		return "", "", fmt.Errorf("%q is not a header name", name)
	case slices.Contains(reservedHeaders, http.CanonicalHeaderKey(name)):
		return "", "", fmt.Errorf("%s is set by the HTTP client or the client authentication", name)
	case strings.ContainsAny(value, "\r\n\x00"):
		return "", "", fmt.Errorf("the value of %s holds a line break", name)
	}
	return name, value, nil
}

// ParseHeaders reads headers written "Name: value" (ParseHeader) into an http.Header; a name given
// twice keeps both values. It returns nil for none.
func ParseHeaders(lines []string) (http.Header, error) {
	var h http.Header
	for _, l := range lines {
		name, value, err := ParseHeader(l)
		if err != nil {
			return nil, err
		}
		if h == nil {
			h = http.Header{}
		}
		h.Add(name, value)
	}
	return h, nil
}

// layHeaders returns base with the names in over replaced by over's values.
func layHeaders(base, over http.Header) http.Header {
	if len(over) == 0 {
		return base
	}
	out := base.Clone()
	if out == nil {
		out = http.Header{}
	}
	for k, vs := range over {
		out[k] = slices.Clone(vs)
	}
	return out
}
