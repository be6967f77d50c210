package main

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"github.com/tokenbench/tokenbench/flows"
)

// responseFlags choose the authorization request's response_type and response_mode.
type responseFlags struct {
	responseType string
	responseMode string
}

func (f *responseFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.responseType, "response-type", "", `response_type: code (default), "code id_token", id_token, "id_token token", "code token", "code id_token token"; the id_token of an implicit or hybrid response is checked with c_hash and at_hash`)
	fs.StringVar(&f.responseMode, "response-mode", "", "response_mode: query, fragment, form_post, or the JWT-secured (JARM) jwt, query.jwt, fragment.jwt, form_post.jwt; the loopback listener captures each")
}

// apply sets the response type and mode in the client's configuration; they belong to the
// authorization code grant's front channel.
func (f *responseFlags) apply(c *flows.Client, grant string) error {
	if f.responseType == "" && f.responseMode == "" {
		return nil
	}
	if grant != flows.GrantAuthorizationCode {
		return usagef("--response-type and --response-mode apply to --grant authorization_code only")
	}
	if f.responseType != "" {
		rt, ok := flows.NormalizeResponseType(f.responseType)
		if !ok {
			return usagef("unknown --response-type %q; use %s", f.responseType, strings.Join(quoted(flows.ResponseTypes), ", "))
		}
		c.Config.ResponseType = rt
	}
	if f.responseMode != "" {
		if !slices.Contains(flows.ResponseModes, f.responseMode) {
			return usagef("unknown --response-mode %q; use %s", f.responseMode, strings.Join(flows.ResponseModes, ", "))
		}
		c.Config.ResponseMode = f.responseMode
	}
	return nil
}

func quoted(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if strings.Contains(s, " ") {
			s = `"` + s + `"`
		}
		out[i] = s
	}
	return out
}

// printAuthResponse prints the checks on an authorization response: the JARM response JWT's, the
// state and iss checks, and the front-channel id_token's.
func printAuthResponse(e *env, res *flows.AuthResponse) {
	if res.JARM != nil {
		printChecks(e.stderr, "JARM response checks", res.JARM.Checks)
	}
	printChecks(e.stderr, "authorization response checks", res.Checks)
	if res.Front != nil && res.Front.IDTokenReport != nil {
		printChecks(e.stderr, "front-channel id_token checks (response_type "+res.Front.ResponseType+")", res.Front.IDTokenReport.Checks)
	}
}

// frontChannelRun is the result of an implicit response (no code to exchange): its tokens printed
// as a token response would be. The id_token was validated with the response.
func frontChannelRun(res *flows.AuthResponse) (*grantRun, error) {
	f := res.Front
	body := map[string]any{}
	for k, v := range map[string]string{"access_token": f.AccessToken, "token_type": f.TokenType, "id_token": f.IDToken, "scope": res.Params.Get("scope")} {
		if v != "" {
			body[k] = v
		}
	}
	if f.ExpiresIn > 0 {
		body["expires_in"] = f.ExpiresIn
	}
	b, err := json.MarshalIndent(body, "", "  ")
	if err != nil {
		return nil, err
	}
	return &grantRun{token: &flows.Token{AccessToken: f.AccessToken, TokenType: f.TokenType, ExpiresIn: f.ExpiresIn, Body: b}}, nil
}
