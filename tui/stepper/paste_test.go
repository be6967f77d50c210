package stepper

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestFlowPastePlaceholderIsHint: the paste input's placeholder is in parentheses, as every input's
// is (ui.Hint), so that without colour it does not read as a URL already pasted.
func TestFlowPastePlaceholderIsHint(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "https://app.example.com/callback")
	r := newFlowRunner(t, flowCommon(c, nil, 140, 40))
	r.runStep(stepAuthorize)
	v := r.viewText()
	i := strings.Index(v, "Paste the redirected URL")
	if i < 0 {
		t.Fatalf("no paste input on screen:\n%s", v)
	}
	if !strings.Contains(v[i:], "(the URL the browser ended on") {
		t.Errorf("the paste input's placeholder is not a hint in parentheses:\n%s", v[i:])
	}
}
