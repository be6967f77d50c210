package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// DeviceAuthorization is a device authorization answer (RFC 8628 §3.2).
type DeviceAuthorization struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	// ExpiresIn and Interval are in seconds as received; Interval defaults to 5 (§3.2).
	ExpiresIn json.Number `json:"expires_in"`
	Interval  json.Number `json:"interval"`
	// Expiry is when the device code ends.
	Expiry time.Time `json:"-"`
}

// defaultDeviceInterval is RFC 8628 §3.2's default polling interval.
const defaultDeviceInterval = 5 * time.Second

// slowDownStep is what RFC 8628 §3.5 adds to the interval on slow_down.
const slowDownStep = 5 * time.Second

// PollInterval is the interval the provider asked for.
func (d *DeviceAuthorization) PollInterval() time.Duration {
	if n, err := strconv.ParseFloat(d.Interval.String(), 64); err == nil && n > 0 {
		return time.Duration(n * float64(time.Second))
	}
	return defaultDeviceInterval
}

// DeviceAuthorize starts the device flow (RFC 8628 §3.1).
func (c *Client) DeviceAuthorize(ctx context.Context) (*DeviceAuthorization, error) {
	endpoint, err := c.endpoints(ctx, "device authorization", func(e Endpoints) string { return e.DeviceAuthorization })
	if err != nil {
		return nil, err
	}
	// RFC 8628 §3.1 requires client_id of a client that does not authenticate, and allows it of one
	// that does: sending it beside HTTP Basic serves providers that read only the body (Dex ignores
	// the Basic header here, Hydra refuses the request without it).
	form := url.Values{"client_id": {c.Config.ClientID}}
	if s := c.Config.scope(); s != "" {
		form.Set("scope", s)
	}
	r, err := c.postForm(ctx, "device", endpoint, form, true)
	if err != nil {
		return nil, err
	}
	var d DeviceAuthorization
	if err := decodeJSON(r, "device authorization endpoint", &d); err != nil {
		return nil, err
	}
	if d.DeviceCode == "" || d.UserCode == "" || d.VerificationURI == "" {
		return nil, &Error{Kind: KindNonJSON, Detail: "the device authorization answer lacks device_code, user_code or verification_uri (RFC 8628 §3.2): " + snippet(r.body)}
	}
	if n, err := strconv.ParseFloat(d.ExpiresIn.String(), 64); err == nil && n > 0 {
		d.Expiry = time.Now().Add(time.Duration(n * float64(time.Second)))
	}
	return &d, nil
}

// DevicePoll is one poll of the token endpoint during the device flow.
type DevicePoll struct {
	// Code is the error code of a pending answer: authorization_pending or slow_down.
	Code string
	// Interval is the interval in force for the next poll.
	Interval time.Duration
}

// PollDevice polls the token endpoint until the user approves, denies, or the code expires (RFC 8628
// §3.4–3.5), reporting each pending answer to onPoll (which may be nil). It waits the interval before
// each poll, adds 5 seconds on slow_down, and stops on expired_token, access_denied, any other error,
// the code's expiry, or ctx's cancellation.
func (c *Client) PollDevice(ctx context.Context, d *DeviceAuthorization, onPoll func(DevicePoll)) (*Token, error) {
	return c.pollToken(ctx, tokenPoll{
		step:     "device poll",
		form:     url.Values{"grant_type": {GrantDeviceCode}, "device_code": {d.DeviceCode}},
		interval: d.PollInterval(),
		expiry:   d.Expiry,
		flow:     "device flow",
		handle:   "the device code",
	}, onPoll)
}

func (d *DeviceAuthorization) String() string {
	return fmt.Sprintf("code %s at %s", d.UserCode, d.VerificationURI)
}
