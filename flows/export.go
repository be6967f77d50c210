package flows

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tokenbench/tokenbench/flows/untrusted"
)

// The HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/), as much of it as a trace
// can fill. Members the spec requires are always written, even when empty.
type (
	harDoc struct {
		Log harLog `json:"log"`
	}
	harLog struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
		Comment string     `json:"comment,omitempty"`
	}
	harCreator struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	harEntry struct {
		StartedDateTime string      `json:"startedDateTime"`
		Time            float64     `json:"time"`
		Request         harRequest  `json:"request"`
		Response        harResponse `json:"response"`
		Cache           struct{}    `json:"cache"`
		Timings         harTimings  `json:"timings"`
		Comment         string      `json:"comment,omitempty"`
		// Step is a custom field (HAR 1.2 allows them with a leading underscore): the flow step.
		Step string `json:"_step,omitempty"`
	}
	harRequest struct {
		Method      string         `json:"method"`
		URL         string         `json:"url"`
		HTTPVersion string         `json:"httpVersion"`
		Cookies     []harNameValue `json:"cookies"`
		Headers     []harNameValue `json:"headers"`
		QueryString []harNameValue `json:"queryString"`
		PostData    *harPostData   `json:"postData,omitempty"`
		HeadersSize int            `json:"headersSize"`
		BodySize    int            `json:"bodySize"`
	}
	harPostData struct {
		MimeType string         `json:"mimeType"`
		Params   []harNameValue `json:"params"`
		Text     string         `json:"text"`
	}
	harResponse struct {
		Status      int            `json:"status"`
		StatusText  string         `json:"statusText"`
		HTTPVersion string         `json:"httpVersion"`
		Cookies     []harNameValue `json:"cookies"`
		Headers     []harNameValue `json:"headers"`
		Content     harContent     `json:"content"`
		RedirectURL string         `json:"redirectURL"`
		HeadersSize int            `json:"headersSize"`
		BodySize    int            `json:"bodySize"`
		Comment     string         `json:"comment,omitempty"`
	}
	harContent struct {
		Size     int    `json:"size"`
		MimeType string `json:"mimeType"`
		Text     string `json:"text,omitempty"`
		Encoding string `json:"encoding,omitempty"`
	}
	harTimings struct {
		Blocked float64 `json:"blocked"`
		DNS     float64 `json:"dns"`
		Connect float64 `json:"connect"`
		Send    float64 `json:"send"`
		Wait    float64 `json:"wait"`
		Receive float64 `json:"receive"`
		SSL     float64 `json:"ssl"`
	}
	harNameValue struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
)

// harTimeFormat is ISO 8601 with milliseconds, as HAR 1.2 writes startedDateTime.
const harTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// harHTTPVersion is written for every exchange: the trace does not record the protocol version, and
// the loopback and most provider exchanges are HTTP/1.1.
const harHTTPVersion = "HTTP/1.1"

// Record adds an exchange made outside the client's transport, such as one read back from a saved
// session or built by a test, numbering it after the others (its ID is replaced) and telling the
// listeners.
func (t *Trace) Record(x Exchange) { t.add(x) }

// HAR renders every exchange of the trace as a HAR 1.2 document, with every secret redacted
// (Exchange.Redact): a file to attach to a ticket or open in a browser's network panel. creator
// names the program, as "name", "name/version" or "name version". An exchange that failed without
// a response (Err set) is included with status 0 and the failure as its comment.
func (t *Trace) HAR(creator string) ([]byte, error) {
	name, version := splitCreator(creator)
	doc := harDoc{Log: harLog{
		Version: "1.2",
		Creator: harCreator{Name: name, Version: version},
		Entries: []harEntry{},
		Comment: "Secrets (credentials, codes, tokens) are redacted as " + Redacted + ".",
	}}
	for _, x := range t.exportEntries() {
		doc.Log.Entries = append(doc.Log.Entries, harEntryOf(x))
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // bodies and URLs stay readable: & not \u0026
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encoding the HAR document: %w", err)
	}
	return out.Bytes(), nil
}

// splitCreator splits "name/version" or "name version"; the version defaults to "dev".
func splitCreator(s string) (name, version string) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "/ "); i > 0 {
		name, version = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	} else {
		name = s
	}
	if name == "" {
		name = "tokenbench"
	}
	if version == "" {
		version = "dev"
	}
	return name, version
}

// harEntryOf converts one exchange, already redacted.
func harEntryOf(x Exchange) harEntry {
	ms := float64(x.Duration) / float64(time.Millisecond)
	e := harEntry{
		StartedDateTime: x.Started.Format(harTimeFormat),
		Time:            ms,
		Step:            x.Step,
		Request: harRequest{
			Method:      x.Method,
			URL:         x.URL,
			HTTPVersion: harHTTPVersion,
			Cookies:     []harNameValue{},
			Headers:     harHeaders(x.RequestHeader),
			QueryString: harQuery(x.URL),
			HeadersSize: -1,
			BodySize:    len(x.RequestBody),
		},
		Response: harResponse{
			Status:      x.Status,
			StatusText:  http.StatusText(x.Status),
			HTTPVersion: harHTTPVersion,
			Cookies:     []harNameValue{},
			Headers:     harHeaders(x.ResponseHeader),
			Content:     harContentOf(x.ResponseBody, x.ResponseHeader.Get("Content-Type")),
			RedirectURL: x.ResponseHeader.Get("Location"),
			HeadersSize: -1,
			BodySize:    len(x.ResponseBody),
		},
		// The trace measures each exchange whole: it is all waiting for the answer, and the phases
		// it cannot tell apart are -1, "does not apply" in HAR 1.2.
		Timings: harTimings{Blocked: -1, DNS: -1, Connect: -1, SSL: -1, Wait: ms},
	}
	if x.Step != "" {
		e.Comment = "step: " + x.Step
	}
	if x.note != "" {
		// A synthetic entry: the browser made this request, so tokenbench has neither its headers
		// nor its answer (BrowserRequest).
		e.Comment += "; synthetic entry, not an exchange tokenbench made: " + x.note
		e.Response.StatusText = ""
		e.Response.Comment = "not seen: the browser received the answer"
		e.Response.BodySize = -1
		e.Timings.Wait = 0
		return e
	}
	if len(x.RequestBody) > 0 || x.Method == http.MethodPost || x.Method == http.MethodPut || x.Method == http.MethodPatch {
		e.Request.PostData = harPostDataOf(x.RequestBody, x.RequestHeader.Get("Content-Type"))
	}
	if x.Err != "" {
		e.Response.Status, e.Response.StatusText = 0, ""
		e.Response.Comment = "no response: " + x.Err
		e.Response.BodySize = -1
		if e.Comment != "" {
			e.Comment += "; "
		}
		e.Comment += "failed: " + x.Err
	}
	return e
}

// harHeaders lists headers sorted by name, each value on its own.
func harHeaders(h http.Header) []harNameValue {
	out := []harNameValue{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, harNameValue{Name: k, Value: v})
		}
	}
	return out
}

// harQuery lists the query parameters of a URL in the order they appear.
func harQuery(raw string) []harNameValue {
	out := []harNameValue{}
	u, err := url.Parse(raw)
	if err != nil {
		return out
	}
	return append(out, orderedParams(u.RawQuery)...)
}

// orderedParams decodes a query or form in order, keeping values that do not unescape as written.
func orderedParams(s string) []harNameValue {
	var out []harNameValue
	for part := range strings.SplitSeq(s, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, harNameValue{Name: k, Value: v})
	}
	return out
}

func harPostDataOf(body []byte, contentType string) *harPostData {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	p := &harPostData{MimeType: contentType, Params: []harNameValue{}, Text: string(body)}
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" {
		p.Params = append(p.Params, orderedParams(string(body))...)
	}
	if !utf8.Valid(body) {
		p.Text = base64.StdEncoding.EncodeToString(body)
	}
	return p
}

func harContentOf(body []byte, contentType string) harContent {
	c := harContent{Size: len(body), MimeType: contentType}
	if c.MimeType == "" {
		c.MimeType = "x-unknown"
	}
	switch {
	case len(body) == 0:
	case utf8.Valid(body):
		c.Text = string(body)
	default:
		c.Text, c.Encoding = base64.StdEncoding.EncodeToString(body), "base64"
	}
	return c
}

// Markdown renders every exchange of the trace as a report to paste into a ticket, with every
// secret redacted (Exchange.Redact): per exchange a heading "#N step — METHOD URL → status
// (duration)", then the request's and the response's headers and bodies in fenced blocks, JSON
// pretty-printed.
func (t *Trace) Markdown() []byte {
	xs := t.exportEntries()
	n := 0 // the exchanges, without the browser's requests
	for _, x := range xs {
		if x.note == "" {
			n++
		}
	}
	var b bytes.Buffer
	b.WriteString("# tokenbench trace\n\n")
	switch {
	case len(xs) == 0:
		b.WriteString("No HTTP exchange was recorded.\n")
		return b.Bytes()
	case n == 0:
		b.WriteString("No HTTP exchange was recorded, only the browser's requests")
	case n == 1:
		b.WriteString("1 HTTP exchange")
	default:
		fmt.Fprintf(&b, "%d HTTP exchanges", n)
	}
	if n > 0 && len(xs) > n {
		b.WriteString(" and the browser's requests")
	}
	fmt.Fprintf(&b, ", from %s. Secrets (credentials, codes, tokens) are redacted as `%s`.\n",
		xs[0].Started.UTC().Format("2006-01-02 15:04:05 UTC"), Redacted)
	for _, x := range xs {
		writeMarkdownExchange(&b, x)
	}
	return b.Bytes()
}

// heading is an exchange's one-line summary, "#N step — METHOD URL → status (duration)", as the
// Markdown report titles it.
func (x Exchange) heading() string {
	step := x.Step
	if step == "" {
		step = "request"
	}
	if x.note != "" {
		return fmt.Sprintf("%s (in the browser) — %s %s", step, x.Method, x.URL)
	}
	outcome := fmt.Sprintf("%d %s", x.Status, http.StatusText(x.Status))
	if x.Err != "" {
		outcome = "failed"
	}
	return fmt.Sprintf("#%d %s — %s %s → %s (%s)", x.ID, step, x.Method, x.URL,
		strings.TrimSpace(outcome), x.Duration.Round(time.Millisecond))
}

// writeMarkdownExchange writes one exchange for people to read: everything the provider or the
// network supplied goes through the one sanitiser (untrusted.Text), as on a terminal, since the
// report is read in one as often as in a browser. HAR keeps the bytes exact.
func writeMarkdownExchange(b *bytes.Buffer, x Exchange) {
	fmt.Fprintf(b, "\n## %s\n\n", untrusted.Line(x.heading()))
	fmt.Fprintf(b, "Started %s.\n", x.Started.UTC().Format("2006-01-02 15:04:05.000 UTC"))
	if x.note != "" {
		fmt.Fprintf(b, "\n*Synthetic entry, not an exchange tokenbench made:* %s.\n", x.note)
		writeFenced(b, "Request", "http", x.Method+" "+untrusted.Line(x.URL))
		return
	}
	writeFenced(b, "Request headers", "http", headerText(x.Method+" "+x.URL, x.RequestHeader))
	if len(x.RequestBody) > 0 {
		writeBody(b, "Request body", x.RequestBody, x.RequestHeader.Get("Content-Type"))
	}
	if x.Err != "" {
		fmt.Fprintf(b, "\n**No response:** %s\n", untrusted.Line(x.Err))
		return
	}
	writeFenced(b, "Response headers", "http", headerText(fmt.Sprintf("HTTP %d %s", x.Status, http.StatusText(x.Status)), x.ResponseHeader))
	if len(x.ResponseBody) > 0 {
		writeBody(b, "Response body", x.ResponseBody, x.ResponseHeader.Get("Content-Type"))
	}
}

// headerText is a start line followed by the headers, sorted by name.
func headerText(start string, h http.Header) string {
	var s strings.Builder
	s.WriteString(start)
	s.WriteByte('\n')
	writeHeader(&s, "", h)
	return s.String()
}

func writeBody(b *bytes.Buffer, title string, body []byte, contentType string) {
	lang, text := "", string(body)
	var pretty bytes.Buffer
	if json.Indent(&pretty, bytes.TrimSpace(body), "", "  ") == nil {
		lang, text = "json", pretty.String()
	} else if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" {
		lang = "text"
	}
	if !utf8.Valid(body) {
		text = fmt.Sprintf("(%d bytes of binary data, base64)\n%s", len(body), base64.StdEncoding.EncodeToString(body))
	}
	writeFenced(b, title, lang, text)
}

// writeFenced writes a titled fenced block whose fence is longer than any run of backticks in
// text, so that no body can end the block early (CommonMark §4.5).
func writeFenced(b *bytes.Buffer, title, lang, text string) {
	text = untrusted.Text(strings.TrimRight(text, "\n"))
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	fmt.Fprintf(b, "\n**%s**\n\n%s%s\n%s\n%s\n", title, fence, lang, text, fence)
}
