package stepper

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
)

// Commands of the newer grants and parameters (STYLE §3: values in, one message out): the
// assertion grants (RFC 7523, RFC 7522), token exchange (RFC 8693), CIBA in poll mode, the session's
// DPoP key (RFC 9449) and the authorization_details file (RFC 9396).

// makeDPoPKey generates the session's DPoP key (ES256) and its thumbprint.
func makeDPoPKey() tea.Cmd {
	return func() tea.Msg {
		k, err := flows.GenerateDPoPKey()
		if err != nil {
			return dpopKeyMadeMsg{err: err}
		}
		jkt, err := flows.JWKThumbprint(k)
		return dpopKeyMadeMsg{key: k, jkt: jkt, err: err}
	}
}

// checkDetailsFile reads an authorization_details file and checks it (RFC 9396 §2).
func checkDetailsFile(path string) tea.Cmd {
	return func() tea.Msg {
		data, err := os.ReadFile(profiles.ExpandHome(path))
		if err != nil {
			return fileCheckedMsg{field: fieldAuthzDetails, path: path, err: err}
		}
		v, err := flows.ParseAuthorizationDetails(data)
		return fileCheckedMsg{field: fieldAuthzDetails, path: path, value: v, err: err}
	}
}

// bindingChecks are a token's DPoP and mTLS binding checks (RFC 9449 §5, §6.1; RFC 8705 §3.1).
func bindingChecks(c *flows.Client, t *flows.Token) []flows.Check {
	if t == nil {
		return nil
	}
	return append(c.DPoPChecks(t), c.MTLSChecks(t)...)
}

// assertionGrant is a JWT bearer grant (RFC 7523 §2.1) with an assertion read from a file or one
// tokenbench signs, or a SAML 2.0 bearer grant with the assertion read from a file (RFC 7522 §2.1).
type assertionGrant struct {
	grant string
	// file is the assertion's file: the SAML assertion XML, or a JWT made elsewhere.
	file string
	// claims make the JWT assertion when there is no file (the defaults are MakeAssertion's), signed
	// with the key in keyFile when one is named.
	claims  flows.AssertionClaims
	keyFile string
}

// requestAssertion runs an assertion grant; the files it names are read here, when it is sent.
func requestAssertion(ctx context.Context, c *flows.Client, g assertionGrant, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		t, err := g.run(ctx, c)
		return tokenMsg(ctx, c, t, err, g.grant, rec, id)
	}
}

// run reads the assertion, or makes it, and sends it as the command line does.
func (g assertionGrant) run(ctx context.Context, c *flows.Client) (*flows.Token, error) {
	if g.file != "" {
		data, err := readFormFile("assertion file", g.file)
		if err != nil {
			return nil, err
		}
		if g.grant == flows.GrantSAML2Bearer {
			return c.SAMLBearer(ctx, data)
		}
		return c.JWTBearer(ctx, strings.TrimSpace(string(data)))
	}
	claims := g.claims
	if g.keyFile != "" {
		data, err := readFormFile("assertion key", g.keyFile)
		if err != nil {
			return nil, err
		}
		if claims.Key, err = flows.ParsePrivateKey(data); err != nil { // no made-up kid: the provider picks the issuer's key by it
			return nil, fmt.Errorf("assertion key %s: %w", g.keyFile, err)
		}
	}
	assertion, err := c.MakeAssertion(ctx, claims)
	if err != nil {
		return nil, fmt.Errorf("cannot make the assertion: %w", err)
	}
	return c.JWTBearer(ctx, assertion)
}

// readFormFile reads a file named in the request form field; an empty file is an error too.
func readFormFile(field, path string) ([]byte, error) {
	data, err := os.ReadFile(profiles.ExpandHome(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	if strings.TrimSpace(string(data)) == "" {
		return nil, errors.New(field + " " + path + " is empty")
	}
	return data, nil
}

// exchangeToken runs token exchange (RFC 8693 §2.1).
func exchangeToken(ctx context.Context, c *flows.Client, r flows.TokenExchangeRequest, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		t, err := c.TokenExchange(ctx, r)
		return tokenMsg(ctx, c, t, err, flows.GrantTokenExchange, rec, id)
	}
}

// tokenMsg is the result of a token request: the id_token's checks and the binding checks when it
// succeeded, and the last exchange.
func tokenMsg(ctx context.Context, c *flows.Client, t *flows.Token, err error, grant string, rec recorder, id int) tokenResultMsg {
	msg := tokenResultMsg{reqID: id, step: stepToken, grant: grant, token: t, err: err}
	if err == nil {
		msg.report, msg.hasReport = validateIDToken(ctx, c, t, "")
		msg.binding = bindingChecks(c, t)
	}
	msg.raw = rec.last()
	return msg
}

// startCIBA sends the backchannel authentication request (OpenID CIBA Core §7.1); in ping and push
// modes it first serves the client notification endpoint and sends its client_notification_token.
func startCIBA(ctx context.Context, c *flows.Client, r flows.CIBARequest, mode, endpoint string, id int) tea.Cmd {
	return func() tea.Msg {
		var notes *flows.CIBANotifications
		if mode != flows.CIBAPoll {
			var err error
			if notes, err = flows.ListenCIBANotifications(endpoint); err != nil {
				return cibaStartedMsg{reqID: id, err: err, mode: mode}
			}
			r.ClientNotificationToken = notes.Token()
		}
		rec := newRecorder(c.Trace)
		a, err := c.BackchannelAuthorize(ctx, r)
		if err != nil && notes != nil {
			notes.Close() //nolint:errcheck // nothing waits on it
			notes = nil
		}
		return cibaStartedMsg{reqID: id, auth: a, err: err, raw: rec.last(), mode: mode, notes: notes}
	}
}

// awaitCIBA waits at the notification endpoint for the provider's ping or push (CIBA Core §10.2,
// §10.3), then stops serving it.
func awaitCIBA(ctx context.Context, c *flows.Client, a *flows.CIBAAuthorization, notes *flows.CIBANotifications, mode string, id int) tea.Cmd {
	return func() tea.Msg {
		defer notes.Close() //nolint:errcheck // nothing to tell
		rec := newRecorder(c.Trace)
		t, err := c.AwaitCIBA(ctx, a, notes, mode)
		return tokenMsg(ctx, c, t, err, flows.GrantCIBA, rec, id)
	}
}

// closeNotifications stops serving a notification endpoint nobody waits at any more.
func closeNotifications(notes *flows.CIBANotifications) tea.Cmd {
	return func() tea.Msg {
		notes.Close() //nolint:errcheck // nothing to tell
		return nil
	}
}

// pollCIBA polls the token endpoint for an auth_req_id (CIBA Core §10.1) as pollDevice does: the
// pending answers through a channel as devicePolledMsg, the last as a tokenResultMsg.
func pollCIBA(ctx context.Context, c *flows.Client, a *flows.CIBAAuthorization, now func() time.Time, id int) tea.Cmd {
	ch := make(chan tea.Msg, 1)
	go func() {
		rec := newRecorder(c.Trace)
		t, err := c.PollCIBA(ctx, a, func(p flows.DevicePoll) {
			select {
			case ch <- devicePolledMsg{reqID: id, poll: p, at: now(), ch: ch}:
			case <-ctx.Done():
			}
		})
		ch <- tokenMsg(ctx, c, t, err, flows.GrantCIBA, rec, id) // always read: the waiter is re-armed until this one arrives
	}()
	return waitForDevice(ch)
}
