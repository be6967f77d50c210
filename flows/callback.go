package flows

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// ParseCallback reads an authorization response pasted by the user: the full URL the browser ended on,
// a query string, a fragment (#code=…), or a bare code. bareCode reports the last case, where there is
// no state or iss to check.
func ParseCallback(input string) (params url.Values, bareCode bool, err error) {
	s := strings.TrimSpace(input)
	if s == "" {
		return nil, false, &Error{Kind: KindInvalidCallback, Detail: "nothing was pasted"}
	}
	var query, fragment string
	switch {
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil {
			return nil, false, &Error{Kind: KindInvalidCallback, Detail: "the pasted URL cannot be parsed: " + err.Error()}
		}
		query, fragment = u.RawQuery, u.EscapedFragment()
	case strings.HasPrefix(s, "?"), strings.HasPrefix(s, "#"):
		query, fragment, _ = strings.Cut(strings.TrimPrefix(s, "?"), "#")
		if strings.HasPrefix(s, "#") {
			query, fragment = "", s[1:]
		}
	case strings.Contains(s, "="):
		query = s
	case strings.ContainsAny(s, " \t\r\n"):
		return nil, false, &Error{Kind: KindInvalidCallback, Detail: "the pasted text is neither a URL, a query string nor a single code"}
	default:
		return url.Values{"code": {s}}, true, nil
	}
	params = url.Values{}
	for _, part := range []string{query, fragment} {
		v, err := url.ParseQuery(part)
		if err != nil {
			return nil, false, &Error{Kind: KindInvalidCallback, Detail: "the pasted parameters cannot be parsed: " + err.Error()}
		}
		for k, vs := range v {
			params[k] = append(params[k], vs...)
		}
	}
	if params.Get("code") == "" && params.Get("error") == "" && !hasFrontChannelResult(params) {
		return nil, false, &Error{Kind: KindMissingCode, Detail: fmt.Sprintf("the pasted text has neither code nor error (parameters: %s)", strings.Join(keys(params), ", "))}
	}
	return params, false, nil
}

func keys(v url.Values) []string {
	out := make([]string, 0, len(v))
	for k := range v {
		out = append(out, k)
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// AuthResponse is a verified authorization response.
type AuthResponse struct {
	Code   string
	State  string
	Iss    string
	Params url.Values
	// Checks are the state and iss checks, each passed, failed or skipped with why.
	Checks []Check
	// JARM is the check report of a JWT-secured response (JARM), whose claims are Params; nil for a
	// plain response.
	JARM *Report
	// Front are the tokens of an implicit or hybrid response and their checks; nil when there are
	// none.
	Front *FrontChannel
}

// VerifyCallback checks an authorization response against the request that caused it: state (RFC 6749
// §10.12), then iss (RFC 9207 §2.4), then an error answer (§4.1.2.1), then the presence of a code. The
// checks made are in the result even when an error is returned.
func (c *Client) VerifyCallback(ctx context.Context, req *AuthRequest, params url.Values, bareCode bool) (*AuthResponse, error) {
	params, jarm, jerr := c.openJARM(ctx, req, params)
	res := &AuthResponse{Code: params.Get("code"), State: params.Get("state"), Iss: params.Get("iss"), Params: params, JARM: jarm}
	if jerr != nil {
		return res, jerr
	}
	add := func(name string, st CheckStatus, kind Kind, detail string) {
		res.Checks = append(res.Checks, Check{Name: name, Status: st, Kind: kind, Detail: detail})
	}
	switch {
	case bareCode:
		add("state", CheckSkipped, "", "a bare code was pasted, so there is no state to compare")
	case req.State == "":
		add("state", CheckSkipped, "", "no state was sent")
	case !params.Has("state"):
		add("state", CheckFail, KindStateMismatch, "the response has no state, but the request sent one (RFC 6749 §4.1.2 requires it back)")
		return res, &Error{Kind: KindStateMismatch, Detail: "the authorization response carries no state; the request sent " + req.State}
	case res.State != req.State:
		add("state", CheckFail, KindStateMismatch, fmt.Sprintf("the response's state %q is not the %q sent", res.State, req.State))
		return res, &Error{Kind: KindStateMismatch, Detail: fmt.Sprintf("the authorization response's state %q is not the %q this request sent: the response belongs to another request, or was forged (RFC 6749 §10.12)", res.State, req.State)}
	default:
		add("state", CheckPass, "", "the response's state matches the one sent")
	}
	// RFC 9207 §2.4 applies to error responses too: a mixed-up error must not be believed.
	if err := c.checkResponseIss(ctx, res, bareCode, add); err != nil {
		return res, err
	}
	if code := params.Get("error"); code != "" {
		return res, &OAuthError{Code: code, Description: params.Get("error_description"), URI: params.Get("error_uri"), Endpoint: "authorization response"}
	}
	return res, c.verifyFrontChannel(ctx, req, res, bareCode)
}

// checkResponseIss applies RFC 9207 §2.4: an iss parameter must equal the issuer; its absence is an
// error only when the provider advertises authorization_response_iss_parameter_supported.
func (c *Client) checkResponseIss(ctx context.Context, res *AuthResponse, bareCode bool, add func(string, CheckStatus, Kind, string)) error {
	want := c.issuer()
	supported := false
	if c.Config.Issuer != "" {
		if meta, err := c.Discover(ctx); err == nil {
			supported = meta.IssParameterSupported
		}
	}
	switch {
	case bareCode:
		add("iss", CheckSkipped, "", "a bare code was pasted, so there is no iss to compare")
	case res.Iss != "" && want == "":
		add("iss", CheckSkipped, "", fmt.Sprintf("the response names the issuer %q, but no issuer is configured to compare it with", res.Iss))
	case res.Iss != "" && res.Iss != want:
		add("iss", CheckFail, KindIssMismatch, fmt.Sprintf("the response's iss %q is not the issuer %q", res.Iss, want))
		return &Error{Kind: KindIssMismatch, Detail: fmt.Sprintf("the authorization response came from the issuer %q, not %q: a mix-up attack or a misconfigured issuer (RFC 9207 §2.4)", res.Iss, want)}
	case res.Iss != "":
		add("iss", CheckPass, "", "the response's iss matches the issuer")
	case supported:
		add("iss", CheckFail, KindIssMismatch, "the provider advertises authorization_response_iss_parameter_supported, but the response has no iss")
		return &Error{Kind: KindIssMismatch, Detail: "the authorization response has no iss although the provider's metadata promises one (RFC 9207 §2.4)"}
	default:
		add("iss", CheckSkipped, "", "the response has no iss and the provider does not advertise RFC 9207 support")
	}
	return nil
}

// AwaitCallback waits on the listener for the response to req and verifies it with VerifyCallback;
// the browser is shown the verdict. The checks made are in the result even when an error is returned.
func (c *Client) AwaitCallback(ctx context.Context, l *Listener, req *AuthRequest) (*AuthResponse, error) {
	var res *AuthResponse
	// A form_post response is the provider's page posting to the listener.
	l.allowOrigins(req.URL, c.Config.Issuer)
	_, err := l.Wait(ctx, func(params url.Values) error {
		c.recordCallback(req, params, "as the loopback listener received it")
		var verr error
		res, verr = c.VerifyCallback(ctx, req, params, false)
		return verr
	})
	return res, err
}
