package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ParseAuthorizationDetails checks an authorization_details value (RFC 9396 §2): a JSON array of
// objects, each with a string type (§2.1: the other common members, where present, of the right
// kind). It returns the value in compact form, as it is sent; an error says what is wrong and where.
func ParseAuthorizationDetails(data []byte) (string, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "", errors.New("authorization_details is empty; RFC 9396 §2 wants a JSON array of objects, each with a type")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return "", fmt.Errorf("authorization_details is not JSON: %v", err)
		}
		return "", fmt.Errorf("authorization_details is a JSON %s; RFC 9396 §2 wants an array of objects, each with a type", jsonKind(v))
	}
	if len(items) == 0 {
		return "", errors.New("authorization_details is an empty array; RFC 9396 §2 wants at least one object with a type")
	}
	for i, raw := range items {
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			var v any
			_ = json.Unmarshal(raw, &v)
			return "", fmt.Errorf("authorization_details[%d] is a JSON %s, not an object (RFC 9396 §2)", i, jsonKind(v))
		}
		t, ok := obj["type"].(string)
		if !ok || t == "" {
			return "", fmt.Errorf("authorization_details[%d] has no type: every object needs a string type naming what it authorizes (RFC 9396 §2)", i)
		}
		for _, name := range []string{"locations", "actions", "datatypes", "privileges"} {
			if v, ok := obj[name]; ok && !stringArray(v) {
				return "", fmt.Errorf("authorization_details[%d] (type %q): %s must be an array of strings (RFC 9396 §2.2)", i, t, name)
			}
		}
		if v, ok := obj["identifier"]; ok {
			if _, isString := v.(string); !isString {
				return "", fmt.Errorf("authorization_details[%d] (type %q): identifier must be a string (RFC 9396 §2.2)", i, t)
			}
		}
	}
	var out bytes.Buffer
	if err := json.Compact(&out, data); err != nil {
		return "", err
	}
	return out.String(), nil
}

func stringArray(v any) bool {
	xs, ok := v.([]any)
	if !ok {
		return false
	}
	for _, x := range xs {
		if _, ok := x.(string); !ok {
			return false
		}
	}
	return true
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// AuthorizationDetails returns the authorization_details the provider granted (RFC 9396 §7), as
// received in the token response, or nil when there are none.
func (t *Token) AuthorizationDetails() any {
	return t.Members["authorization_details"]
}

// ResourceProblem says what is wrong with a resource indicator (RFC 8707 §2: an absolute URI without
// a fragment), or "" when nothing is. tokenbench sends such values all the same, to see what the
// provider says.
func ResourceProblem(resource string) string {
	u, err := url.Parse(resource)
	switch {
	case err != nil:
		return fmt.Sprintf("resource %q is not a URI: %v", resource, err)
	case !u.IsAbs():
		return fmt.Sprintf("resource %q is not an absolute URI (RFC 8707 §2)", resource)
	case strings.Contains(resource, "#"):
		return fmt.Sprintf("resource %q has a fragment, which RFC 8707 §2 forbids", resource)
	}
	return ""
}
