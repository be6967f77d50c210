package tracescreen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/lipgloss/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Rendering of the trace: the list of exchanges, a rule, and the selected exchange in full.

// traceWideAt is the width from which the list shows each exchange's start time too.
const traceWideAt = 100

// listRows is how many exchanges the list shows: a third of the body, at least 3.
func (s Model) listRows() int {
	if s.zoom {
		return 0
	}
	return min(len(s.exchanges), max(3, (s.height-2)/3))
}

// layout keeps the selection in view, sizes the detail below the list and renders the selected
// exchange into it. It runs in Update after every change, so View only reads.
func (s Model) layout() Model {
	if s.width <= 0 || s.height <= 0 {
		return s
	}
	if rows := s.listRows(); rows > 0 {
		s.offset = min(s.offset, s.sel)
		if s.sel >= s.offset+rows {
			s.offset = s.sel - rows + 1
		}
		s.offset = max(0, min(s.offset, len(s.exchanges)-rows))
	}
	top := lipgloss.Height(s.topView())
	s.vp.SetWidth(s.width)
	s.vp.SetHeight(max(1, s.height-top))
	if s.har != nil && s.findings {
		s.vp.SetContent(s.findingsView(s.width))
	} else if x, ok := s.selected(); ok {
		s.vp.SetContent(s.detail(x, s.width))
	} else {
		s.vp.SetContent("")
	}
	return s
}

// View is the list, a rule naming the selected exchange, and its detail.
func (s Model) View() string {
	if s.width <= 0 {
		return ""
	}
	return s.topView() + "\n" + s.vp.View()
}

// topView is the list and the rule under it (only the rule when the detail is zoomed), under the
// name of the HAR file shown, if any, and above the path prompt while it is open.
func (s Model) topView() string {
	var lines []string
	if s.har != nil {
		lines = append(lines, s.harHeader())
	}
	lines = append(lines, s.listView())
	if s.prompting {
		lines = append(lines, s.input.View())
	}
	return strings.Join(lines, "\n")
}

// listView is the list and the rule under it (only the rule when the detail is zoomed).
func (s Model) listView() string {
	st := s.c.Styles
	if len(s.exchanges) == 0 && s.har != nil {
		lines := []string{"The file holds no HTTP exchange."}
		if s.status != "" || len(s.log) > 0 {
			lines = append(lines, s.statusLine())
		}
		return strings.Join(lines, "\n")
	}
	if len(s.exchanges) == 0 {
		lines := []string{st.Title.Render("Trace"), "",
			"No HTTP exchange yet. Every request the session makes (discovery, token, userinfo …) appears here as it happens."}
		if s.status != "" || len(s.log) > 0 {
			lines = append(lines, s.statusLine())
		}
		return strings.Join(lines, "\n")
	}
	var lines []string
	if rows := s.listRows(); rows > 0 {
		cols := s.columns()
		lines = append(lines, st.TableHeader.Render(ui.Truncate(cols.row("", "#", "time", "step", "method", "status", "took", "url"), s.width)))
		for i := s.offset; i < s.offset+rows && i < len(s.exchanges); i++ {
			lines = append(lines, s.listRow(cols, i))
		}
	}
	lines = append(lines, s.ruleLine())
	if s.status != "" || len(s.log) > 0 {
		lines = append(lines, s.statusLine())
	}
	return strings.Join(lines, "\n")
}

// traceColumns are the widths of the list's columns; time is 0 on a narrow body.
type traceColumns struct{ id, time, step, method, status, took int }

func (s Model) columns() traceColumns {
	c := traceColumns{id: 1, method: 6, status: 6, took: 6}
	if n := len(s.exchanges); n > 0 {
		c.id = max(len(strconv.Itoa(s.exchanges[0].ID)), len(strconv.Itoa(s.exchanges[n-1].ID))) // IDs only grow
	}
	c.step = min(max(s.stepWidth, 4), 14)
	if s.width >= traceWideAt {
		c.time = 8
	}
	return c
}

// row lays out one line of the list.
func (c traceColumns) row(mark, id, at, step, method, status, took, url string) string {
	var b strings.Builder
	b.WriteString(ui.PadCell(mark, 2))
	b.WriteString(strings.Repeat(" ", max(0, c.id-len(id))) + id + " ")
	if c.time > 0 {
		b.WriteString(ui.PadCell(at, c.time) + " ")
	}
	b.WriteString(ui.PadCell(ui.Truncate(step, c.step), c.step) + " ")
	b.WriteString(ui.PadCell(ui.Truncate(method, c.method), c.method) + " ")
	b.WriteString(ui.PadCell(status, c.status) + " ")
	b.WriteString(strings.Repeat(" ", max(0, c.took-len(took))) + took + "  ")
	b.WriteString(url)
	return b.String()
}

// listRow is exchange i in the list; the selected one is reversed (and marked, without colour).
func (s Model) listRow(cols traceColumns, i int) string {
	st := s.c.Styles
	x := s.exchanges[i].Redact() // the list never shows a secret, revealed or not
	status := strconv.Itoa(x.Status)
	if x.Err != "" {
		status = "ERR"
	}
	mark := ""
	if i == s.sel {
		mark = "▸"
	} else {
		status = s.statusStyle(x).Render(status) // the selected row is reversed whole instead
	}
	line := ui.Truncate(cols.row(mark, strconv.Itoa(x.ID), x.Started.UTC().Format("15:04:05"), x.Step, x.Method,
		status, tookText(x.Duration), s.c.Untrusted(x.URL)), s.width)
	if i == s.sel {
		return st.Selected.Render(ui.PadCell(line, s.width))
	}
	return line
}

// statusStyle colours a status: success, redirect, client or server error, or no answer.
func (s Model) statusStyle(x flows.Exchange) lipgloss.Style {
	st := s.c.Styles
	switch {
	case x.Err != "" || x.Status >= 400:
		return st.Fail
	case x.Status >= 300:
		return st.Warn
	}
	return st.Pass
}

// ruleLine separates the list from the detail and says what is shown.
func (s Model) ruleLine() string {
	st := s.c.Styles
	info := fmt.Sprintf(" #%d of %d ", s.exchanges[s.sel].ID, len(s.exchanges))
	if s.findings {
		info = " the file's findings and tokens (f for the exchange) "
	} else if s.reveal {
		info += "· secrets shown (s to mask) "
	} else {
		info += "· secrets masked (s to show) "
	}
	if s.zoom {
		info += "· esc for the list "
	} else if !s.follow && s.har == nil {
		info += "· G to follow "
	}
	return st.Rule.Render("──") + st.Muted.Render(ui.Truncate(info, max(0, s.width-4))) +
		st.Rule.Render(strings.Repeat("─", max(0, s.width-2-lipgloss.Width(info))))
}

// statusLine is the log of earlier saves, then the status, wrapped: an error names a path and says
// why, and is read whole.
func (s Model) statusLine() string {
	st := s.c.Styles
	var lines []string
	for _, l := range s.log {
		lines = append(lines, ui.WrapEach(st.Muted, l, max(1, s.width), ""))
	}
	switch {
	case s.status == "":
	case s.statusBad:
		lines = append(lines, ui.WrapEach(st.Fail, s.status, max(1, s.width), ""))
	default:
		lines = append(lines, ui.WrapEach(st.Note, s.status, max(1, s.width), ""))
	}
	return strings.Join(lines, "\n")
}

// tookText renders a duration for the list: "42ms", "1.25s", "12.3s".
func tookText(d time.Duration) string {
	switch {
	case d < time.Second:
		return strconv.Itoa(int(d.Round(time.Millisecond)/time.Millisecond)) + "ms"
	case d < 10*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// detail renders an exchange (already masked or not) at width w: a summary, then the request and
// the response, each with its headers and body, long lines wrapped.
func (s Model) detail(x flows.Exchange, w int) string {
	st := s.c.Styles
	var b strings.Builder
	line := func(text string, style lipgloss.Style) {
		b.WriteString(s.markSecrets(ui.WrapEach(style, s.c.Untrusted(text), w, "")))
		b.WriteString("\n")
	}
	step := x.Step
	if step == "" {
		step = "request"
	}
	line(fmt.Sprintf("#%d %s · %s %s", x.ID, step, x.Method, x.URL), st.Title)
	outcome := fmt.Sprintf("%d %s", x.Status, http.StatusText(x.Status))
	if x.Err != "" {
		outcome = "no response"
	}
	line(fmt.Sprintf("%s · %s · started %s", strings.TrimSpace(outcome), tookText(x.Duration),
		x.Started.UTC().Format("2006-01-02 15:04:05.000 UTC")), st.Muted)

	b.WriteString("\n")
	line("▶ Request", st.Title)
	line(x.Method+" "+x.URL, st.Value)
	s.headers(&b, x.RequestHeader, w)
	s.body(&b, x.RequestBody, x.RequestHeader.Get("Content-Type"), w)

	b.WriteString("\n")
	line("◀ Response", st.Title)
	if x.Err != "" {
		line("✗ "+x.Err, st.Fail)
		return strings.TrimRight(b.String(), "\n")
	}
	line(fmt.Sprintf("HTTP %d %s", x.Status, http.StatusText(x.Status)), s.statusStyle(x))
	s.headers(&b, x.ResponseHeader, w)
	s.body(&b, x.ResponseBody, x.ResponseHeader.Get("Content-Type"), w)
	return strings.TrimRight(b.String(), "\n")
}

// markSecrets styles every mask, so that masked values stand out.
func (s Model) markSecrets(text string) string {
	return strings.ReplaceAll(text, flows.Redacted, s.c.Styles.Secret.Render(flows.Redacted))
}

// headers writes headers sorted by name, continuation lines indented.
func (s Model) headers(b *strings.Builder, h http.Header, w int) {
	st := s.c.Styles
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			text := ui.WrapHanging(s.c.Untrusted(k+": "+v), w, "  ")
			text = st.Label.Render(k+":") + strings.TrimPrefix(text, k+":")
			b.WriteString(s.markSecrets(text))
			b.WriteString("\n")
		}
	}
}

// body writes a body after a blank line: JSON indented, a form one parameter a line, binary data
// by its size.
func (s Model) body(b *strings.Builder, body []byte, contentType string, w int) {
	if len(body) == 0 {
		return
	}
	b.WriteString("\n")
	for _, l := range strings.Split(formatBody(body, contentType), "\n") {
		b.WriteString(s.markSecrets(ui.WrapHanging(s.c.Untrusted(l), w, "  ")))
		b.WriteString("\n")
	}
}

// formatBody makes a body readable.
func formatBody(body []byte, contentType string) string {
	var pretty bytes.Buffer
	if json.Indent(&pretty, bytes.TrimSpace(body), "", "  ") == nil {
		return pretty.String()
	}
	if !utf8.Valid(body) {
		return fmt.Sprintf("(%s of binary data)", ui.CountNoun(len(body), "byte"))
	}
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" {
		parts := strings.Split(string(body), "&")
		for i, p := range parts {
			k, v, _ := strings.Cut(p, "=")
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
			if uv, err := url.QueryUnescape(v); err == nil {
				v = uv
			}
			parts[i] = k + "=" + v
		}
		return strings.Join(parts, "\n")
	}
	return strings.TrimRight(string(body), "\n")
}
