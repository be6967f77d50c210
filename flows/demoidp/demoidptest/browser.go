package demoidptest

import (
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browseTimeout bounds one visit of the browser: the provider answers at once, so a visit that
// takes longer has hung.
const browseTimeout = 10 * time.Second

var (
	formPostAction = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	formPostInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// Browse visits u as the signed-in demo user's browser would: it follows redirects, submits the
// provider's auto-submitting form_post page and posts a fragment back as tokenbench's fragment
// page's script does, and returns the status and body of the last page. It needs no test, so a
// helper process playing $BROWSER can use it.
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

// Open is Browse as a function that opens a browser (an OpenBrowser option): it returns once the
// browser has reached the last page, the client's loopback listener for an authorization URL.
func Open(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), browseTimeout)
	defer cancel()
	_, _, err := Browse(ctx, u)
	return err
}

// Visit is Browse for a test: it returns the last page's status and body and reports a failure to
// reach it with t.Errorf, so that it may run on a goroutine of its own while the test waits for the
// callback.
func Visit(t testing.TB, u string) (status int, body string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), browseTimeout)
	defer cancel()
	status, body, err := Browse(ctx, u)
	if err != nil {
		t.Errorf("browser: %v", err)
	}
	return status, body
}

// Redirect follows u through the provider as the demo user's browser would and returns the URL the
// provider sends the browser on to, without going there: for an authorization URL, the redirect
// URI with the authorization response, what a customer would paste from the address bar. A page
// instead of a redirect fails the test.
func Redirect(t testing.TB, u string) string {
	t.Helper()
	start, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: browseTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for range 10 {
		resp, err := hc.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil {
			t.Fatalf("the provider answered %s with HTTP %d and no redirect", u, resp.StatusCode)
		}
		if loc.Host != start.Host {
			return loc.String()
		}
		u = loc.String()
	}
	t.Fatalf("the provider redirected %s more than 10 times", start)
	return ""
}
