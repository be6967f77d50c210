package inspector

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
)

// The inspector's command: a token validated off the event loop (the keys may be fetched).

// tokenVerifiedMsg is the result of verifyToken.
type tokenVerifiedMsg struct {
	reqID  int
	report flows.Report
	at     time.Time
}

// verifyToken validates a token (flows.Verify); it may fetch the provider's JWKS.
func verifyToken(keys flows.KeySource, raw string, exp flows.Expect, now time.Time, skew time.Duration, id int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
		defer cancel()
		return tokenVerifiedMsg{reqID: id, report: flows.Verify(ctx, raw, keys, exp, now, skew), at: now}
	}
}
