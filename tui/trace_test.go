package tui

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
)

// The secrets of the fixed trace: none may be shown masked, copied masked, or saved.
var traceSecrets = []string{
	"ZmFrZS1jbGllbnQ6ZmFrZS1zZWNyZXQ", // Basic fake-client:fake-secret
	"FAKE-CODE-1", "FAKE-VERIFIER-1", "FAKE-ACCESS-TOKEN-1", "FAKE-REFRESH-TOKEN-1", "FAKE-ID-TOKEN-1",
}

// fixedTraceExchanges are a session's exchanges with fixed times against a fake issuer:
// discovery, JWKS, the code exchange with every kind of secret, userinfo that could not connect.
func fixedTraceExchanges() []flows.Exchange {
	t0 := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	js := http.Header{"Content-Type": {"application/json"}, "Date": {"Sat, 14 Mar 2026 09:26:53 GMT"}}
	return []flows.Exchange{
		{
			Step: "discovery", Started: t0, Duration: 12 * time.Millisecond, Method: "GET",
			URL:           "http://127.0.0.1:1/.well-known/openid-configuration",
			RequestHeader: http.Header{"Accept": {"application/json"}}, Status: 200, ResponseHeader: js,
			ResponseBody: []byte(`{"issuer":"http://127.0.0.1:1","authorization_endpoint":"http://127.0.0.1:1/authorize","token_endpoint":"http://127.0.0.1:1/token","jwks_uri":"http://127.0.0.1:1/jwks","userinfo_endpoint":"http://127.0.0.1:1/userinfo"}`),
		},
		{
			Step: "jwks", Started: t0.Add(20 * time.Millisecond), Duration: 3 * time.Millisecond, Method: "GET",
			URL: "http://127.0.0.1:1/jwks", RequestHeader: http.Header{"Accept": {"application/json"}}, Status: 200,
			ResponseHeader: js, ResponseBody: []byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"fake-key-1","x":"AAAA","y":"BBBB"}]}`),
		},
		{
			Step: "token", Started: t0.Add(4 * time.Second), Duration: 1234 * time.Millisecond, Method: "POST",
			URL: "http://127.0.0.1:1/token",
			RequestHeader: http.Header{
				"Content-Type":  {"application/x-www-form-urlencoded"},
				"Authorization": {"Basic " + traceSecrets[0] + "="},
			},
			RequestBody:    []byte("grant_type=authorization_code&code=FAKE-CODE-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback&code_verifier=FAKE-VERIFIER-1"),
			Status:         200,
			ResponseHeader: js,
			ResponseBody:   []byte(`{"access_token":"FAKE-ACCESS-TOKEN-1","token_type":"Bearer","expires_in":3600,"refresh_token":"FAKE-REFRESH-TOKEN-1","id_token":"FAKE-ID-TOKEN-1","scope":"openid profile"}`),
		},
		{
			Step: "userinfo", Started: t0.Add(6 * time.Second), Duration: 2 * time.Millisecond, Method: "GET",
			URL:           "http://127.0.0.1:1/userinfo",
			RequestHeader: http.Header{"Authorization": {"Bearer FAKE-ACCESS-TOKEN-1"}},
			Err:           "dial tcp 127.0.0.1:1: connect: connection refused",
		},
	}
}

// fixedTrace records the fixed exchanges in a new trace.
func fixedTrace() *flows.Trace {
	tr := &flows.Trace{}
	for _, x := range fixedTraceExchanges() {
		tr.Record(x)
	}
	return tr
}

// traceCommon is a shared context holding the fixed trace.
func traceCommon(tr *flows.Trace) *common {
	c := fixedCommon(fixedNow)
	c.trace = tr
	return c
}

// strippedAll is the view and the whole detail, without escape codes.
func strippedAll(s screen) string {
	tm := s.(traceModel)
	return ansi.Strip(tm.View() + "\n" + tm.vp.GetContent())
}

func TestTraceSelectionMoves(t *testing.T) {
	s := sized(newTrace(traceCommon(fixedTrace())), 80, 22)
	tm := s.(traceModel)
	if tm.sel != 3 || !tm.follow {
		t.Fatalf("a new trace screen selects the newest exchange and follows: sel %d follow %v", tm.sel, tm.follow)
	}
	s = feed(s, press("up"), press("k"))
	if tm := s.(traceModel); tm.sel != 1 || tm.follow {
		t.Fatalf("two ups: sel %d follow %v", tm.sel, tm.follow)
	}
	if v := strippedAll(s); !strings.Contains(v, "#2 jwks · GET http://127.0.0.1:1/jwks") {
		t.Errorf("the detail does not show the selected exchange:\n%s", v)
	}
	s = feed(s, press("g"), press("up"))
	if tm := s.(traceModel); tm.sel != 0 {
		t.Errorf("up from the first: sel %d", tm.sel)
	}
	// A new exchange while not following keeps the selection.
	x := flows.Exchange{ID: 5, Method: "GET", URL: "http://127.0.0.1:1/x", Status: 204, Started: fixedNow}
	s, _ = s.Update(exchangeRecordedMsg{exchange: x})
	if tm := s.(traceModel); tm.sel != 0 || len(tm.exchanges) != 5 {
		t.Errorf("not following: sel %d of %d", tm.sel, len(tm.exchanges))
	}
	// G goes to the newest and follows again: the next exchange is selected as it arrives.
	s = feed(s, press("G"))
	x.ID, x.URL = 6, "http://127.0.0.1:1/y"
	s, _ = s.Update(exchangeRecordedMsg{exchange: x})
	if tm := s.(traceModel); tm.sel != 5 || !tm.follow {
		t.Errorf("following: sel %d follow %v", tm.sel, tm.follow)
	}
	// An exchange already listed (recorded before the screen was built) is not listed twice.
	s, _ = s.Update(exchangeRecordedMsg{exchange: x})
	if n := len(s.(traceModel).exchanges); n != 6 {
		t.Errorf("duplicate listed: %d exchanges", n)
	}
}

// TestTraceCatchesUpAfterMissedExchanges: the trace drops live updates to a slow listener; the
// screen notices the gap and reads the trace again.
func TestTraceCatchesUpAfterMissedExchanges(t *testing.T) {
	tr := fixedTrace()
	s := sized(newTrace(traceCommon(tr)), 80, 22)
	tr.Record(flows.Exchange{Method: "GET", URL: "http://127.0.0.1:1/a"})
	tr.Record(flows.Exchange{Method: "GET", URL: "http://127.0.0.1:1/b"})
	xs := tr.Exchanges()
	s, _ = s.Update(exchangeRecordedMsg{exchange: xs[len(xs)-1]}) // the one before was missed
	if n := len(s.(traceModel).exchanges); n != 6 {
		t.Errorf("after a gap: %d exchanges listed, want 6", n)
	}
}

func TestTraceRevealToggle(t *testing.T) {
	s := sized(newTrace(traceCommon(fixedTrace())), 120, 38)
	s = feed(s, press("up")) // the token exchange
	for _, secret := range traceSecrets {
		if strings.Contains(strippedAll(s), secret) {
			t.Errorf("masked view shows %q", secret)
		}
	}
	if v := strippedAll(s); !strings.Contains(v, "code="+flows.Redacted) || !strings.Contains(v, "secrets masked") {
		t.Errorf("masked view:\n%s", v)
	}
	s = feed(s, press("s"))
	v := strings.ReplaceAll(strippedAll(s), "\n", "")
	for _, secret := range traceSecrets {
		if !strings.Contains(v, secret) {
			t.Errorf("revealed view lacks %q", secret)
		}
	}
	// The list never shows secrets, even revealed (the URL of a redirect could carry a code).
	s = feed(s, press("s"))
	if v := strippedAll(s); strings.Contains(v, "FAKE-") {
		t.Error("masking again left a secret on screen")
	}
}

func TestTraceCopyCurl(t *testing.T) {
	s := sized(newTrace(traceCommon(fixedTrace())), 100, 30)
	s = feed(s, press("up"))
	s, cmd := s.Update(press("y"))
	if cmd == nil {
		t.Fatal("copy returned no command")
	}
	if got := clipboardText(t, cmd); !strings.Contains(got, "curl -X POST 'http://127.0.0.1:1/token'") || strings.Contains(got, "FAKE-CODE-1") {
		t.Errorf("masked copy: %q", got)
	}
	if v := strippedAll(s); !strings.Contains(v, "copied request #3 as curl, secrets masked") {
		t.Errorf("no confirmation:\n%s", v)
	}
	s = feed(s, press("s"))
	_, cmd = s.Update(press("c"))
	if got := clipboardText(t, cmd); !strings.Contains(got, "code=FAKE-CODE-1") {
		t.Errorf("revealed copy: %q", got)
	}
}

// clipboardText runs a tea.SetClipboard command and returns the text it would copy (its message
// is an unexported string type).
func clipboardText(t *testing.T, cmd tea.Cmd) string {
	t.Helper()
	v := reflect.ValueOf(cmd())
	if v.Kind() != reflect.String {
		t.Fatalf("not a clipboard message: %T", cmd())
	}
	return v.String()
}

func TestTraceExportWritesRedactedFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		key, ext string
	}{{"H", ".har"}, {"M", ".md"}} {
		s := sized(newTrace(traceCommon(fixedTrace())), 100, 30)
		tm := s.(traceModel)
		tm.dir = dir
		s, cmd := screen(tm).Update(press(tc.key))
		if cmd == nil {
			t.Fatalf("%s: no command", tc.key)
		}
		if v := strippedAll(s); !strings.Contains(v, "saving") {
			t.Errorf("%s: no progress shown", tc.key)
		}
		msgs := runCmd(cmd)
		if len(msgs) != 1 {
			t.Fatalf("%s: %d messages", tc.key, len(msgs))
		}
		saved, ok := msgs[0].(traceSavedMsg)
		if !ok || saved.err != nil {
			t.Fatalf("%s: %#v", tc.key, msgs[0])
		}
		want := filepath.Join(dir, "tokenbench-20260314-093000"+tc.ext)
		if saved.path != want {
			t.Errorf("%s: path %q, want %q", tc.key, saved.path, want)
		}
		s, _ = s.Update(saved)
		if v := strings.ReplaceAll(strippedAll(s), "\n", ""); !strings.Contains(v, "saved "+want) {
			t.Errorf("%s: the path is not shown:\n%s", tc.key, v)
		}
		info, err := os.Stat(saved.path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", tc.key, info.Mode().Perm())
		}
		data, _ := os.ReadFile(saved.path)
		for _, secret := range traceSecrets {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s: the file holds %q", tc.key, secret)
			}
		}
		if tc.ext == ".har" && !json.Valid(data) {
			t.Error("the HAR is not JSON")
		}
		if tc.ext == ".md" && !strings.Contains(string(data), "## #3 token — POST http://127.0.0.1:1/token → 200 OK") {
			t.Errorf("the report lacks the token exchange:\n%s", data)
		}
	}
	// Saving twice in the same second makes a second file, never replacing the first.
	s := sized(newTrace(traceCommon(fixedTrace())), 100, 30)
	tm := s.(traceModel)
	tm.dir = dir
	_, cmd := screen(tm).Update(press("H"))
	if saved := runCmd(cmd)[0].(traceSavedMsg); saved.path != filepath.Join(dir, "tokenbench-20260314-093000-2.har") {
		t.Errorf("second save: %q", saved.path)
	}
}

func TestTraceExportNothing(t *testing.T) {
	s := sized(newTrace(fixedCommon(fixedNow)), 80, 22)
	s, cmd := s.Update(press("H"))
	if cmd != nil {
		t.Error("saving an empty session returned a command")
	}
	if v := strippedAll(s); !strings.Contains(v, "nothing to save") {
		t.Errorf("no message:\n%s", v)
	}
}

func TestTraceStaleSaveDropped(t *testing.T) {
	s := sized(newTrace(traceCommon(fixedTrace())), 100, 30)
	s, _ = s.Update(press("H"))
	s, _ = s.Update(press("M"))
	s, _ = s.Update(traceSavedMsg{id: 1, path: "/old.har", format: exportHAR})
	if v := strippedAll(s); strings.Contains(v, "/old.har") {
		t.Error("an older save's result replaced the newer one's progress")
	}
}

func TestTraceZoom(t *testing.T) {
	s := sized(newTrace(traceCommon(fixedTrace())), 80, 22)
	s = feed(s, press("up"), press("enter"))
	tm := s.(traceModel)
	if !tm.zoom || strings.Contains(ansi.Strip(tm.View()), "discovery") {
		t.Fatalf("zoomed view still shows the list:\n%s", ansi.Strip(tm.View()))
	}
	// In the zoomed detail, down scrolls instead of moving the selection.
	s = feed(s, press("down"))
	if tm := s.(traceModel); tm.sel != 2 || tm.vp.YOffset() != 1 {
		t.Errorf("zoomed down: sel %d offset %d", tm.sel, tm.vp.YOffset())
	}
	s = feed(s, press("esc"))
	if tm := s.(traceModel); tm.zoom {
		t.Error("esc did not leave the zoomed detail")
	}
}

func TestFormatBody(t *testing.T) {
	form := formatBody([]byte("a=1&b=x%20y&code="+flows.Redacted), "application/x-www-form-urlencoded")
	if form != "a=1\nb=x y\ncode="+flows.Redacted {
		t.Errorf("form: %q", form)
	}
	if got := formatBody([]byte(`{"a":[1,2]}`), "application/json"); got != "{\n  \"a\": [\n    1,\n    2\n  ]\n}" {
		t.Errorf("json: %q", got)
	}
	if got := formatBody([]byte{0xff, 0xfe, 0x00}, "application/octet-stream"); got != "(3 bytes of binary data)" {
		t.Errorf("binary: %q", got)
	}
}

// TestTraceClickSelects: a left click on a row of the list selects its exchange; the root makes
// the click relative to the body, so the row is found where it is drawn.
func TestTraceClickSelects(t *testing.T) {
	c, err := flows.NewClient(flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "x", RedirectURI: "https://app.example.com/cb"}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range fixedTraceExchanges() {
		c.Trace.Record(x)
	}
	m, _ := appUpdate(t, New(Options{Client: c, Now: flowNow, Start: traceScreen}), tea.WindowSizeMsg{Width: 80, Height: 24})
	rowOf := func(m Model, text string) int {
		for y, line := range strings.Split(ansi.Strip(m.View().Content), "\n") {
			if strings.Contains(line, text) && strings.Contains(line, "GET") {
				return y
			}
		}
		t.Fatalf("no list row shows %q", text)
		return 0
	}
	m, _ = appUpdate(t, m, tea.MouseClickMsg{X: 10, Y: rowOf(m, "/jwks"), Button: tea.MouseLeft})
	tm := m.screens[traceScreen].(traceModel)
	if tm.sel != 1 || tm.follow {
		t.Fatalf("click on the jwks row: selected %d (follow %v), want 1", tm.sel, tm.follow)
	}
	if v := strippedAll(tm); !strings.Contains(v, "#2 jwks · GET") {
		t.Errorf("the detail does not show the clicked exchange:\n%s", v)
	}
	m, _ = appUpdate(t, m, tea.MouseClickMsg{X: 10, Y: rowOf(m, "/.well-known"), Button: tea.MouseRight})
	if sel := m.screens[traceScreen].(traceModel).sel; sel != 1 {
		t.Errorf("a right click moved the selection to %d", sel)
	}
	m, _ = appUpdate(t, m, tea.MouseClickMsg{X: 10, Y: rowOf(m, "/.well-known"), Button: tea.MouseLeft})
	if sel := m.screens[traceScreen].(traceModel).sel; sel != 0 {
		t.Errorf("click on the discovery row: selected %d, want 0", sel)
	}
}

// TestFlowClickSelectsStep: a left click on a step of the stepper's list selects it.
func TestFlowClickSelectsStep(t *testing.T) {
	m := newTestApp(t)
	var y int
	for i, line := range strings.Split(ansi.Strip(m.View().Content), "\n") {
		if strings.Contains(line, "Introspect") {
			y = i
		}
	}
	m, _ = appUpdate(t, m, tea.MouseClickMsg{X: 3, Y: y, Button: tea.MouseLeft})
	if cur := flowOf(m).cursor; cur != stepIntrospect {
		t.Fatalf("click on the Introspect row selected %s", cur.title())
	}
	m, _ = appUpdate(t, m, tea.MouseClickMsg{X: 60, Y: y - 3, Button: tea.MouseLeft})
	if cur := flowOf(m).cursor; cur != stepIntrospect {
		t.Errorf("a click in the pane moved the step to %s", cur.title())
	}
}
