package tracescreen

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Tests of the trace alone: selection, reveal, curl, exports, zoom, bodies.

// traceCommon is a shared context holding the fixed trace.
func traceCommon(tr *flows.Trace) *ui.Common {
	c := tuitest.FixedCommon(tuitest.FixedNow)
	c.Trace = tr
	return c
}

func TestTraceSelectionMoves(t *testing.T) {
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 80, 22)
	tm := s.(Model)
	if tm.sel != 3 || !tm.follow {
		t.Fatalf("a new trace screen selects the newest exchange and follows: sel %d follow %v", tm.sel, tm.follow)
	}
	s = feed(s, tuitest.Press("up"), tuitest.Press("k"))
	if tm := s.(Model); tm.sel != 1 || tm.follow {
		t.Fatalf("two ups: sel %d follow %v", tm.sel, tm.follow)
	}
	if v := strippedAll(s); !strings.Contains(v, "#2 jwks · GET http://127.0.0.1:1/jwks") {
		t.Errorf("the detail does not show the selected exchange:\n%s", v)
	}
	s = feed(s, tuitest.Press("home"), tuitest.Press("up"))
	if tm := s.(Model); tm.sel != 0 {
		t.Errorf("up from the first: sel %d", tm.sel)
	}
	// A new exchange while not following keeps the selection.
	x := flows.Exchange{ID: 5, Method: "GET", URL: "http://127.0.0.1:1/x", Status: 204, Started: tuitest.FixedNow}
	s, _ = s.Update(ui.ExchangeRecordedMsg{Exchange: x})
	if tm := s.(Model); tm.sel != 0 || len(tm.exchanges) != 5 {
		t.Errorf("not following: sel %d of %d", tm.sel, len(tm.exchanges))
	}
	// end goes to the newest and follows again: the next exchange is selected as it arrives.
	s = feed(s, tuitest.Press("end"))
	x.ID, x.URL = 6, "http://127.0.0.1:1/y"
	s, _ = s.Update(ui.ExchangeRecordedMsg{Exchange: x})
	if tm := s.(Model); tm.sel != 5 || !tm.follow {
		t.Errorf("following: sel %d follow %v", tm.sel, tm.follow)
	}
	// An exchange already listed (recorded before the screen was built) is not listed twice.
	s, _ = s.Update(ui.ExchangeRecordedMsg{Exchange: x})
	if n := len(s.(Model).exchanges); n != 6 {
		t.Errorf("duplicate listed: %d exchanges", n)
	}
}

// TestTraceCatchesUpAfterMissedExchanges: the trace drops live updates to a slow listener; the
// screen notices the gap and reads the trace again.
func TestTraceCatchesUpAfterMissedExchanges(t *testing.T) {
	tr := tuitest.FixedTrace()
	s := tuitest.Sized(New(traceCommon(tr)), 80, 22)
	tr.Record(flows.Exchange{Method: "GET", URL: "http://127.0.0.1:1/a"})
	tr.Record(flows.Exchange{Method: "GET", URL: "http://127.0.0.1:1/b"})
	xs := tr.Exchanges()
	s, _ = s.Update(ui.ExchangeRecordedMsg{Exchange: *xs[len(xs)-1]}) // the one before was missed
	if n := len(s.(Model).exchanges); n != 6 {
		t.Errorf("after a gap: %d exchanges listed, want 6", n)
	}
}

func TestTraceRevealToggle(t *testing.T) {
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 120, 38)
	s = feed(s, tuitest.Press("up")) // the token exchange
	for _, secret := range tuitest.TraceSecrets {
		if strings.Contains(strippedAll(s), secret) {
			t.Errorf("masked view shows %q", secret)
		}
	}
	if v := strippedAll(s); !strings.Contains(v, "code="+flows.Redacted) || !strings.Contains(v, "secrets masked") {
		t.Errorf("masked view:\n%s", v)
	}
	s = feed(s, tuitest.ToggleReveal(s.(Model).c))
	v := strings.ReplaceAll(strippedAll(s), "\n", "")
	for _, secret := range tuitest.TraceSecrets {
		if !strings.Contains(v, secret) {
			t.Errorf("revealed view lacks %q", secret)
		}
	}
	// The list never shows secrets, even revealed (the URL of a redirect could carry a code).
	s = feed(s, tuitest.ToggleReveal(s.(Model).c))
	if v := strippedAll(s); strings.Contains(v, "FAKE-") {
		t.Error("masking again left a secret on screen")
	}
}

func TestTraceCopyCurl(t *testing.T) {
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 100, 30)
	s = feed(s, tuitest.Press("up"))
	s, cmd := s.Update(tuitest.Press("c"))
	if cmd == nil {
		t.Fatal("copy returned no command")
	}
	if got := clipboardText(t, cmd); !strings.Contains(got, "curl -X POST 'http://127.0.0.1:1/token'") || strings.Contains(got, "FAKE-CODE-1") {
		t.Errorf("masked copy: %q", got)
	}
	if v := strippedAll(s); !strings.Contains(v, "copied request #3 as curl, secrets masked") {
		t.Errorf("no confirmation:\n%s", v)
	}
	s = feed(s, tuitest.ToggleReveal(s.(Model).c))
	_, cmd = s.Update(tuitest.Press("c"))
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

// TestTraceExportWritesRedactedFile: H and M ask for the path, prefilled with a new name in the
// current directory; the file written is redacted, private, and the messages of both saves stay in
// sight; a file that exists is replaced only when enter confirms it.
func TestTraceExportWritesRedactedFile(t *testing.T) {
	dir := t.TempDir()
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 100, 30)
	tm := s.(Model)
	tm.dir = dir
	s = tm
	var paths []string
	for _, tc := range []struct {
		key, ext string
	}{{"H", ".har"}, {"M", ".md"}} {
		s, _ = s.Update(tuitest.Press(tc.key))
		want := filepath.Join(dir, "tokenbench-20260314-093000"+tc.ext)
		if v := strippedAll(s); !strings.Contains(v, "tokenbench-20260314-093000"+tc.ext) || !s.(Model).CapturingText() {
			t.Fatalf("%s: no path asked for:\n%s", tc.key, v)
		}
		var cmd tea.Cmd
		s, cmd = s.Update(tuitest.Press("enter"))
		if v := strippedAll(s); !strings.Contains(v, "saving") {
			t.Errorf("%s: no progress shown", tc.key)
		}
		saved, ok := runCmd(cmd)[0].(traceSavedMsg)
		if !ok || saved.err != nil || saved.path != want {
			t.Fatalf("%s: %#v, want %s", tc.key, saved, want)
		}
		s, _ = s.Update(saved)
		paths = append(paths, want)
		v := strings.ReplaceAll(strippedAll(s), "\n", "")
		for _, p := range paths {
			if !strings.Contains(v, "saved "+p) {
				t.Errorf("%s: %s is not shown:\n%s", tc.key, p, v)
			}
		}
		info, err := os.Stat(saved.path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", tc.key, info.Mode().Perm())
		}
		data, _ := os.ReadFile(saved.path)
		for _, secret := range tuitest.TraceSecrets {
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
	// Saving again to the same name asks; enter then replaces the file, esc would keep it.
	if err := os.WriteFile(paths[0], []byte("older"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ = s.Update(tuitest.Press("H"))
	s, cmd := s.Update(tuitest.Press("enter"))
	saved := runCmd(cmd)[0].(traceSavedMsg)
	s, _ = s.Update(saved)
	if v := strings.ReplaceAll(strippedAll(s), "\n", ""); !errors.Is(saved.err, profiles.ErrFileExists) || !strings.Contains(v, "exists: enter") || !s.(Model).CapturingText() {
		t.Fatalf("a second save to %s: %v\n%s", paths[0], saved.err, v)
	}
	if data, _ := os.ReadFile(paths[0]); string(data) != "older" {
		t.Fatal("the file was replaced without asking")
	}
	_, cmd = s.Update(tuitest.Press("enter"))
	if saved := runCmd(cmd)[0].(traceSavedMsg); saved.err != nil {
		t.Fatalf("replacing: %v", saved.err)
	}
	if data, _ := os.ReadFile(paths[0]); !json.Valid(data) {
		t.Error("enter on the question did not replace the file")
	}
}

func TestTraceExportNothing(t *testing.T) {
	s := tuitest.Sized(New(tuitest.FixedCommon(tuitest.FixedNow)), 80, 22)
	s, cmd := s.Update(tuitest.Press("H"))
	if cmd != nil {
		t.Error("saving an empty session returned a command")
	}
	if v := strippedAll(s); !strings.Contains(v, "nothing to save") {
		t.Errorf("no message:\n%s", v)
	}
}

func TestTraceStaleSaveDropped(t *testing.T) {
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 100, 30)
	s, _ = s.Update(tuitest.Press("H"))
	s, _ = s.Update(tuitest.Press("M"))
	s, _ = s.Update(traceSavedMsg{id: 1, path: "/old.har", format: exportHAR})
	if v := strippedAll(s); strings.Contains(v, "/old.har") {
		t.Error("an older save's result replaced the newer one's progress")
	}
}

func TestTraceZoom(t *testing.T) {
	s := tuitest.Sized(New(traceCommon(tuitest.FixedTrace())), 80, 22)
	s = feed(s, tuitest.Press("up"), tuitest.Press("enter"))
	tm := s.(Model)
	if !tm.zoom || strings.Contains(ansi.Strip(tm.View()), "discovery") {
		t.Fatalf("zoomed view still shows the list:\n%s", ansi.Strip(tm.View()))
	}
	// In the zoomed detail, down scrolls instead of moving the selection.
	s = feed(s, tuitest.Press("down"))
	if tm := s.(Model); tm.sel != 2 || tm.vp.YOffset() != 1 {
		t.Errorf("zoomed down: sel %d offset %d", tm.sel, tm.vp.YOffset())
	}
	s = feed(s, tuitest.Press("esc"))
	if tm := s.(Model); tm.zoom {
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

// feed hands msgs to the trace screen, delivering the saves its commands answer at once.
func feed(s ui.Screen, msgs ...tea.Msg) ui.Screen { return tuitest.Feed[traceSavedMsg](s, msgs...) }

// strippedAll is the view and the whole detail, without escape codes.
func strippedAll(s ui.Screen) string {
	tm := s.(Model)
	return ansi.Strip(tm.View() + "\n" + tm.vp.GetContent())
}

// runCmd runs a command and its batches by hand, returning every message (STYLE §9 layer 2); ticks
// are not waited for but reported as they would arrive.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
