package tracescreen

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// The list's filter: / narrows the list as one types, the selection follows it, enter keeps it,
// esc in it clears it; the URL is matched as the list shows it, redacted.
func TestTraceFilter(t *testing.T) {
	tr := tuitest.FixedTrace()
	tr.Record(flows.Exchange{Step: "callback", Method: "GET", URL: "http://127.0.0.1:1/callback?code=FAKE-CODE-9&state=x", Status: 200, Started: tuitest.FixedNow})
	s := tuitest.Sized(New(traceCommon(tr)), 100, 30)
	s = feed(s, tuitest.Press("/"))
	if !s.(Model).CapturingText() {
		t.Fatal("/ does not focus the filter")
	}
	s = feed(s, typed("jwks")...)
	m := s.(Model)
	if len(m.exchanges) != 1 || m.exchanges[0].Step != "jwks" {
		t.Fatalf("filter jwks lists %d exchanges", len(m.exchanges))
	}
	v := strippedAll(s)
	if !strings.Contains(v, "/ jwks") || strings.Contains(v, "POST") || strings.Contains(v, "callback") {
		t.Errorf("the filtered list:\n%s", v)
	}
	if !strings.Contains(v, "#2 jwks · GET") {
		t.Errorf("the detail is not the only exchange left:\n%s", v)
	}
	s = feed(s, tuitest.Press("enter"))
	if s.(Model).CapturingText() || !strings.Contains(strippedAll(s), "filter: jwks (1 exchange of 5") {
		t.Errorf("enter does not keep the filter:\n%s", strippedAll(s))
	}
	// A secret in a URL is not matched: the list shows it redacted.
	s = feed(s, tuitest.Press("/"))
	s = feed(s, tuitest.Press("esc"))
	s = feed(s, tuitest.Press("/"))
	s = feed(s, typed("callback?code")...)
	if n := len(s.(Model).exchanges); n != 1 {
		t.Errorf("callback?code matched %d exchanges", n)
	}
	s = feed(s, typed("=FAKE")...)
	if n := len(s.(Model).exchanges); n != 0 {
		t.Errorf("a secret's text matched %d exchanges", n)
	}
	if v := strippedAll(s); !strings.Contains(v, "No exchange matches the filter.") {
		t.Errorf("an empty filtered list:\n%s", v)
	}
	s = feed(s, tuitest.Press("esc"))
	if m := s.(Model); len(m.exchanges) != 5 || m.filter.Value() != "" {
		t.Errorf("esc does not clear the filter: %d listed", len(m.exchanges))
	}
}

// typed is the key presses that type text.
func typed(text string) []tea.Msg {
	var out []tea.Msg
	for _, r := range text {
		out = append(out, tuitest.Press(string(r)))
	}
	return out
}
