package tracescreen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Tests of a HAR file opened in the trace: the prompt, the file's exchanges and findings, errors,
// and the way back to the session.

// openFile types O, the path and enter, then delivers what the command read. It returns the
// screen and the message the command answered.
func openFile(t *testing.T, s ui.Screen, path string) (ui.Screen, harOpenedMsg) {
	t.Helper()
	s, _ = s.Update(tuitest.Press("O"))
	if !s.(Model).CapturingText() {
		t.Fatal("O did not open the path prompt")
	}
	s, _ = s.Update(tea.PasteMsg{Content: path})
	s, cmd := s.Update(tuitest.Press("enter"))
	if cmd == nil {
		t.Fatal("enter returned no command")
	}
	if s.(Model).CapturingText() {
		t.Error("the prompt is still open after enter")
	}
	msgs := runCmd(cmd)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	msg, ok := msgs[0].(harOpenedMsg)
	if !ok {
		t.Fatalf("not a harOpenedMsg: %#v", msgs[0])
	}
	s, _ = s.Update(msg)
	return s, msg
}

func harTestdata(name string) string {
	return filepath.Join("..", "..", "flows", "testdata", "har", name)
}

func TestTraceOpensHARFile(t *testing.T) {
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 120, 40)
	s, msg := openFile(t, s, harTestdata("chrome-form-post.har"))
	if msg.err != nil {
		t.Fatal(msg.err)
	}
	v := strippedAll(s)
	if !strings.Contains(v, "HAR file chrome-form-post.har — 9 exchanges, 5 OAuth steps, 9 findings (✗ 5)") {
		t.Errorf("no header:\n%s", v)
	}
	if !strings.Contains(v, "7 09:12:21 token          POST   400      43ms  https://login.example.com/token") {
		t.Errorf("the token exchange is not listed:\n%s", v)
	}
	if strings.Contains(v, "127.0.0.1:1") {
		t.Errorf("the session's exchanges are still listed:\n%s", v)
	}
	if tm := s.(Model); tm.sel != 0 || !strings.Contains(v, "#1 ") {
		t.Errorf("the first exchange is not selected: sel %d\n%s", tm.sel, v)
	}
	// A click on a row selects it: the header above the list is counted.
	s, _ = s.Update(tea.MouseClickMsg{Button: tea.MouseLeft, Y: 4})
	if tm := s.(Model); tm.sel != 2 {
		t.Errorf("a click on the third row selected %d", tm.sel)
	}
	// The same detail as the session's: the token exchange in full, its code masked.
	s = feed(s, tuitest.Press("G"), tuitest.Press("up"), tuitest.Press("up"))
	if v := strippedAll(s); !strings.Contains(v, "#7 token · POST https://login.example.com/token") ||
		!strings.Contains(v, "code="+flows.Redacted) || !strings.Contains(v, "invalid_grant") {
		t.Errorf("the detail of the last exchange:\n%s", v)
	}
	// The session keeps recording; its exchanges do not join the file's.
	x := flows.Exchange{ID: 5, Method: "GET", URL: "http://127.0.0.1:1/late", Status: 200, Started: tuitest.FixedNow}
	c := s.(Model).c
	c.Trace.Record(x)
	s, _ = s.Update(ui.ExchangeRecordedMsg{Exchange: x})
	if n := s.(Model).ExchangeCount(); n != 9 {
		t.Errorf("a session exchange changed the file's list: %d exchanges", n)
	}
	// Saving is the session's: refused while a file is shown, never the file written as the session.
	s, cmd := s.Update(tuitest.Press("H"))
	if cmd != nil || !strings.Contains(strippedAll(s), "showing a HAR file") {
		t.Errorf("H while a file is shown:\n%s", strippedAll(s))
	}

	// f shows the findings, each with what it means and what to do; f again the exchange.
	s = feed(s, tuitest.Press("f"))
	v = strings.Join(strings.Fields(strippedAll(s)), " ")
	for _, want := range []string{
		"✗ pkce: #4: the authorization request has no code_challenge",
		"means: an intercepted code can be redeemed by anyone",
		"do: have the client send code_challenge with S256",
		"✓ state: #4 → #5: state came back unchanged",
		"? iss: #5: the authorization response has no iss (RFC 9207)",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("the findings lack %q:\n%s", want, v)
		}
	}
	s = feed(s, tuitest.Press("f"))
	if v := strippedAll(s); strings.Contains(v, "✗ pkce") {
		t.Error("f did not go back to the exchange")
	}

	// esc lists the session's trace again, with what it recorded meanwhile, following as before.
	s = feed(s, tuitest.Press("esc"))
	tm := s.(Model)
	v = strippedAll(s)
	if tm.har != nil || strings.Contains(v, "HAR file") || strings.Contains(v, "login.example.com") {
		t.Errorf("esc did not go back to the session:\n%s", v)
	}
	if tm.ExchangeCount() != 5 || tm.sel != 4 || !tm.follow || !strings.Contains(v, "http://127.0.0.1:1/late") {
		t.Errorf("the session's trace: %d exchanges, sel %d, follow %v\n%s", tm.ExchangeCount(), tm.sel, tm.follow, v)
	}
}

func TestTraceOpenHARErrors(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.har")
	if err := os.WriteFile(broken, []byte(`{"log": {"entries": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	// A file over the limit is refused before it is read (a sparse file: no disk is used).
	huge := filepath.Join(dir, "huge.har")
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, flows.MaxHARBytes+1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{broken, "could not open the HAR file: "},
		{huge, "-byte limit on HAR files"},
		{filepath.Join(dir, "missing.har"), "no such file or directory"},
		{dir, "is a directory"},
	} {
		s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 120, 40)
		s, msg := openFile(t, s, tc.path)
		if msg.err == nil {
			t.Fatalf("%s: opened", tc.path)
		}
		v := strings.ReplaceAll(strippedAll(s), "\n", "")
		if !strings.Contains(v, "could not open the HAR file: ") || !strings.Contains(v, tc.want) {
			t.Errorf("%s: no clear message:\n%s", tc.path, v)
		}
		// Nothing lost: the session's trace is still listed, selected as it was.
		if tm := s.(Model); tm.har != nil || tm.ExchangeCount() != 4 || tm.sel != 3 {
			t.Errorf("%s: the session's trace changed: %d exchanges, sel %d", tc.path, tm.ExchangeCount(), tm.sel)
		}
	}
}

// TestTraceOpenHARPrompt: the prompt takes global letters as text, esc gives up, a quoted
// relative path is read from the screen's directory.
func TestTraceOpenHARPrompt(t *testing.T) {
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 120, 40)
	s, _ = s.Update(tuitest.Press("O"))
	s, _ = s.Update(tuitest.Press("q"))
	if tm := s.(Model); !tm.CapturingText() || tm.input.Value() != "q" {
		t.Errorf("q while prompting: capturing %v value %q", tm.CapturingText(), tm.input.Value())
	}
	if h := s.ShortHelp(); len(h) != 2 || h[0].Help().Desc != "open the file" || h[1].Help().Desc != "cancel" {
		t.Errorf("the footer while prompting: %v", h)
	}
	s, cmd := s.Update(tuitest.Press("esc"))
	if tm := s.(Model); cmd != nil || tm.CapturingText() || tm.ExchangeCount() != 4 {
		t.Error("esc did not close the prompt and leave the trace as it was")
	}

	dir := t.TempDir()
	data, err := os.ReadFile(harTestdata("userinfo-401.har"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "customer login.har"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	tm := s.(Model)
	tm.dir = dir
	s, msg := openFile(t, tm, `'customer login.har'`)
	if msg.err != nil || msg.path != filepath.Join(dir, "customer login.har") {
		t.Fatalf("path %q: %v", msg.path, msg.err)
	}
	if v := strippedAll(s); !strings.Contains(v, "HAR file customer login.har — ") {
		t.Errorf("no header:\n%s", v)
	}
	if h := s.ShortHelp(); h[0].Help().Key != "f" || h[1].Help().Desc != "back to the session" {
		t.Errorf("the footer while a file is shown: %v", h)
	}
}

func TestTraceStaleHAROpenDropped(t *testing.T) {
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 120, 40)
	s, _ = openFile(t, s, harTestdata("chrome-form-post.har"))
	s = feed(s, tuitest.Press("esc"))
	s, _ = s.Update(harOpenedMsg{id: 0, path: "/old.har", flow: &flows.HARFlow{}})
	if tm := s.(Model); tm.har != nil {
		t.Error("an older open's result replaced the trace")
	}
}

// A file recorded in headless Chromium at the demo provider with its wrong-iss fault: f shows each
// finding with its explanation line, as `tokenbench har` prints it, then each token of the file
// with its checks, its signature verified against the JWKS the file holds.
func TestTraceHARFindingsExplainedAndTokensChecked(t *testing.T) {
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 120, 40)
	s, msg := openFile(t, s, harTestdata(filepath.Join("chromium", "demoidp-wrong-iss.har")))
	if msg.err != nil {
		t.Fatal(msg.err)
	}
	s = feed(s, tuitest.Press("f"))
	v := strings.Join(strings.Fields(strippedAll(s)), " ")
	for _, want := range []string{
		`✗ iss: #3: the response names the issuer "http://127.0.0.1:44375/evil"`,
		"iss_mismatch: The authorization response came from an unexpected issuer (RFC 9207 §2.4)",
		"Tokens in demoidp-wrong-iss.har signatures checked against the JWKS in the file",
		"#7 id_token (alg RS256, kid Nn3qp0TQM8uxPWGAOvXlWzDWTEno-u4Tep9xE13PAfg, sub demo-user-1)",
		`✓ signature valid RS256 signature by the key with kid "Nn3qp0TQM8uxPWGAOvXlWzDWTEno-u4Tep9xE13PAfg"`,
		`✗ iss iss is "http://127.0.0.1:44375/evil", but the expected issuer is "http://127.0.0.1:44375"`,
		"#7 access_token (alg RS256",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("the findings view lacks %q:\n%s", want, v)
		}
	}
	// An ✓ finding has no explanation line.
	if strings.Contains(v, "state came back unchanged state") {
		t.Errorf("an explanation under a passing finding:\n%s", v)
	}
}

// A file without a JWKS (the recording above, its keys' entry left out) says its tokens'
// signatures went unchecked, and how to check them.
func TestTraceHARTokensWithoutJWKS(t *testing.T) {
	data, err := os.ReadFile(harTestdata(filepath.Join("chromium", "demoidp-wrong-iss.har")))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Entries []map[string]any `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc.Log.Entries = slices.DeleteFunc(doc.Log.Entries, func(e map[string]any) bool {
		return strings.HasSuffix(e["request"].(map[string]any)["url"].(string), "/jwks")
	})
	path := filepath.Join(t.TempDir(), "nokeys.har")
	out, _ := json.Marshal(doc)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 120, 40)
	s, msg := openFile(t, s, path)
	if msg.err != nil || len(msg.flow.Tokens) != 2 {
		t.Fatalf("%v, %d tokens", msg.err, len(msg.flow.Tokens))
	}
	s = feed(s, tuitest.Press("f"))
	v := strings.Join(strings.Fields(strippedAll(s)), " ")
	if !strings.Contains(v, "the file holds no JWKS: signatures unchecked") || strings.Contains(v, "✓ signature") {
		t.Errorf("no word on the unchecked signatures:\n%s", v)
	}
}
