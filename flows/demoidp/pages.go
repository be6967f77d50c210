package demoidp

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
)

// pageTemplates is the layout and the bodies of the provider's few HTML pages, parsed on first use
// (a process that never serves a page, such as `tokenbench token` against another provider, never
// parses them).
var pageTemplates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("layout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} · tokenbench demo provider</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
code{background:#eee;padding:0 .2em}button{margin-right:.5rem;padding:.3rem 1rem}</style></head>
<body><h1>{{.Title}}</h1>{{template "body" .}}<hr><p><small>tokenbench demo provider</small></p></body></html>
{{define "message"}}<p>{{.Message}}</p>{{end}}
{{define "consent"}}<p>Sign in as <strong>Demo User</strong> (<code>demo</code>) to <strong>{{.Client}}</strong>?</p>
{{if .LoginHint}}<p>Login hint: <code>{{.LoginHint}}</code></p>{{end}}
<p>Scopes:{{range .Scopes}} <code>{{.}}</code>{{else}} (none){{end}}</p>
<form method="post" action="{{.Action}}">{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="deny">Deny</button></form>{{end}}
{{define "device"}}{{if .Message}}<p>{{.Message}}</p>{{end}}
<form method="get" action="{{.Action}}"><label>Code shown on your device: <input name="user_code" value="{{.UserCode}}" autocomplete="off" autofocus></label>
<p><button type="submit">Approve</button><button type="submit" name="deny" value="1">Deny</button></p></form>{{end}}
`))
})

// pages holds one template per page body ("message", "consent", "device"),
// each the layout around that body, built on first use.
var pages = sync.OnceValue(func() map[string]*template.Template {
	return map[string]*template.Template{
		"message": pageWith("message"),
		"consent": pageWith("consent"),
		"device":  pageWith("device"),
	}
})

func pageWith(body string) *template.Template {
	t := template.Must(pageTemplates().Clone())
	return template.Must(t.New("body").Parse(`{{template "` + body + `" .}}`))
}

// pageData is what the templates read; each page uses a few fields.
type pageData struct {
	Title     string
	Message   string
	Client    string
	LoginHint string
	Scopes    []string
	Action    string
	Hidden    []hiddenField
	UserCode  string
}

type hiddenField struct{ Name, Value string }

// renderPage answers with one of the HTML pages: body names the template
// ("message", "consent" or "device").
func renderPage(w http.ResponseWriter, status int, body string, data pageData) {
	var buf bytes.Buffer
	if err := pages()[body].ExecuteTemplate(&buf, "layout", data); err != nil {
		http.Error(w, "internal error: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// messagePage answers with a page that only says something.
func messagePage(w http.ResponseWriter, status int, title, message string) {
	renderPage(w, status, "message", pageData{Title: title, Message: message})
}

// hiddenFields turns request parameters into hidden form fields, in a
// stable order.
func hiddenFields(v url.Values) []hiddenField {
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []hiddenField
	for _, name := range names {
		for _, value := range v[name] {
			out = append(out, hiddenField{Name: name, Value: value})
		}
	}
	return out
}

// proxyErrorPage is what the html-errors fault answers with, in the style of
// a reverse proxy whose upstream failed.
const proxyErrorPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// spaPage is what the html-discovery fault answers with: the shell of a
// single-page app that a host serves for every path.
const spaPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<script type="module" src="/assets/index.js"></script></head>
<body><div id="root"></div><noscript>You need to enable JavaScript to run this app.</noscript></body></html>
`

// writeRawHTML answers with a fixed HTML page.
func writeRawHTML(w http.ResponseWriter, status int, page string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(page))
}
