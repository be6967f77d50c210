package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tokenbench/tokenbench/flows"
)

// authorizationCode runs the authorization code grant (RFC 6749 §4.1) on a flows.AuthSession: the
// authorization response comes from the BlockID direct authorize, the loopback listener, or the
// user's paste; it is verified, then the code is exchanged.
func (o *tokenOptions) authorizationCode(ctx context.Context, e *env, c *flows.Client) (*grantRun, error) {
	var (
		s   *flows.AuthSession
		res *flows.AuthResponse
		err error
	)
	if o.proofJWT != "" {
		s, res, err = o.directAuthorize(ctx, e, c)
	} else {
		e.cancelOnInterrupt()
		s, res, err = c.Authorize(ctx, flows.AuthorizeOptions{
			Ready:   func(s *flows.AuthSession) { o.showAuthorization(e, s) },
			Open:    o.opener(e),
			Paste:   func(ctx context.Context) (string, error) { return e.readLine(ctx) },
			Ignored: func(ig flows.IgnoredCallback) { noteIgnored(e.stderr, ig) },
		})
	}
	if res != nil {
		printAuthResponse(e, res)
	}
	if err != nil {
		return nil, err
	}
	if res.Code == "" && res.Front != nil {
		return frontChannelRun(res) // implicit: the tokens came with the response
	}
	t, err := s.Exchange(ctx, res)
	if err != nil {
		return nil, err
	}
	return &grantRun{token: t, expect: s.Expect(), openid: s.Request.OpenIDRequested()}, nil
}

// noteIgnored says that the loopback listener ignored a request, and why, while it keeps waiting.
func noteIgnored(w io.Writer, ig flows.IgnoredCallback) {
	fmt.Fprintf(w, "note: ignored a %s on the callback listener from %s: %s; still waiting\n", ig.Method, ig.RemoteAddr, ig.Reason)
}

// directAuthorize POSTs the authorization request with a proof of authentication (BlockID).
func (o *tokenOptions) directAuthorize(ctx context.Context, e *env, c *flows.Client) (*flows.AuthSession, *flows.AuthResponse, error) {
	if flows.IsLoopback(c.Config.RedirectURI) && strings.Contains(c.Config.RedirectURI, ":0/") {
		return nil, nil, usagef("--proof-jwt needs --redirect-uri, the client's registered redirect URI: the provider answers with a Location on it, and no listener waits there")
	}
	s, err := c.StartDirectAuthorization(ctx)
	if err != nil {
		return nil, nil, err
	}
	endpoint, err := c.DirectAuthorizeEndpoint()
	if err != nil {
		return s, nil, err
	}
	how := "the configured authorization endpoint"
	if c.Config.Endpoints.Authorization == "" {
		how = "{issuer}" + flows.DirectAuthorizePath + ", BlockID's path; --authorization-endpoint posts elsewhere"
	}
	fmt.Fprintf(e.stderr, "direct authorize: POST %s (%s)\n", endpoint, how)
	res, err := s.Direct(ctx, o.proofJWT)
	return s, res, err
}

// showAuthorization says where the request goes and how its answer comes back: the listener's
// notice, what was pushed, the URL, then the wait or the paste prompt.
func (o *tokenOptions) showAuthorization(e *env, s *flows.AuthSession) {
	if n := s.Notice(); n != "" {
		fmt.Fprintf(e.stderr, "note: %s\n", n)
	}
	showPushed(e, s.Request)
	fmt.Fprintf(e.stderr, "Open this URL to sign in:\n\n  %s\n\n", s.Request.URL)
	if s.Listening() {
		fmt.Fprintf(e.stderr, "Waiting for the browser to come back to %s (ctrl-c to stop)…\n", s.RedirectURI())
		return
	}
	fmt.Fprintf(e.stderr, "After signing in, the browser goes to %s.\nPaste the URL it ended on (or its query, its #fragment, or the bare code), then press Enter:\n", s.RedirectURI())
}

// opener opens the authorization URL in the user's browser unless --no-browser. A browser that
// cannot be started is reported, not fatal: the URL is on screen to open by hand.
func (o *tokenOptions) opener(e *env) func(context.Context, string) error {
	if o.noBrowser {
		return nil
	}
	return func(_ context.Context, u string) error {
		openBrowser(e, u)
		return nil
	}
}

// deviceCode runs the device authorization grant (RFC 8628): show the user code, open the
// verification page, poll until the user decides.
func (o *tokenOptions) deviceCode(ctx context.Context, e *env, c *flows.Client, trace *tracePrinter) (*grantRun, error) {
	d, err := c.DeviceAuthorize(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "To sign in, open %s\nand enter the code\n\n    %s\n\n", d.VerificationURI, d.UserCode)
	open := d.VerificationURI
	if d.VerificationURIComplete != "" {
		open = d.VerificationURIComplete
		fmt.Fprintf(e.stderr, "(or open %s, which fills the code in)\n", d.VerificationURIComplete)
	}
	if !o.noBrowser {
		openBrowser(e, open)
	}
	e.cancelOnInterrupt()
	fmt.Fprintf(e.stderr, "Waiting for approval, polling every %s (ctrl-c to stop)…\n", d.PollInterval())
	t, err := c.PollDevice(ctx, d, func(p flows.DevicePoll) {
		if trace.enabled {
			fmt.Fprintf(e.stderr, "poll: %s (next in %s)\n", p.Code, p.Interval)
		}
	})
	return &grantRun{token: t, openid: hasOpenID(c.Config.Scopes)}, err
}

// stdinLimit is the most tokenbench reads from standard input: a pasted URL, a token, a JWT, an
// assertion. More is an error that names the limit, never a silent cut that would send or decode a
// truncated value.
const stdinLimit = 1 << 20

// errStdinTooLong says standard input went past stdinLimit.
var errStdinTooLong = fmt.Errorf("standard input holds more than %d bytes (1 MiB), the most tokenbench reads; nothing was read from it", stdinLimit)

// readLine reads one line from stdin; ctrl-c ends the wait (the reading goroutine is left to the
// process's exit).
func (e *env) readLine(ctx context.Context) (string, error) {
	return e.readAsync(ctx, func() (string, error) {
		line, err := bufio.NewReader(io.LimitReader(e.stdin, stdinLimit+1)).ReadString('\n')
		if len(line) > stdinLimit {
			return "", errStdinTooLong
		}
		if errors.Is(err, io.EOF) && strings.TrimSpace(line) != "" {
			err = nil
		}
		return strings.TrimSpace(line), err
	})
}

// readAll reads stdin to its end, trimmed.
func (e *env) readAll(ctx context.Context) (string, error) {
	s, err := e.readAllRaw(ctx)
	return strings.TrimSpace(s), err
}

// readAllRaw reads stdin to its end, as it is, up to stdinLimit.
func (e *env) readAllRaw(ctx context.Context) (string, error) {
	return e.readAsync(ctx, func() (string, error) {
		b, err := io.ReadAll(io.LimitReader(e.stdin, stdinLimit+1))
		if len(b) > stdinLimit {
			return "", errStdinTooLong
		}
		return string(b), err
	})
}

// readAsync runs read, a wait for stdin, which ctrl-c ends.
func (e *env) readAsync(ctx context.Context, read func() (string, error)) (string, error) {
	e.cancelOnInterrupt()
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := read()
		ch <- result{s, err}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-ch:
		if errors.Is(r.err, io.EOF) {
			return "", usagef("stdin ended before anything was read")
		}
		return r.s, r.err
	}
}
