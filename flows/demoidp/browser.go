package demoidp

import (
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// The user's browser, played for tests (see demoidptest.Browse): the demo user is always
// signed in and approves, so visiting the authorization URL is all a browser would do, and this is
// enough to reach a client's loopback listener.

var (
	formPostAction = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	formPostInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// Browse visits u as the demo user's browser would: it follows redirects, submits the provider's
// auto-submitting form_post page, and on tokenbench's fragment page posts the fragment back to the
// same path, as that page's script does. It returns the status and body of the last page.
func Browse(ctx context.Context, u string) (int, string, error) {
	hc := &http.Client{}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := hc.Do(req)
	for range 3 {
		if err != nil {
			return 0, "", err
		}
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return 0, "", rerr
		}
		body := string(b)
		switch {
		case formPostAction.MatchString(body) && strings.Contains(body, "document.forms[0].submit()"):
			form := url.Values{}
			for _, m := range formPostInput.FindAllStringSubmatch(body, -1) {
				form.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
			}
			resp, err = postForm(ctx, hc, html.UnescapeString(formPostAction.FindStringSubmatch(body)[1]), form)
		case strings.Contains(body, "location.hash") && strings.Contains(body, "tokenbench_fragment"):
			form, perr := url.ParseQuery(resp.Request.URL.EscapedFragment())
			if perr != nil {
				return 0, "", perr
			}
			form.Set("tokenbench_fragment", "1")
			back := *resp.Request.URL
			back.Fragment, back.RawFragment, back.RawQuery = "", "", ""
			resp, err = postForm(ctx, hc, back.String(), form)
		default:
			return resp.StatusCode, body, nil
		}
	}
	if err == nil {
		resp.Body.Close()
	}
	return 0, "", errors.New("the browser was sent through more pages than a response needs")
}

func postForm(ctx context.Context, hc *http.Client, u string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return hc.Do(req)
}
