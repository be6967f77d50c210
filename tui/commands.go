package tui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/profiles"
)

// Adapters from flows calls to tea.Cmd (STYLE §3). Each captures values only — the client, the
// context created in Update, the reqID — never a model, and returns one message carrying the reqID.
// Nothing here changes state: the screen does that in Update when the message comes back.

// inspectToken asks the root to show the inspector on a raw token.
func inspectToken(raw, label string) tea.Cmd {
	return func() tea.Msg { return navigateMsg{to: inspectScreen, token: raw, label: label} }
}

// announce returns a command that delivers msg as it is (an announcement such as tokensReceivedMsg).
func announce(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// recorder notes how many exchanges the trace held before a call, to return the last one made by
// the call: the raw response a failed step shows on R.
type recorder struct {
	trace *flows.Trace
	n     int
}

func newRecorder(t *flows.Trace) recorder { return recorder{trace: t, n: len(t.Exchanges())} }

// last is the last exchange recorded since the recorder was made, or nil. A JWKS fetch made to
// check a token (after the step's own request) is passed over unless there is nothing else.
func (r recorder) last() *flows.Exchange {
	xs := r.trace.Exchanges()
	if len(xs) <= r.n {
		return nil
	}
	xs = xs[r.n:]
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i].Step != "jwks" {
			return &xs[i]
		}
	}
	return &xs[len(xs)-1]
}

// discover fetches the provider's metadata.
func discover(ctx context.Context, c *flows.Client, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		meta, err := c.Discover(ctx)
		return discoveredMsg{reqID: id, meta: meta, err: err, raw: rec.last()}
	}
}

// loadMetadata returns the metadata the client already discovered (Discover answers from its cache:
// the caller only asks after a step that needed discovery succeeded).
func loadMetadata(ctx context.Context, c *flows.Client) tea.Cmd {
	return func() tea.Msg {
		meta, _ := c.Discover(ctx)
		return metadataLoadedMsg{meta: meta}
	}
}

// requestAuthorization binds the loopback listener when the redirect URI is loopback (RFC 8252
// §7.3: the request must name the port actually bound) and builds the authorization request. On
// failure after listening, the listener is closed here, since no one else will own it.
func requestAuthorization(ctx context.Context, c *flows.Client, redirectURI string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		var l *flows.Listener
		if flows.IsLoopback(redirectURI) {
			var err error
			if l, err = flows.Listen(redirectURI); err != nil {
				return authRequestedMsg{reqID: id, err: err}
			}
			redirectURI = l.RedirectURI()
		}
		req, err := c.NewAuthRequest(ctx, redirectURI)
		if err != nil {
			if l != nil {
				l.Close()
			}
			return authRequestedMsg{reqID: id, err: err, raw: rec.last()}
		}
		return authRequestedMsg{reqID: id, req: req, listener: l}
	}
}

// awaitCallback waits on the loopback listener for the authorization response and verifies it.
// The listener is closed when the wait ends, whether by a response or by ctx's cancellation.
func awaitCallback(ctx context.Context, c *flows.Client, l *flows.Listener, req *flows.AuthRequest, id int) tea.Cmd {
	return func() tea.Msg {
		defer l.Close()
		res, err := c.AwaitCallback(ctx, l, req)
		var params url.Values
		if res != nil {
			params = res.Params
		}
		return callbackReceivedMsg{reqID: id, res: res, params: params, err: err}
	}
}

// verifyPasted reads a pasted redirected URL (a URL, a query, a fragment or a bare code) and
// verifies it against the request.
func verifyPasted(ctx context.Context, c *flows.Client, req *flows.AuthRequest, pasted string, id int) tea.Cmd {
	return func() tea.Msg {
		params, bare, err := flows.ParseCallback(pasted)
		if err != nil {
			return callbackReceivedMsg{reqID: id, err: err}
		}
		res, err := c.VerifyCallback(ctx, req, params, bare)
		return callbackReceivedMsg{reqID: id, res: res, params: params, err: err}
	}
}

// validateIDToken checks an id_token when there is one (OpenID Connect Core §3.1.3.7).
func validateIDToken(ctx context.Context, c *flows.Client, t *flows.Token, nonce string) (flows.Report, bool) {
	if t == nil || t.IDToken == "" {
		return flows.Report{}, false
	}
	return c.ValidateIDToken(ctx, t.IDToken, flows.Expect{
		Nonce: nonce, AccessToken: t.AccessToken, ServerDate: t.ServerDate, IDToken: true,
	}), true
}

// exchangeCode redeems the authorization code and checks the id_token.
func exchangeCode(ctx context.Context, c *flows.Client, req *flows.AuthRequest, code string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		t, err := c.ExchangeCode(ctx, req, code)
		msg := tokenResultMsg{reqID: id, step: stepToken, grant: flows.GrantAuthorizationCode, token: t, err: err}
		if err == nil {
			msg.report, msg.hasReport = validateIDToken(ctx, c, t, req.Nonce)
			msg.binding = bindingChecks(c, t)
		}
		msg.raw = rec.last()
		return msg
	}
}

// grantRequest is a token request by one of the grants that need no browser.
type grantRequest struct {
	grant              string
	username, password string
}

// requestGrant runs the client-credentials or password grant.
func requestGrant(ctx context.Context, c *flows.Client, g grantRequest, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		var t *flows.Token
		var err error
		switch g.grant {
		case flows.GrantPassword:
			t, err = c.Password(ctx, g.username, g.password)
		default:
			t, err = c.ClientCredentials(ctx)
		}
		msg := tokenResultMsg{reqID: id, step: stepToken, grant: g.grant, token: t, err: err}
		if err == nil {
			msg.report, msg.hasReport = validateIDToken(ctx, c, t, "")
			msg.binding = bindingChecks(c, t)
		}
		msg.raw = rec.last()
		return msg
	}
}

// refreshToken uses the refresh token; the result says whether it rotated.
func refreshToken(ctx context.Context, c *flows.Client, prev *flows.Token, nonce string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		t, err := c.Refresh(ctx, prev.RefreshToken)
		msg := tokenResultMsg{reqID: id, step: stepRefresh, grant: flows.GrantRefreshToken, token: t, previous: prev, err: err}
		if err == nil {
			// OpenID Connect Core §12.2: a refreshed id_token carries no nonce.
			msg.report, msg.hasReport = validateIDToken(ctx, c, t, "")
			msg.binding = bindingChecks(c, t)
		}
		msg.raw = rec.last()
		return msg
	}
}

// startDevice starts the device flow (RFC 8628 §3.1).
func startDevice(ctx context.Context, c *flows.Client, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		d, err := c.DeviceAuthorize(ctx)
		return deviceStartedMsg{reqID: id, auth: d, err: err, raw: rec.last()}
	}
}

// pollDevice polls the token endpoint for a device code (RFC 8628 §3.4) on its own goroutine and
// returns the command waiting for its first message. Each pending answer comes through a channel as
// a devicePolledMsg, and the final answer as a tokenResultMsg; the screen re-arms waitForDevice after
// each devicePolledMsg (STYLE §3, examples/realtime). Cancelling ctx ends the polling, whose final
// message (the cancellation) still comes through the channel, so that the screen knows the goroutine
// is done with the client.
func pollDevice(ctx context.Context, c *flows.Client, d *flows.DeviceAuthorization, now func() time.Time, id int) tea.Cmd {
	ch := make(chan tea.Msg, 1)
	go func() {
		rec := newRecorder(c.Trace)
		t, err := c.PollDevice(ctx, d, func(p flows.DevicePoll) {
			select {
			case ch <- devicePolledMsg{reqID: id, poll: p, at: now(), ch: ch}:
			case <-ctx.Done(): // nobody shows it any more
			}
		})
		msg := tokenResultMsg{reqID: id, step: stepToken, grant: flows.GrantDeviceCode, token: t, err: err}
		if err == nil {
			msg.report, msg.hasReport = validateIDToken(ctx, c, t, "")
			msg.binding = bindingChecks(c, t)
		}
		msg.raw = rec.last()
		ch <- msg // always read: the waiter is re-armed until this one arrives
	}()
	return waitForDevice(ch)
}

// waitForDevice waits for the next message of the device polling goroutine.
func waitForDevice(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

// callUserInfo calls the userinfo endpoint with the access token.
func callUserInfo(ctx context.Context, c *flows.Client, accessToken, idToken string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		// OpenID Connect Core §5.3.2: the answer's sub must be the id_token's.
		want := flows.UserInfoExpect{NoSubject: "this session has no id_token"}
		if idToken != "" {
			if sub, err := c.IDTokenSubject(idToken); err == nil {
				want = flows.UserInfoExpect{Subject: sub}
			} else {
				want.NoSubject = "the session's id_token could not be read (" + err.Error() + ")"
			}
		}
		r, err := c.UserInfo(ctx, accessToken, want)
		return resourceResultMsg{reqID: id, step: stepUserInfo, result: r, err: err, raw: rec.last()}
	}
}

// callIntrospect asks the introspection endpoint about a token.
func callIntrospect(ctx context.Context, c *flows.Client, token, hint string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		r, err := c.Introspect(ctx, token, hint)
		return resourceResultMsg{reqID: id, step: stepIntrospect, result: r, err: err, raw: rec.last()}
	}
}

// revokeToken revokes a token, then asks introspection whether it is still active (RFC 7009 §2.1),
// when the provider has an introspection endpoint; that second answer is informative only.
func revokeToken(ctx context.Context, c *flows.Client, token, hint string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		if err := c.Revoke(ctx, token, hint); err != nil {
			return revokedMsg{reqID: id, err: err, raw: rec.last()}
		}
		raw := rec.last()
		msg := revokedMsg{reqID: id, raw: raw}
		if r, err := c.Introspect(ctx, token, hint); err == nil {
			a := r.Active()
			msg.active = &a
		}
		return msg
	}
}

// buildLogoutURL builds the RP-initiated logout URL.
func buildLogoutURL(ctx context.Context, c *flows.Client, idTokenHint string, id int) tea.Cmd {
	return func() tea.Msg {
		u, err := c.LogoutURL(ctx, idTokenHint, "", "")
		return logoutBuiltMsg{reqID: id, url: u, err: err}
	}
}

// openURL opens a URL with the injected browser opener.
func openURL(open func(string) error, u string) tea.Cmd {
	return func() tea.Msg {
		if open == nil {
			return browserOpenedMsg{url: u, err: errors.New("no browser opener")}
		}
		return browserOpenedMsg{url: u, err: open(u)}
	}
}

// tickClock drives a countdown: one clockTickedMsg a second, tagged.
func tickClock(tag int) tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return clockTickedMsg{tag: tag, at: t} })
}

// watchTrace waits for the next exchange the trace records (flows.Trace.Notify feeds ch); the root
// re-arms it after each one.
func watchTrace(ch <-chan flows.Exchange, session int) tea.Cmd {
	return func() tea.Msg {
		x, ok := <-ch
		if !ok {
			return nil
		}
		return exchangeRecordedMsg{exchange: x, session: session}
	}
}

// startSession builds a client for a clientReadyMsg.
func startSession(m clientReadyMsg) tea.Cmd {
	return func() tea.Msg {
		c, err := flows.NewClient(m.config, m.transport)
		if err != nil {
			return sessionFailedMsg{err: err}
		}
		built := sessionClientBuiltMsg{name: m.name, note: m.note, client: c, demo: m.demo}
		if m.demo != nil {
			built.faults = m.demo.Faults()
		}
		return built
	}
}

// sessionClientBuiltMsg carries a new session's client to the root.
type sessionClientBuiltMsg struct {
	name   string
	note   string
	client *flows.Client
	demo   DemoControls   // nil unless the client is the built-in provider's
	faults demoidp.Faults // the provider's faults when the session started
}

// ---- The profiles screen's commands. The store is safe for concurrent use and does its own
// locking; every change re-reads the file under the lock and writes it atomically (profiles.Store).

// profileOpenTimeout bounds resolving a profile: a keyring prompt or a cmd: secret (a password
// manager asking for its passphrase) may take a while, and esc cancels sooner.
const profileOpenTimeout = 2 * time.Minute

// openProfile resolves a profile into a client configuration: its secret (keyring, env, file or
// command), its signing key and TLS files (profiles.Profile.Client).
func openProfile(ctx context.Context, p profiles.Profile, sec *profiles.Secrets, id int) tea.Cmd {
	return func() tea.Msg {
		cfg, opts, err := p.Client(ctx, sec)
		msg := profileOpenedMsg{reqID: id, name: p.Name, config: cfg, transport: opts, err: err}
		msg.secretWarnings = sec.Warnings()
		msg.warnings = append(p.Warnings(), msg.secretWarnings...)
		msg.label = p.Name
		if host := hostOf(cfg.Issuer); host != "" {
			msg.label += " @ " + host
		}
		return msg
	}
}

// hostOf is a URL's host, or "".
func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Host
	}
	return ""
}

// storeChanged is the message after a change (or an attempt): the store as it is now.
func storeChanged(st *profiles.Store, id int, notice, sel string, err error) profilesChangedMsg {
	return profilesChangedMsg{reqID: id, notice: notice, sel: sel, list: st.List(), loadErr: st.Err(), warnings: st.Warnings(), err: err}
}

// profileSave is what the form asks to save.
type profileSave struct {
	profile profiles.Profile
	// isNew adds the profile (refusing a taken name) rather than replacing it.
	isNew bool
	// secret, when not empty, is stored in the OS keyring under the profile's keyring: reference
	// before the profile is saved; it never goes in the file.
	secret string
	// needKeyring says the profile's method needs the secret its keyring: reference names: when
	// none is typed, the keyring must already hold one.
	needKeyring bool
}

// saveProfile stores the secret in the keyring when one was typed, then saves the profile through
// the store (atomic, locked).
func saveProfile(ctx context.Context, st *profiles.Store, sec *profiles.Secrets, ps profileSave, id int) tea.Cmd {
	return func() tea.Msg {
		p := ps.profile
		fail := func(err error) tea.Msg { return storeChanged(st, id, "", "", err) }
		if p.ClientSecret.Kind() == profiles.SecretKeyring {
			switch {
			case ps.secret != "":
				if err := sec.StoreKeyring(ctx, p.ClientSecret, p.Name, ps.secret); err != nil {
					return fail(&profiles.FieldError{Field: "secret_value", Message: err.Error()})
				}
			case ps.needKeyring:
				ok, err := sec.HasKeyring(ctx, p.ClientSecret, p.Name)
				if err != nil {
					return fail(&profiles.FieldError{Field: "client_secret", Message: err.Error()})
				}
				if !ok {
					return fail(&profiles.FieldError{Field: "secret_value", Message: fmt.Sprintf("the OS keyring holds no secret for account %q yet: type the client secret here, it is stored there (never in the profile file)", p.ClientSecret.KeyringAccount(p.Name))})
				}
			}
		}
		var err error
		if ps.isNew {
			err = st.Add(p)
			if errors.Is(err, profiles.ErrExists) {
				err = &profiles.FieldError{Field: "name", Message: err.Error()}
			}
		} else {
			err = st.Put(p)
		}
		if err != nil {
			return fail(err)
		}
		return storeChanged(st, id, "saved "+p.Name+" in "+st.Path(), p.Name, nil)
	}
}

// deleteProfile deletes a profile and, as `tokenbench profile rm` does, its own keyring entry
// unless another profile uses it; a keyring that cannot be reached only changes the notice.
func deleteProfile(ctx context.Context, st *profiles.Store, sec *profiles.Secrets, name string, id int) tea.Cmd {
	return func() tea.Msg {
		p, err := st.Delete(name)
		if err != nil {
			return storeChanged(st, id, "", "", err)
		}
		notice := "deleted " + name
		ref := p.ClientSecret
		if ref.Kind() == profiles.SecretKeyring && ref.KeyringAccount(p.Name) == p.Name && len(st.UsesKeyringAccount(p.Name, p.Name)) == 0 {
			if err := sec.DeleteKeyring(ctx, ref, p.Name); err != nil {
				notice += "; its secret stays in the OS keyring (" + err.Error() + ")"
			} else {
				notice += " and its secret in the OS keyring"
			}
		}
		return storeChanged(st, id, notice, "", nil)
	}
}

// copyProfile saves a copy of a profile under a new name.
func copyProfile(st *profiles.Store, from, to string, id int) tea.Cmd {
	return func() tea.Msg {
		if _, err := st.Copy(from, to); err != nil {
			return storeChanged(st, id, "", "", err)
		}
		return storeChanged(st, id, "copied "+from+" to "+to, to, nil)
	}
}

// reloadProfiles reads the profile file again (after the user fixed it in an editor).
func reloadProfiles(st *profiles.Store, id int) tea.Cmd {
	return func() tea.Msg {
		err := st.Reload()
		notice := "loaded " + st.Path()
		if err != nil {
			notice = ""
		}
		return storeChanged(st, id, notice, "", nil)
	}
}

// importProfiles reads a profile file and imports it. With no decision yet (onClash nil), names
// already taken make it ask: the message then carries the parsed profiles and the names.
func importProfiles(st *profiles.Store, file string, parsed []profiles.Profile, onClash *profiles.ClashAction, id int) tea.Cmd {
	return func() tea.Msg {
		if parsed == nil {
			data, err := os.ReadFile(profiles.ExpandHome(file))
			if err != nil {
				return storeChanged(st, id, "", "", err)
			}
			if parsed, err = profiles.ParseProfiles(file, data); err != nil {
				return storeChanged(st, id, "", "", err)
			}
			if len(parsed) == 0 {
				return storeChanged(st, id, "", "", fmt.Errorf("%s holds no profile", file))
			}
		}
		opts := profiles.ImportOptions{OnClash: profiles.ClashRefuse}
		if onClash != nil {
			opts.OnClash = *onClash
		}
		res, err := st.Import(parsed, opts)
		var ce *profiles.ClashError
		if errors.As(err, &ce) && onClash == nil {
			msg := storeChanged(st, id, "", "", nil)
			msg.clash = &importClash{file: file, parsed: parsed, clashes: ce.Names}
			return msg
		}
		if err != nil {
			return storeChanged(st, id, "", "", err)
		}
		return storeChanged(st, id, importNotice(file, res), firstImported(res), nil)
	}
}

// importNotice says what an import did.
func importNotice(file string, res profiles.ImportResult) string {
	var parts []string
	if n := len(res.Added); n > 0 {
		parts = append(parts, fmt.Sprintf("added %s", strings.Join(res.Added, ", ")))
	}
	if n := len(res.Replaced); n > 0 {
		parts = append(parts, fmt.Sprintf("replaced %s", strings.Join(res.Replaced, ", ")))
	}
	for _, r := range res.Renamed {
		parts = append(parts, fmt.Sprintf("%s imported as %s", r.From, r.To))
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing imported")
	}
	return "imported " + file + ": " + strings.Join(parts, "; ") + " (give confidential clients their secret with e)"
}

func firstImported(res profiles.ImportResult) string {
	switch {
	case len(res.Added) > 0:
		return res.Added[0]
	case len(res.Renamed) > 0:
		return res.Renamed[0].To
	case len(res.Replaced) > 0:
		return res.Replaced[0]
	}
	return ""
}

// exportProfiles writes profiles, without their secret references, to a file only the user can
// read (0600). An existing file is replaced only when overwrite is set.
func exportProfiles(st *profiles.Store, ps []profiles.Profile, file string, overwrite bool, id int) tea.Cmd {
	return func() tea.Msg {
		data, err := profiles.Export(ps)
		if err != nil {
			return storeChanged(st, id, "", "", err)
		}
		path := profiles.ExpandHome(file)
		flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if overwrite {
			flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		f, err := os.OpenFile(path, flags, 0o600)
		if errors.Is(err, os.ErrExist) {
			return storeChanged(st, id, "", "", errExportExists)
		}
		if err != nil {
			return storeChanged(st, id, "", "", err)
		}
		if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
			f.Close()
			return storeChanged(st, id, "", "", err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return storeChanged(st, id, "", "", err)
		}
		if err := f.Close(); err != nil {
			return storeChanged(st, id, "", "", err)
		}
		names := make([]string, len(ps))
		for i, p := range ps {
			names[i] = p.Name
		}
		return storeChanged(st, id, fmt.Sprintf("exported %s to %s (mode 0600, without client secrets)", strings.Join(names, ", "), path), "", nil)
	}
}

// errExportExists is an export to a file that exists; the screen asks before replacing it.
var errExportExists = errors.New("the file exists: press enter again to replace it, or change the name")

// fetchDiscovery fetches the metadata a discovery URL (or an issuer) points to, with a client of
// its own: this is not the session's traffic.
func fetchDiscovery(ctx context.Context, u string, id int) tea.Cmd {
	return func() tea.Msg {
		c, err := flows.NewClient(flows.ClientConfig{Issuer: u}, flows.TransportOptions{Timeout: 15 * time.Second})
		if err != nil {
			return discoveryFetchedMsg{reqID: id, url: u, err: err}
		}
		meta, err := c.Discover(ctx)
		return discoveryFetchedMsg{reqID: id, url: u, meta: meta, err: err}
	}
}

// startDemo starts the built-in provider (once; the command line closes it when the program
// exits) and returns its ready client.
func startDemo(start func() (Demo, error), id int) tea.Cmd {
	return func() tea.Msg {
		if start == nil {
			return demoStartedMsg{reqID: id, err: errors.New("the built-in provider is not available here: run tokenbench demo")}
		}
		d, err := start()
		return demoStartedMsg{reqID: id, demo: d, err: err}
	}
}
