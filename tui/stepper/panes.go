package stepper

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
)

// Pieces of the stepper's right pane shared by the steps: masked secrets, endpoints, requests,
// responses, checks, the parameter form, errors explained, the raw exchange.

// secret shows a secret masked unless revealed (s).
func (s flowModel) secret(v string) string {
	if v == "" {
		return s.c.Styles.Muted.Render("(none)")
	}
	if s.reveal {
		return s.c.Styles.Secret.Render(v)
	}
	return s.c.Styles.Secret.Render("••••••••") + s.c.Styles.Muted.Render(fmt.Sprintf(" %d chars (s shows)", len(v)))
}

// endpoint is a configured or discovered endpoint, or a note that discovery will find it.
func (s flowModel) endpoint(pick func(flows.Endpoints) string) string {
	if s.c.Client != nil {
		if v := pick(s.c.Client.Config.Endpoints); v != "" {
			return v
		}
	}
	if s.meta != nil {
		if v := pick(s.meta.Endpoints); v != "" {
			return v
		}
		return s.c.Styles.Fail.Render("(the provider's metadata has none)")
	}
	return s.c.Styles.Muted.Render("(from discovery)")
}

// request writes a request's first line.
func (s flowModel) request(p *flowPane, method, url string) {
	p.heading("Request")
	if !strings.Contains(url, "\x1b") { // a note such as "(from discovery)" is styled already
		url = s.c.Styles.URL.Render(url)
	}
	p.line(s.c.Styles.Value.Bold(true).Render(method) + " " + url)
}

// clientAuth describes how the client authenticates at the token endpoint.
func (s flowModel) clientAuth(p *flowPane) {
	cfg := s.c.Client.Config
	m := cfg.AuthMethod
	switch {
	case m != "":
	case cfg.SigningKey != nil:
		m = flows.AuthPrivateKeyJWT
	case cfg.ClientSecret != "":
		m = flows.AuthClientSecretBasic
	default:
		m = flows.AuthNone
	}
	switch m {
	case flows.AuthClientSecretBasic:
		p.kv("Authorization", "Basic base64("+cfg.ClientID+":"+s.secret(cfg.ClientSecret)+")")
	case flows.AuthClientSecretPost:
		p.kv("client_id", cfg.ClientID)
		p.kv("client_secret", s.secret(cfg.ClientSecret))
	case flows.AuthNone:
		p.kv("client_id", cfg.ClientID+s.c.Styles.Muted.Render("  (public client)"))
	case flows.AuthClientSecretJWT, flows.AuthPrivateKeyJWT:
		p.kv("client_assertion", s.c.Styles.Muted.Render("a signed JWT ("+string(m)+"), made when sent"))
	}
}

// response writes a response's status line from its exchange.
func (s flowModel) response(p *flowPane, id stepID) {
	r := s.steps[id]
	p.heading("Response")
	if r.raw == nil {
		return
	}
	status := fmt.Sprintf("HTTP %d %s", r.raw.Status, http.StatusText(r.raw.Status))
	if r.raw.Status >= 400 || r.raw.Err != "" {
		p.line(s.c.Styles.Fail.Render(status) + s.c.Styles.Muted.Render("  R shows it raw"))
		return
	}
	p.line(s.c.Styles.Pass.Render(status) + s.c.Styles.Muted.Render("  R shows it raw"))
}

// members writes a JSON object's members, sorted, secrets masked.
func (s flowModel) members(p *flowPane, m map[string]any) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := untrusted.Line(memberText(m[k])) // the provider's text: shown, never obeyed
		switch {
		case secretMember(k):
			v = s.secret(v)
		case k == "expires_in":
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				v += s.c.Styles.Muted.Render("  (" + secondsText(int64(n)) + ")")
			}
		case k == "exp" || k == "iat" || k == "nbf" || k == "auth_time":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				v += s.c.Styles.Muted.Render("  (" + time.Unix(n, 0).UTC().Format("2006-01-02 15:04:05 UTC") + ")")
			}
		}
		p.kv(untrusted.Line(k), v)
	}
}

// secretMember reports the members shown masked.
func secretMember(k string) bool {
	switch k {
	case "access_token", "refresh_token", "id_token", "device_code", "client_secret", "code", "code_verifier", "password":
		return true
	}
	return false
}

// memberText renders a JSON value on one line.
func memberText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// secondsText is a duration in seconds for people: "1 h", "5 min", "45 s".
func secondsText(n int64) string {
	d := time.Duration(n) * time.Second
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%d min %d s", d/time.Minute, (d%time.Minute)/time.Second)
	}
	return fmt.Sprintf("%d s", n)
}

// checks writes validation checks, each pass / fail / skipped with its detail.
func (s flowModel) checks(p *flowPane, title string, cs []flows.Check) {
	if len(cs) == 0 {
		return
	}
	st := s.c.Styles
	p.heading(title)
	nameW := 10
	for _, c := range cs {
		nameW = max(nameW, min(16, lipgloss.Width(c.Name)))
	}
	indent := 6 + 1 + nameW + 1 // "✓ pass", the name, a space each
	for _, c := range cs {
		var mark string
		switch c.Status {
		case flows.CheckPass:
			mark = st.Pass.Render("✓ pass")
		case flows.CheckFail:
			mark = st.Fail.Render("✗ FAIL")
		default:
			mark = st.Skipped.Render("– skip")
		}
		name := padStyled(c.Name, nameW)
		lines := strings.Split(p.wrap(untrusted.Text(c.Detail), max(8, p.w-indent)), "\n")
		for i, l := range lines {
			if i == 0 {
				p.b.WriteString(mark + " " + name + " " + st.Muted.Render(l) + "\n")
			} else {
				p.b.WriteString(strings.Repeat(" ", indent) + st.Muted.Render(l) + "\n")
			}
		}
	}
}

// formView writes the request's parameters: the form's inputs while editing, else their values.
func (s flowModel) formView(p *flowPane) {
	p.formShown = true
	st := s.c.Styles
	f := s.form
	if f.editing {
		p.heading("Parameters — ↑/↓ field, ←/→ choice, enter done")
	} else {
		p.heading("Parameters " + st.Muted.Render("(e edits)"))
	}
	for _, id := range f.visible() {
		var v string
		switch {
		case id.isChoice():
			v = f.value(id)
			if f.editing && f.focus == id {
				v = "◂ " + v + " ▸"
			} else if id == fieldDPoP {
				v = s.dpopValue()
			}
		case f.editing:
			v = f.inputs[id].View()
		case id.secret():
			v = s.secret(f.inputs[id].Value())
		default:
			v = f.value(id)
			if v == "" {
				v = st.Muted.Render("—")
			}
		}
		name := id.label()
		if f.editing && f.focus == id {
			p.labelled(st.FieldFocused.Render("▸"+name), v)
		} else {
			p.kv(name, v)
		}
		if id == fieldAuthzDetails {
			s.detailsNote(p)
		}
	}
	if err := f.validate(); err != nil {
		p.line(st.Fail.Render(err.Error()))
	}
}

// detailsNote is written under the authorization_details field: the file's error beside it, or
// that it was read and checked.
func (s flowModel) detailsNote(p *flowPane) {
	st := s.c.Styles
	f := s.form
	path := f.value(fieldAuthzDetails)
	if path == "" || !f.grant.sendsDetails() {
		return
	}
	indent := strings.Repeat(" ", labelWidth)
	switch {
	case f.detailsPath != path:
		p.line(indent + st.Muted.Render("read when the field is left"))
	case f.detailsErr != nil:
		p.kv("", st.Fail.Render("✗ "+f.detailsErr.Error()))
	default:
		p.kv("", st.Pass.Render("✓ valid")+st.Muted.Render(fmt.Sprintf(" (%d bytes, RFC 9396 §2)", len(f.details))))
	}
}

// errorView explains a failed step in place: the OAuth error code and description, then what it
// means, its likely causes and what to check (assets/explanations.yaml).
func (s flowModel) errorView(p *flowPane) {
	r := s.steps[s.cursor]
	if r.state != stateFailed || r.err == nil {
		return
	}
	st := s.c.Styles
	inner := &flowPane{st: st, w: p.w - st.ErrorBox.GetHorizontalFrameSize(), scrub: s.c.Scrub}
	if errors.Is(r.err, errBindingFailed) {
		inner.line(st.ErrorCode.Render("binding checks failed"))
		bs := s.binding
		if s.cursor == stepRefresh {
			bs = s.refBinding
		}
		for _, c := range bs {
			if c.Status == flows.CheckFail {
				s.explain(inner, string(c.Kind), c.Name+": "+c.Detail)
			}
		}
	} else if errors.Is(r.err, errChecksFailed) {
		inner.line(st.ErrorCode.Render("id_token checks failed"))
		for _, c := range s.failedChecks() {
			s.explain(inner, string(c.Kind), c.Name+": "+c.Detail)
		}
	} else {
		code, _, _ := flows.Explain(r.err)
		var oe *flows.OAuthError
		detail := r.err.Error()
		if errors.As(r.err, &oe) {
			detail = oe.Description
			if oe.Status != 0 {
				detail += fmt.Sprintf(" [HTTP %d from the %s]", oe.Status, oe.Endpoint)
			} else if oe.Endpoint != "" {
				detail += " [" + oe.Endpoint + "]"
			}
		}
		s.explain(inner, code, detail)
	}
	if r.raw != nil {
		inner.line(st.KeyHint.Render("R shows the raw response"))
	}
	p.blank()
	p.b.WriteString(st.ErrorBox.Width(p.w).Render(inner.String()) + "\n")
}

// failedChecks are the failed id_token checks of the selected token step.
func (s flowModel) failedChecks() []flows.Check {
	if s.cursor == stepRefresh {
		return s.refreshReport.Failed()
	}
	return s.report.Failed()
}

// explain writes an error code, its detail and its explanation.
func (s flowModel) explain(p *flowPane, code, detail string) {
	st := s.c.Styles
	// The code and the detail may be a provider's (error, error_description): shown, never
	// obeyed, so that carriage returns and escapes cannot wreck the box.
	if code == "" {
		p.line(st.ErrorCode.Render("error"))
	} else {
		p.line(st.ErrorCode.Render(untrusted.Line(code)))
	}
	if strings.TrimSpace(detail) != "" {
		p.line(untrusted.Text(detail))
	}
	ex, ok := assets.Explain(code)
	if !ok {
		return
	}
	p.line(st.Value.Bold(true).Render(ex.Title) + " " + st.Muted.Render("("+ex.Spec+")"))
	p.line(ex.Meaning)
	if len(ex.Causes) > 0 {
		p.line(st.Label.Render("Likely causes:"))
		for _, c := range ex.Causes {
			p.bullet("•", c)
		}
	}
	if len(ex.Checks) > 0 {
		p.line(st.Label.Render("Check:"))
		for _, c := range ex.Checks {
			p.bullet("→", c)
		}
	}
}

// rawView is the selected step's last HTTP exchange, secrets masked unless revealed.
func (s flowModel) rawView(p *flowPane) {
	st := s.c.Styles
	r := s.steps[s.cursor]
	p.heading("Raw exchange " + st.Muted.Render("(R or esc returns)"))
	if r.raw == nil {
		p.line(st.Muted.Render("This step has no HTTP exchange of its own (the callback comes from the browser)."))
		return
	}
	x := *r.raw
	if !s.reveal {
		x = x.Redact()
	}
	text := x.String()
	if len(x.ResponseBody) > 0 && json.Valid(x.ResponseBody) {
		text = strings.Replace(text, string(x.ResponseBody), prettyBody(x.ResponseBody), 1)
	}
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		p.line(untrusted.Line(l))
	}
}

// prettyBody pretty-prints a JSON body, prefixing its lines as the exchange's text does.
func prettyBody(b []byte) string {
	var out strings.Builder
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	pretty, err := json.MarshalIndent(v, "< ", "  ")
	if err != nil {
		return string(b)
	}
	out.Write(pretty)
	return out.String()
}
