package demoidp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// authorizationDetailsTypes are the authorization details types the provider knows (RFC 9396 §2),
// advertised as authorization_details_types_supported (§10).
var authorizationDetailsTypes = []string{"account_information", "payment_initiation", "openid_credential"}

// grantExtras is what a request asks for beside its scope: resource indicators (RFC 8707) and
// authorization details (RFC 9396). They go into the access token: the resources as its aud, the
// details as its authorization_details claim and in the token response.
type grantExtras struct {
	resource []string
	details  json.RawMessage // a compact JSON array, nil when none were asked for
}

func invalidDetails(format string, args ...any) *oauthError {
	return badRequest("invalid_authorization_details", fmt.Sprintf(format, args...))
}

// parseExtras reads resource and authorization_details from a request's parameters.
func parseExtras(q url.Values) (grantExtras, *oauthError) {
	var e grantExtras
	var oerr *oauthError
	if e.resource, oerr = parseResources(q["resource"]); oerr != nil {
		return e, oerr
	}
	if q.Has("authorization_details") {
		if e.details, oerr = parseAuthorizationDetails(q.Get("authorization_details")); oerr != nil {
			return e, oerr
		}
	}
	return e, nil
}

// parseResources checks resource indicators: absolute URIs without a fragment (RFC 8707 §2).
func parseResources(values []string) ([]string, *oauthError) {
	var out []string
	for _, v := range values {
		u, err := url.Parse(v)
		switch {
		case err != nil || !u.IsAbs():
			return nil, badRequest("invalid_target", fmt.Sprintf("resource %q is not an absolute URI (RFC 8707 §2)", v))
		case strings.Contains(v, "#"):
			return nil, badRequest("invalid_target", fmt.Sprintf("resource %q has a fragment; RFC 8707 §2 forbids one", v))
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// parseAuthorizationDetails checks authorization_details (RFC 9396 §2, §5): a JSON array of objects,
// each with a type the provider knows and the common members of the right kinds.
func parseAuthorizationDetails(raw string) (json.RawMessage, *oauthError) {
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil, invalidDetails("authorization_details must be a JSON array of objects (RFC 9396 §2): %v", err)
	}
	if len(items) == 0 {
		return nil, invalidDetails("authorization_details is an empty array; send at least one object with a type (RFC 9396 §2)")
	}
	for i, item := range items {
		var obj map[string]any
		if err := json.Unmarshal(item, &obj); err != nil || obj == nil {
			return nil, invalidDetails("authorization_details[%d] is not a JSON object (RFC 9396 §2)", i)
		}
		t, ok := obj["type"].(string)
		switch {
		case !ok || t == "":
			return nil, invalidDetails("authorization_details[%d] has no type (RFC 9396 §2 requires one)", i)
		case !slices.Contains(authorizationDetailsTypes, t):
			return nil, invalidDetails("authorization_details[%d] has the unknown type %q; the provider knows %s (RFC 9396 §5)", i, t, strings.Join(authorizationDetailsTypes, ", "))
		}
		for _, name := range []string{"locations", "actions", "datatypes", "privileges"} {
			if v, ok := obj[name]; ok && !stringList(v) {
				return nil, invalidDetails("authorization_details[%d] (type %q): %s must be an array of strings (RFC 9396 §2.2)", i, t, name)
			}
		}
		if v, ok := obj["identifier"]; ok {
			if _, isString := v.(string); !isString {
				return nil, invalidDetails("authorization_details[%d] (type %q): identifier must be a string (RFC 9396 §2.2)", i, t)
			}
		}
	}
	var out bytes.Buffer
	_ = json.Compact(&out, []byte(raw)) // valid: it decoded above
	return out.Bytes(), nil
}

func stringList(v any) bool {
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

// narrow applies a token request's resource and authorization_details to what was authorized. When
// something was authorized, the token request may only pick among it (RFC 8707 §2.2, RFC 9396 §6.1);
// when nothing was (client_credentials, password, device code), the token request's values stand.
func (e grantExtras) narrow(form url.Values) (grantExtras, *oauthError) {
	asked, oerr := parseExtras(form)
	if oerr != nil {
		return e, oerr
	}
	out := e
	if len(asked.resource) > 0 {
		for _, r := range asked.resource {
			if len(e.resource) > 0 && !slices.Contains(e.resource, r) {
				return e, badRequest("invalid_target", fmt.Sprintf("resource %q was not in the authorization request (which named %s); the token request may only narrow the resources (RFC 8707 §2.2)", r, strings.Join(e.resource, ", ")))
			}
		}
		out.resource = asked.resource
	}
	if asked.details != nil {
		if e.details != nil {
			var granted, wanted []any
			_ = json.Unmarshal(e.details, &granted)
			_ = json.Unmarshal(asked.details, &wanted)
			for i, w := range wanted {
				if !slices.ContainsFunc(granted, func(g any) bool { return reflect.DeepEqual(g, w) }) {
					return e, invalidDetails("authorization_details[%d] of the token request was not authorized; the token request may only pick among the authorized details (RFC 9396 §6.1)", i)
				}
			}
		}
		out.details = asked.details
	}
	return out, nil
}

// audience is the aud of an access token for the grant: the resources asked for (RFC 8707 §2),
// else the issuer.
func (e grantExtras) audience(issuer string) any {
	switch len(e.resource) {
	case 0:
		return issuer
	case 1:
		return e.resource[0]
	}
	return slices.Clone(e.resource)
}
