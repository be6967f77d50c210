package stepper

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// TestLabelsAreNeverCut: at 80 and 120 columns, no name in a name/value row is cut, a name runs
// into its value nowhere, and a URN is broken only where the width forces it, the break marked.
func TestLabelsAreNeverCut(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	runsInto := regexp.MustCompile(`[a-z_]https?://`)
	for _, w := range []int{80, 120} {
		r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, w, 60))
		r.runStep(stepDiscover)
		v := r.viewText()
		for _, name := range []string{"device_authorization", "pushed_authorization", "backchannel_authentication"} {
			if !strings.Contains(v, "│ "+name+" ") {
				t.Errorf("%d columns: %s is cut or joined to its value:\n%s", w, name, v)
			}
		}
		if strings.Contains(v, "…") || runsInto.MatchString(v) {
			t.Errorf("%d columns: a label is cut or runs into its value:\n%s", w, v)
		}
		for _, urn := range r.s.meta.GrantTypes {
			if !strings.HasPrefix(urn, "urn:") {
				continue
			}
			whole := strings.Contains(v, urn)
			if w >= 120 && !whole {
				t.Errorf("%d columns: %s is split though it fits:\n%s", w, urn, v)
			}
			if !whole && !strings.Contains(v, ui.ContinuedMark) {
				t.Errorf("%d columns: %s is split with no mark:\n%s", w, urn, v)
			}
		}
		for _, k := range pickKeys(grantCIBA) {
			r.send(k)
		}
		r.send(tuitest.Press("e"))
		v = r.viewText()
		for _, name := range []string{"login_hint_token", "requested_expiry", "token for introspect/revoke"} {
			if !strings.Contains(v, name) {
				t.Errorf("%d columns: the form's %s is cut:\n%s", w, name, v)
			}
		}
	}
}
