package flows

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// postForm is the one path every form POST to the provider takes: it adds the client's
// authentication when asked, sends the form and returns the whole answer. Timeouts and cancellation
// come from ctx and the HTTP client; the exchange is recorded under step.
func (c *Client) postForm(ctx context.Context, step, endpoint string, form url.Values, authenticate bool) (response, error) {
	form = cloneValues(form)
	header := http.Header{}
	if authenticate {
		aud, err := c.assertionAudience(ctx, endpoint)
		if err != nil {
			return response{}, err
		}
		if header, err = c.authenticate(form, aud); err != nil {
			return response{}, err
		}
	}
	req, err := http.NewRequestWithContext(WithStep(ctx, step), http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return response{}, &Error{Kind: KindMissingEndpoint, Detail: "bad " + step + " endpoint URL " + endpoint, Err: err}
	}
	for k, vs := range c.Config.TokenHeaders {
		header[k] = append(header[k], vs...)
	}
	req.Header = header
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if err := c.attachDPoP(ctx, req); err != nil {
		return response{}, err
	}
	return c.do(req)
}

// assertionAudience is the aud of client assertions: the token endpoint URL (OpenID Connect Core §9),
// whichever endpoint the assertion is sent to, or the issuer when ClientAssertionAudience says so.
func (c *Client) assertionAudience(ctx context.Context, endpoint string) (string, error) {
	m := c.AuthMethod()
	if m != AuthClientSecretJWT && m != AuthPrivateKeyJWT {
		return endpoint, nil
	}
	if c.Config.ClientAssertionAudience == AssertionAudIssuer {
		if iss := c.knownIssuer(ctx); iss != "" {
			return iss, nil
		}
		return "", &Error{Kind: KindMissingEndpoint, Detail: "the client assertion's aud is to be the issuer, and no issuer is given"}
	}
	return c.endpoints(ctx, "token", func(e Endpoints) string { return e.Token })
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
