package stepper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
)

// The API call step: any request to a protected resource (method, URL, headers, body) with the
// session's access token, as `tokenbench call` sends it (flows.Client.CallAPI): Bearer (RFC 6750
// §2.1), or DPoP with a proof (RFC 9449 §7.1) when DPoP is on, over the client's mutual TLS
// connection when it has a certificate (RFC 8705 §3). e edits the request; the answer is shown
// masked and sanitised, and the exchange is in the trace under "resource".

// apiMethods are the API call's methods, GET first (the default).
var apiMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// apiFields are the form's fields on the API call step.
var apiFields = []fieldID{fieldAPIMethod, fieldAPIURL, fieldAPIHeaders, fieldAPIBody, fieldDPoP}

// apiHeaderSep separates the headers typed on the one line of the headers field.
const apiHeaderSep = "|"

// maxAPIBodyShown bounds the answer's body shown on the pane; R shows the whole exchange.
const maxAPIBodyShown = 4096

// apiCalledMsg is the API's answer, or why there is none.
type apiCalledMsg struct {
	reqID  int
	answer *flows.APIResponse
	err    error
	raw    *flows.Exchange
}

// callAPI sends the API call.
func callAPI(ctx context.Context, c *flows.Client, call flows.APICall, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		a, err := c.CallAPI(ctx, call)
		return apiCalledMsg{reqID: id, answer: a, err: err, raw: rec.last()}
	}
}

// onAPICalled keeps the answer. An error status is an answer too (the API's own refusal), shown
// as failed; a refused token is an *OAuthError from the challenge (RFC 6750 §3).
func (s flowModel) onAPICalled(msg apiCalledMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		return s, nil
	}
	err := msg.err
	if err == nil && msg.answer.Status >= 400 {
		err = fmt.Errorf("the API answered HTTP %d %s", msg.answer.Status, http.StatusText(msg.answer.Status))
	}
	s = s.finish(stepAPI, err, msg.raw)
	s.apiAnswer = msg.answer
	return s, nil
}

// apiHeaders reads the headers field: "Name: value" entries separated by |.
func (f flowForm) apiHeaders() (http.Header, error) {
	var lines []string
	for _, h := range strings.Split(f.value(fieldAPIHeaders), apiHeaderSep) {
		if h = strings.TrimSpace(h); h != "" {
			lines = append(lines, h)
		}
	}
	h, err := flows.ParseAPIHeaders(lines)
	if err != nil {
		return nil, fmt.Errorf("API call header %w", err)
	}
	return h, nil
}

// apiProblem says what stops the API call: no access token, or a URL or header that is not one.
func (s flowModel) apiProblem(tok *flows.Token) string {
	if tok == nil || tok.AccessToken == "" {
		return "API call sends the access token: run Token first"
	}
	raw := s.form.value(fieldAPIURL)
	if u, err := url.Parse(raw); raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "API call needs an absolute http or https URL: e edits the request"
	}
	if _, err := s.form.apiHeaders(); err != nil {
		return err.Error()
	}
	return ""
}

// apiCall is the request the form asks for, with the session's current access token. A body
// without a Content-Type header is sent as JSON when it is JSON, else as a form, as `tokenbench
// call --data` does.
func (s flowModel) apiCall() flows.APICall {
	f := s.form
	h, _ := f.apiHeaders() // apiProblem refused a bad one
	call := flows.APICall{Method: f.value(fieldAPIMethod), URL: f.value(fieldAPIURL), AccessToken: s.current().AccessToken, Header: h}
	if b := f.value(fieldAPIBody); b != "" && call.Method != http.MethodGet {
		call.Body = []byte(b)
		if h.Get("Content-Type") == "" {
			call.ContentType = flows.BodyType(call.Body)
		}
	}
	return call
}

// apiView is the API call: the request, then the answer.
func (s flowModel) apiView(p *flowPane) {
	st := s.c.Styles
	f := s.form
	target := f.value(fieldAPIURL)
	if target == "" {
		target = st.Muted.Render("(e sets the URL)")
	}
	s.request(p, f.value(fieldAPIMethod), target)
	tok := ""
	if t := s.current(); t != nil {
		tok = t.AccessToken
	}
	scheme := "Bearer "
	if f.on(fieldDPoP) {
		scheme = "DPoP "
	}
	p.kv("Authorization", scheme+s.secret(tok))
	if f.on(fieldDPoP) {
		p.kv("DPoP", st.Muted.Render("a proof for this method and URL, with ath (RFC 9449 §4.2)"))
	}
	if h, err := f.apiHeaders(); err != nil {
		p.kv("headers", st.Fail.Render(err.Error()))
	} else {
		for name, vs := range h {
			for _, v := range vs {
				p.kv(name, v)
			}
		}
	}
	if b := f.value(fieldAPIBody); b != "" && f.value(fieldAPIMethod) != http.MethodGet {
		p.kv("body", b)
	}
	if !f.editing {
		p.line(st.Muted.Render("e edits the request (method, URL, headers as Name: value | Name: value, body)."))
	}
	if s.steps[stepAPI].state == stateRunning {
		return
	}
	if err := s.steps[stepAPI].err; err != nil && s.apiAnswer == nil {
		var oe *flows.OAuthError
		if errors.As(err, &oe) {
			p.line(st.Fail.Render("The API refused the token: " + untrusted.Line(oe.Error())))
		}
	}
	a := s.apiAnswer
	if a == nil {
		return
	}
	s.response(p, stepAPI)
	if ct := a.Header.Get("Content-Type"); ct != "" {
		p.kv("Content-Type", untrusted.Line(ct))
	}
	if a.Members != nil {
		s.members(p, a.Members)
		return
	}
	body := a.Body
	if raw := s.steps[stepAPI].raw; raw != nil && !s.c.Reveal {
		body = raw.Redact().ResponseBody // the one redaction: secrets in a form or JSON body
	}
	if len(body) == 0 {
		return
	}
	text := untrusted.Text(string(body[:min(len(body), maxAPIBodyShown)]))
	if len(body) > maxAPIBodyShown {
		text += st.Muted.Render(fmt.Sprintf("… (%d bytes in all; R shows the exchange)", len(body)))
	}
	p.blank()
	p.line(text)
}
