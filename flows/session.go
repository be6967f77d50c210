package flows

import (
	"context"
	"errors"
)

// AuthSession is one authorization request from its preparation to the code exchange (RFC 6749
// §4.1): the request (PKCE, state, nonce, PAR, request object, as the configuration says), the
// loopback listener that waits for the browser or, for a redirect URI tokenbench cannot listen on,
// the pasted response, its verification, and the exchange of its code. The command line, the
// workbench and the demo walkthrough all drive this one type; it opens nothing itself.
//
// A session runs on the client it was started from, whose configuration is a snapshot no one
// changes (Client.WithConfig). Close releases the listener; Await closes it too once it is done.
type AuthSession struct {
	client *Client
	// Request is the authorization request as sent: its URL, redirect URI, state, nonce and PKCE
	// verifier.
	Request  *AuthRequest
	listener *Listener
	direct   bool
}

// StartAuthorization prepares an authorization request. When the configured redirect URI is
// loopback the listener is bound first, so that the request names the port actually bound (RFC 8252
// §7.3: port 0 means any free port); any other redirect URI is sent as given and the response is
// pasted (Paste). On an error nothing is left listening.
func (c *Client) StartAuthorization(ctx context.Context) (*AuthSession, error) {
	s := &AuthSession{client: c}
	redirectURI := c.Config.RedirectURI
	if IsLoopback(redirectURI) {
		l, err := Listen(redirectURI)
		if err != nil {
			return nil, err
		}
		s.listener, redirectURI = l, l.RedirectURI()
	}
	req, err := c.NewAuthRequest(ctx, redirectURI)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Request = req
	c.recordAuthorizationRequest(req)
	return s, nil
}

// StartDirectAuthorization prepares the request of a direct authorize (BlockID; Direct): no browser
// and no listener, the configured redirect URI sent as given, and no discovery needed
// (NewDirectAuthRequest).
func (c *Client) StartDirectAuthorization(ctx context.Context) (*AuthSession, error) {
	req, err := c.NewDirectAuthRequest(ctx)
	if err != nil {
		return nil, err
	}
	return &AuthSession{client: c, Request: req, direct: true}, nil
}

// Listening reports whether the response comes back to the loopback listener (Await) rather than
// being pasted (Paste) or read from a direct authorize (Direct).
func (s *AuthSession) Listening() bool { return s.listener != nil }

// RedirectURI is the redirect URI the request sent.
func (s *AuthSession) RedirectURI() string { return s.Request.RedirectURI }

// Notice says why the listener is not where the redirect URI said (Listener.Notice), or is empty.
func (s *AuthSession) Notice() string {
	if s.listener == nil {
		return ""
	}
	return s.listener.Notice()
}

// Ignored delivers the requests the loopback listener ignored (Listener.Ignored); nil, which never
// delivers, when there is no listener.
func (s *AuthSession) Ignored() <-chan IgnoredCallback {
	if s.listener == nil {
		return nil
	}
	return s.listener.Ignored()
}

// forwardIgnored calls report with each request l ignores, on its own goroutine, until stop.
func forwardIgnored(l *Listener, report func(IgnoredCallback)) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case ig := <-l.Ignored():
				report(ig)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// Close stops the listener, if any; it may be called more than once.
func (s *AuthSession) Close() {
	if s.listener != nil {
		s.listener.Close()
	}
}

// errNotListening is the misuse of Await on a session whose response is pasted.
var errNotListening = errors.New("this authorization request's redirect URI is not loopback: paste the URL the browser ended on")

// Await waits on the loopback listener for the authorization response and verifies it
// (VerifyCallback); the browser is shown the verdict. The listener is closed when the wait ends, by
// a response or by ctx. The checks made are in the result even when an error is returned.
func (s *AuthSession) Await(ctx context.Context) (*AuthResponse, error) {
	if s.listener == nil {
		return nil, errNotListening
	}
	defer s.listener.Close()
	return s.client.AwaitCallback(ctx, s.listener, s.Request)
}

// Paste verifies what the user pasted: the URL the browser ended on, its query, its fragment or a
// bare code (ParseCallback).
func (s *AuthSession) Paste(ctx context.Context, pasted string) (*AuthResponse, error) {
	params, bare, err := ParseCallback(pasted)
	if err != nil {
		return nil, err
	}
	s.client.recordCallback(s.Request, params, "as pasted")
	return s.client.VerifyCallback(ctx, s.Request, params, bare)
}

// Direct performs the direct authorize with a proof of authentication (DirectAuthorize) and verifies
// the response its Location carries.
func (s *AuthSession) Direct(ctx context.Context, proofJWT string) (*AuthResponse, error) {
	params, err := s.client.DirectAuthorize(ctx, s.Request, proofJWT)
	if err != nil {
		return nil, err
	}
	return s.client.VerifyCallback(ctx, s.Request, params, false)
}

// Exchange redeems the response's code with the request's PKCE verifier and redirect URI (RFC 6749
// §4.1.3, RFC 7636 §4.5).
func (s *AuthSession) Exchange(ctx context.Context, res *AuthResponse) (*Token, error) {
	return s.client.ExchangeCode(ctx, s.Request, res.Code)
}

// Expect is what the id_token of this session's code must carry: its nonce, and the max_age
// asked for (OpenID Connect Core §3.1.3.7).
func (s *AuthSession) Expect() Expect {
	return Expect{Nonce: s.Request.Nonce, MaxAge: s.Request.MaxAge()}
}

// AuthorizeOptions say how Authorize reaches the user. The caller owns every effect: the session
// opens and prints nothing itself.
type AuthorizeOptions struct {
	// Ready is called once the request is prepared, before it is opened: the caller shows the URL,
	// the listener's notice, what was pushed. Optional.
	Ready func(*AuthSession)
	// Open hands the authorization URL to a browser. An error ends the wait with that error (a
	// browser that cannot reach the provider); an opener that only failed to start a browser, which
	// the user can replace by copying the URL, should report it and return nil. Nil opens nothing.
	Open func(ctx context.Context, url string) error
	// Paste reads what the user pasted, for a redirect URI that is not loopback. It is needed then.
	Paste func(ctx context.Context) (string, error)
	// Ignored is called, on another goroutine, with each request the loopback listener ignored
	// while Authorize waits (Listener.Ignored: a wrong Host, another web origin, a state that is
	// not the request's), for the caller's trace or notice. Optional.
	Ignored func(IgnoredCallback)
}

// errNoPaste is Authorize's error for a non-loopback redirect URI without a way to read a paste.
var errNoPaste = errors.New("the redirect URI is not loopback and there is no way to paste the response")

// Authorize runs the front channel of the authorization code grant: it prepares the request, calls
// Ready, opens the URL, then waits on the loopback listener or reads the paste, and verifies the
// response. The session is returned whenever the request was prepared, for the caller to exchange
// the code (Exchange) or show what failed; the response's checks are in it even with an error.
func (c *Client) Authorize(ctx context.Context, opts AuthorizeOptions) (*AuthSession, *AuthResponse, error) {
	s, err := c.StartAuthorization(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	if opts.Ready != nil {
		opts.Ready(s)
	}
	if !s.Listening() {
		if opts.Paste == nil {
			return s, nil, errNoPaste
		}
		if opts.Open != nil {
			if err := opts.Open(ctx, s.Request.URL); err != nil {
				return s, nil, err
			}
		}
		pasted, err := opts.Paste(ctx)
		if err != nil {
			return s, nil, err
		}
		res, err := s.Paste(ctx, pasted)
		return s, res, err
	}
	if opts.Ignored != nil {
		stop := forwardIgnored(s.listener, opts.Ignored)
		defer stop()
	}
	var res *AuthResponse
	err = openWhileWaiting(ctx, opts.Open, s.Request.URL, func(ctx context.Context) (bool, error) {
		var err error
		res, err = s.Await(ctx)
		return res != nil, err
	})
	return s, res, err
}

// openWhileWaiting hands u to open while wait waits for the browser to come back: the opener may
// be a browser that follows the redirects to the listener itself, so it runs beside the wait, and
// its failure ends the wait. When the wait got nothing, the opener's error is returned rather than
// the wait's cancellation.
func openWhileWaiting(ctx context.Context, open func(context.Context, string) error, u string, wait func(context.Context) (got bool, err error)) error {
	waitCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if open != nil {
		go func() {
			if err := open(waitCtx, u); err != nil {
				cancel(err)
			}
		}()
	}
	got, err := wait(waitCtx)
	if !got && err != nil && ctx.Err() == nil {
		if cause := context.Cause(waitCtx); cause != nil && !errors.Is(cause, context.Canceled) {
			return cause // the opener failed before the browser came back
		}
	}
	return err
}
