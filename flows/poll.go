package flows

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// KindPollExpired is tokenbench stopping a device or CIBA poll itself because the code's lifetime
// (expires_in) ran out: the provider did not say expired_token. It has an entry in
// assets/explanations.yaml.
const KindPollExpired Kind = "poll_expired"

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
	polls, last := 0, ""
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
		}
		if !p.expiry.IsZero() && time.Now().After(p.expiry) {
			return nil, p.expired(polls, last)
		}
		t, err := c.requestToken(ctx, p.step, cloneValues(p.form))
		polls++
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
		last = oe.Code
		if onPoll != nil {
			onPoll(DevicePoll{Code: oe.Code, Interval: interval})
		}
		timer.Reset(interval)
	}
}

// expired is the error of a poll tokenbench ended because the handle's lifetime ran out, saying what
// the provider kept answering until then.
func (p tokenPoll) expired(polls int, last string) error {
	said := "no poll was sent before then"
	if polls > 0 {
		said = fmt.Sprintf("the provider answered %d poll(s), the last with %s", polls, last)
	}
	return &Error{Kind: KindPollExpired, Detail: fmt.Sprintf(
		"tokenbench stopped the %s: %s ran out at %s (its expires_in) before the user approved it; %s. The provider did not send expired_token: this is tokenbench's own stop",
		p.flow, p.handle, p.expiry.UTC().Format(time.TimeOnly+" UTC"), said)}
}
