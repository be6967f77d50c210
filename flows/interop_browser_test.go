package flows_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// scriptedBrowser plays a user at an independent provider's pages: it follows redirects with
// cookies, signs in on any login form (the provider's test user), approves consent and device
// confirmation forms, and stops at tokenbench's loopback listener. With deny it cancels at the
// first page that offers it. On a form it clicks the first submit button, sending its name and
// value as a browser does (oidc-provider's logout page: logout=yes).
type scriptedBrowser struct {
	// fields are the values typed into inputs of these names; others keep their value.
	fields map[string]string
	deny   bool
	// jar keeps cookies from one run to the next (a sign-in, then a logout); nil starts afresh.
	jar http.CookieJar
}

var (
	formRE   = regexp.MustCompile(`(?is)<form([^>]*)>(.*?)</form>`)
	inputRE  = regexp.MustCompile(`(?is)<input([^>]*)>`)
	buttonRE = regexp.MustCompile(`(?is)<button([^>]*)>`)
	attrRE   = regexp.MustCompile(`(?is)\b([a-z_-]+)\s*=\s*"([^"]*)"`)
	abortRE  = regexp.MustCompile(`(?is)href="([^"]*/abort[^"]*)"`)
	maxPages = 12
)

func attrs(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2])
	}
	return out
}

// run opens u and plays the user until a page has nothing left to submit or the loopback listener
// answers; it returns the last page's body.
func (b scriptedBrowser) run(ctx context.Context, u string) (string, error) {
	jar := b.jar
	if jar == nil {
		jar, _ = cookiejar.New(nil)
	}
	hc := &http.Client{Jar: jar}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	for range maxPages {
		resp, err := hc.Do(req)
		if err != nil {
			return "", err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		if resp.Request.URL.Path == "/callback" {
			return page, nil // tokenbench's listener has the response
		}
		if b.deny {
			if m := abortRE.FindStringSubmatch(page); m != nil {
				next, _ := resp.Request.URL.Parse(html.UnescapeString(m[1]))
				req, _ = http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil)
				continue
			}
		}
		f := formRE.FindStringSubmatch(page)
		if f == nil {
			return page, nil
		}
		fa := attrs(f[1])
		form := url.Values{}
		// Inputs and buttons inside the form, and those outside it that name it (form="id").
		controls := func(re *regexp.Regexp) [][]string {
			in := re.FindAllStringSubmatch(f[2], -1)
			if id := fa["id"]; id != "" {
				for _, m := range re.FindAllStringSubmatch(page, -1) {
					if attrs(m[1])["form"] == id {
						in = append(in, m)
					}
				}
			}
			return in
		}
		inputs := controls(inputRE)
		for _, m := range controls(buttonRE) {
			if a := attrs(m[1]); a["type"] == "" || strings.EqualFold(a["type"], "submit") {
				if a["name"] != "" && a["name"] != "abort" {
					inputs = append(inputs, m)
				}
				break // the first submit button is the one clicked
			}
		}
		for _, m := range inputs {
			a := attrs(m[1])
			name := a["name"]
			if name == "" || name == "abort" || (a["type"] == "checkbox" && !strings.Contains(m[1], "checked")) {
				continue
			}
			v := a["value"]
			if typed, ok := b.fields[name]; ok && v == "" {
				v = typed
			}
			form.Set(name, v)
		}
		action, _ := resp.Request.URL.Parse(fa["action"])
		if strings.EqualFold(fa["method"], "get") {
			action.RawQuery = form.Encode()
			req, _ = http.NewRequestWithContext(ctx, http.MethodGet, action.String(), nil)
			continue
		}
		req, _ = http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return "", fmt.Errorf("the browser gave up after %d pages at %s", maxPages, req.URL)
}
