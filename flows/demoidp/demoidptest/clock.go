package demoidptest

import (
	"sync"
	"time"
)

// FixedNow is the fixed time of tests whose output must not change from run to run (goldens of
// iat, exp and countdowns): pass it as the provider's and the client's clock.
func FixedNow() time.Time { return time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC) }

// Clock is a clock a test moves by hand, for a provider whose codes and requests must expire
// without the test waiting. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a Clock set to start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now is the clock's time; pass the method value as demoidp.Options.Now.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
