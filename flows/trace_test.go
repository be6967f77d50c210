package flows_test

import (
	"testing"

	"github.com/tokenbench/tokenbench/flows"
)

// TestTraceSnapshotsStay: a snapshot taken from the trace keeps what it held while the trace goes
// on recording (through the growth of its storage), and appending to a snapshot changes neither
// the trace nor another snapshot.
func TestTraceSnapshotsStay(t *testing.T) {
	tr := &flows.Trace{}
	for _, step := range []string{"discovery", "jwks", "token"} {
		tr.Record(flows.Exchange{Step: step})
	}
	first := tr.Exchanges()
	second := tr.Exchanges()
	branch := append(first, &flows.Exchange{ID: 99, Step: "branch"})
	for range 100 {
		tr.Record(flows.Exchange{Step: "userinfo"})
	}
	if len(first) != 3 || first[2].Step != "token" || len(second) != 3 {
		t.Fatalf("a snapshot changed: %d, %d exchanges", len(first), len(second))
	}
	if got := tr.Exchanges()[3]; got.Step != "userinfo" || got.ID != 4 {
		t.Fatalf("appending to a snapshot wrote into the trace: exchange 4 is %q #%d", got.Step, got.ID)
	}
	if branch[3].Step != "branch" || tr.Len() != 103 {
		t.Fatalf("branch %q, trace of %d", branch[3].Step, tr.Len())
	}
}
