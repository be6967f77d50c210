package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
)

// TestTraceGolden shows the fixed trace of a fake issuer with the token exchange selected, its
// secrets masked.
func TestTraceGolden(t *testing.T) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			client, err := flows.NewClient(flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "fake-client"}, flows.TransportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			client.Trace = fixedTrace()
			m := New(Options{Client: client, Name: "fake-client @ fake issuer", Start: traceScreen, Now: func() time.Time { return fixedNow }})
			runGolden(t, m, size.w, size.h, "grant_type", tea.KeyPressMsg{Code: tea.KeyUp})
		})
	}
}
