package flows

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// tokenPoll is a token request repeated until the user decides: the device grant (RFC 8628 §3.4–3.5)
// and CIBA in poll mode (OpenID CIBA Core §7.3, §11) poll the same way.
type tokenPoll struct {
	// step names the exchanges in the trace.
	step string
	// form is the grant, sent unchanged on every poll.
	form url.Values
	// interval is the first interval; expiry is when the grant's handle ends (zero: never).
	interval time.Duration
	expiry   time.Time
	// flow ("device flow", "CIBA") and handle ("the device code", "the auth_req_id") name the
	// expiry tokenbench detects itself.
	flow, handle string
}

// pollToken polls the token endpoint until the user approves, denies, or the handle expires,
// reporting each pending answer to onPoll (which may be nil). It waits the interval before each poll,
// adds 5 seconds on slow_down (RFC 8628 §3.5, CIBA Core §11), and stops on expired_token,
// access_denied, any other error, the handle's expiry, or ctx's cancellation.
func (c *Client) pollToken(ctx context.Context, p tokenPoll, onPoll func(DevicePoll)) (*Token, error) {
	interval := p.interval
	timer := time.NewTimer(interval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
		}
		if !p.expiry.IsZero() && time.Now().After(p.expiry) {
			return nil, &OAuthError{Code: "expired_token", Description: p.handle + " expired before the user approved it (tokenbench stopped polling)", Endpoint: p.flow}
		}
		t, err := c.requestToken(ctx, p.step, cloneValues(p.form))
		var oe *OAuthError
		switch {
		case err == nil:
			return t, nil
		case !errors.As(err, &oe):
			return nil, err
		case oe.Code == "slow_down":
			interval += slowDownStep // slow_down adds 5 s, for this and every later poll
		case oe.Code != "authorization_pending":
			return nil, err // expired_token, access_denied and anything else end the flow
		}
		if onPoll != nil {
			onPoll(DevicePoll{Code: oe.Code, Interval: interval})
		}
		timer.Reset(interval)
	}
}
