package tui

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// fixedNow is the clock of the inspector and trace tests.
var fixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// fixedCommon is a shared context with a fixed clock and no client.
func fixedCommon(now time.Time) *common {
	return &common{
		st:    newStyles(true),
		now:   func() time.Time { return now },
		scrub: func(s string) string { return s },
	}
}

// fakeJWT builds an obviously fake, unsigned-looking JWS: real header and claims, a signature
// that is the text "fake-signature".
func fakeJWT(t testing.TB, header, claims string) string {
	t.Helper()
	for _, s := range []string{header, claims} {
		if !json.Valid([]byte(s)) {
			t.Fatalf("not JSON: %s", s)
		}
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + "." + enc([]byte("fake-signature"))
}

// The fake tokens of the tests: issued at 09:00 for an hour, by a fake issuer.
const (
	fakeHeader      = `{"alg":"RS256","kid":"fake-key-1","typ":"JWT"}`
	fakeIDClaims    = `{"iss":"http://127.0.0.1:1","sub":"fake-user-1","aud":"fake-client","exp":1773482400,"iat":1773478800,"auth_time":1773478790,"nonce":"fake-nonce","email":"fake@example.com","email_verified":true,"name":"Fake User","tenant_hint":"not registered"}`
	fakeAccessHdr   = `{"alg":"RS256","kid":"fake-key-1","typ":"at+jwt"}`
	fakeATClaims    = `{"iss":"http://127.0.0.1:1","sub":"fake-user-1","aud":"http://127.0.0.1:1/api","client_id":"fake-client","scope":"openid profile email","exp":1773482400,"iat":1773478800,"jti":"fake-jti-1"}`
	fakeATClaims2   = `{"iss":"http://127.0.0.1:1","sub":"fake-user-1","aud":"http://127.0.0.1:1/api","client_id":"fake-client","scope":"openid profile","exp":1773484200,"iat":1773480600,"jti":"fake-jti-2","sid":"fake-session"}`
	fakeRefresh     = "fake-opaque-refresh-token-1"
	fakeRefresh2    = "fake-opaque-refresh-token-2"
	fakeOpaqueToken = "fake-opaque-access-token"
)

// fakeTokens is a token set as the flow screen announces it, with the id_token's report made at
// the fixed time.
func fakeTokens(t testing.TB) tokensReceivedMsg {
	t.Helper()
	id := fakeJWT(t, fakeHeader, fakeIDClaims)
	tok := &flows.Token{
		IDToken: id, AccessToken: fakeJWT(t, fakeAccessHdr, fakeATClaims), RefreshToken: fakeRefresh,
		TokenType: "Bearer", ExpiresIn: 3600, Expiry: fixedNow.Add(30 * time.Minute),
	}
	report := flows.Verify(t.Context(), id, nil, flows.Expect{
		Issuer: "http://127.0.0.1:1", Audience: "fake-client", AuthorizedParty: "fake-client", Nonce: "fake-nonce", IDToken: true,
	}, fixedNow, time.Minute)
	return tokensReceivedMsg{Step: "token", Grant: flows.GrantAuthorizationCode, Token: tok, Report: report, HasReport: true, At: fixedNow.Add(-30 * time.Minute)}
}

// refreshedTokens is the answer of a refresh after fakeTokens: a new access token with changed
// claims, a rotated refresh token, no new id_token.
func refreshedTokens(t testing.TB, before tokensReceivedMsg) tokensReceivedMsg {
	t.Helper()
	tok := &flows.Token{
		AccessToken: fakeJWT(t, fakeAccessHdr, fakeATClaims2), RefreshToken: fakeRefresh2, TokenType: "Bearer",
		ExpiresIn: 3600, Expiry: fixedNow.Add(time.Hour), Rotation: flows.RotationRotated,
	}
	return tokensReceivedMsg{Step: "refresh", Grant: flows.GrantRefreshToken, Token: tok, Previous: before.Token, At: fixedNow}
}

// runCmd runs a command and its batches by hand, returning every message (STYLE §9 layer 2); ticks
// are not waited for but reported as they would arrive.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// feed hands msgs to s one by one, running what each returns (no ticks: they would wait).
func feed(s screen, msgs ...tea.Msg) screen {
	for _, m := range msgs {
		var cmd tea.Cmd
		s, cmd = s.Update(m)
		for _, r := range runCmdNoTick(cmd) {
			s = feed(s, r)
		}
	}
	return s
}

// runCmdNoTick runs the commands that answer at once: verifications, saves; it skips ticks,
// clipboard writes and cursor blinks, which a real program would deliver later or elsewhere.
func runCmdNoTick(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if b, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, runCmdNoTick(c)...)
			}
			return out
		}
		switch msg.(type) {
		case tokenVerifiedMsg, traceSavedMsg:
			return []tea.Msg{msg}
		}
		return nil
	case <-time.After(200 * time.Millisecond):
		return nil // a tick or a blink: not delivered
	}
}

func sized(s screen, w, h int) screen {
	s, _ = s.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return s
}

func TestInspectorCountdownTicks(t *testing.T) {
	now := fixedNow
	c := fixedCommon(now)
	c.now = func() time.Time { return now }
	s := sized(newInspect(c), 80, 22)
	s, cmd := s.Update(fakeTokens(t))
	if cmd == nil {
		t.Fatal("tokens with an expiry should start the countdown")
	}
	im := s.(inspectModel)
	if !im.ticking || !strings.Contains(im.View(), "00:30:00 left") {
		t.Fatalf("countdown not shown:\n%s", im.View())
	}
	now = now.Add(61 * time.Second)
	s, cmd = s.Update(clockTickedMsg{tag: inspectClockTag, at: now})
	if cmd == nil {
		t.Error("the tick was not re-armed")
	}
	if v := s.View(); !strings.Contains(v, "00:28:59 left") || !strings.Contains(v, "in 28 min") {
		t.Errorf("after 61 s the countdown should read 00:28:59:\n%s", v)
	}
	// Another screen's tick neither moves the clock nor re-arms ours.
	now = now.Add(time.Hour)
	s2, cmd := s.Update(clockTickedMsg{tag: 7, at: now})
	if cmd != nil || s2.View() != s.View() {
		t.Error("a foreign tick was taken")
	}
	s, _ = s.Update(clockTickedMsg{tag: inspectClockTag, at: now})
	if v := s.View(); !strings.Contains(v, "expired 31 min ago") {
		t.Errorf("an hour later the token has expired:\n%s", v)
	}
	// A second token set does not start a second tick chain.
	if _, cmd := s.Update(fakeTokens(t)); hasTick(cmd) {
		t.Error("a second countdown chain was started")
	}
}

// hasTick reports whether cmd (or a batch) would deliver the inspector's tick. Ticks wait a second,
// so this is measured by type, without running them.
func hasTick(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				if hasTick(c) {
					return true
				}
			}
		}
		m, ok := msg.(clockTickedMsg)
		return ok && m.tag == inspectClockTag
	case <-time.After(1500 * time.Millisecond):
		return false
	}
}

func TestInspectorPasteMalformed(t *testing.T) {
	s := sized(newInspect(fixedCommon(fixedNow)), 80, 22)
	s, _ = s.Update(press("p"))
	if !s.(inspectModel).capturingText() {
		t.Fatal("p should open the token input")
	}
	// Typed letters go to the input, not to the screen's keys (s would reveal).
	for _, r := range "eyJhbGciOiJub25lIn0.e30.s+sig" {
		s, _ = s.Update(press(string(r)))
	}
	if s.(inspectModel).reveal {
		t.Fatal("a letter typed into the input toggled reveal")
	}
	s = feed(s, press("enter"))
	im := s.(inspectModel)
	if im.capturingText() || len(im.slots) != 1 || im.slots[0].label != pastedLabel {
		t.Fatalf("after enter: editing %v, slots %d", im.capturingText(), len(im.slots))
	}
	v := ansi.Strip(im.View() + "\n" + im.vp.GetContent())
	for _, want := range []string{"Malformed JWT", "standard base64", "This is not a well-formed JWT"} {
		if !strings.Contains(strings.Join(strings.Fields(v), " "), want) {
			t.Errorf("the view lacks %q:\n%s", want, v)
		}
	}
}

func TestInspectorMalformedInputsNeverPanic(t *testing.T) {
	inputs := []string{"", " ", "a", "a.b", "a.b.c", "a.b.c.d.e", "{}", ".", "..", "....", "Bearer", "Bearer ",
		"eyJ9.eyJ9.x", fakeJWT(t, `{"alg":"none"}`, `{"exp":"soon"}`), fakeJWT(t, `{"alg":"RSA-OAEP","enc":"A256GCM"}`, `{}`) + ".x.y",
		strings.Repeat("x", 10000), "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "\x00\xff.\xfe.\x01"}
	for _, in := range inputs {
		s := sized(newInspect(fixedCommon(fixedNow)), 80, 22)
		s = feed(s, tea.PasteMsg{Content: in})
		_ = s.View()
		s = sized(s, 20, 5)
		_ = s.View()
		s = sized(s, 160, 50)
		_ = s.View()
	}
}

func TestInspectorRevealToggle(t *testing.T) {
	msg := fakeTokens(t)
	s := sized(newInspect(fixedCommon(fixedNow)), 120, 38)
	s = feed(s, msg)
	raw := msg.Token.IDToken
	all := func(s screen) string { return ansi.Strip(s.View() + s.(inspectModel).vp.GetContent()) }
	if strings.Contains(all(s), raw) || strings.Contains(all(s), raw[40:80]) {
		t.Fatal("the token is shown before reveal")
	}
	if !strings.Contains(all(s), "masked") {
		t.Error("no masked notice")
	}
	// Copy while masked copies nothing.
	s, cmd := s.Update(press("c"))
	if cmd != nil {
		t.Error("copy while masked returned a command")
	}
	s, _ = s.Update(press("s"))
	if !strings.Contains(strings.ReplaceAll(ansi.Strip(s.(inspectModel).vp.GetContent()), "\n", ""), raw) {
		t.Error("the token is not shown after reveal")
	}
	if _, cmd := s.Update(press("y")); cmd == nil {
		t.Error("copy after reveal returned no command")
	}
	s, _ = s.Update(press("s"))
	if strings.Contains(strings.ReplaceAll(all(s), "\n", ""), raw) {
		t.Error("the token is shown after masking again")
	}
}

func TestInspectorSlotsAndSelection(t *testing.T) {
	s := sized(newInspect(fixedCommon(fixedNow)), 100, 30)
	s = feed(s, fakeTokens(t))
	im := s.(inspectModel)
	var labels []string
	for _, sl := range im.slots {
		labels = append(labels, sl.label)
	}
	if strings.Join(labels, ",") != "id_token,access_token,refresh_token" || im.sel != 0 {
		t.Fatalf("slots %v, selected %d", labels, im.sel)
	}
	// The access token was validated in a command (no keys: signature skipped).
	if at := im.slots[1]; !at.hasReport || at.verifying {
		t.Errorf("access token: report %v, verifying %v", at.hasReport, at.verifying)
	}
	s = feed(s, press("right"), press("right"))
	if got := s.(inspectModel).sel; got != 2 {
		t.Fatalf("two rights: selected %d", got)
	}
	if v := ansi.Strip(s.(inspectModel).vp.GetContent()); !strings.Contains(v, "Opaque token") {
		t.Errorf("the refresh token should be explained as opaque:\n%s", v)
	}
	s = feed(s, press("right"))
	if got := s.(inspectModel).sel; got != 0 {
		t.Errorf("selection should wrap around: %d", got)
	}
	s = feed(s, press("left"))
	if got := s.(inspectModel).sel; got != 2 {
		t.Errorf("left from the first should wrap to the last: %d", got)
	}
	// A pasted token joins the list after the flow's and is selected; the flow's selection is
	// kept when new tokens arrive.
	s = feed(s, tea.PasteMsg{Content: fakeJWT(t, fakeHeader, `{"sub":"x"}`)})
	if im := s.(inspectModel); im.slots[im.sel].label != pastedLabel || len(im.slots) != 4 {
		t.Fatalf("paste: selected %q of %d", im.slots[im.sel].label, len(im.slots))
	}
	s = feed(s, refreshedTokens(t, fakeTokens(t)))
	if im := s.(inspectModel); im.slots[im.sel].label != pastedLabel {
		t.Errorf("the refresh moved the selection to %q", im.slots[im.sel].label)
	}
}

// TestInspectorPastedTokensAndClose: each different pasted token gets a slot of its own, the same
// one pasted again selects its slot, and x closes the selected token.
func TestInspectorPastedTokensAndClose(t *testing.T) {
	s := sized(newInspect(fixedCommon(fixedNow)), 100, 30)
	first, second := fakeJWT(t, fakeHeader, `{"sub":"a"}`), fakeJWT(t, fakeHeader, `{"sub":"b"}`)
	s = feed(s, tea.PasteMsg{Content: first}, tea.PasteMsg{Content: second})
	labels := func() string {
		var l []string
		for _, sl := range s.(inspectModel).slots {
			l = append(l, sl.label)
		}
		return strings.Join(l, ",")
	}
	if got := labels(); got != "pasted,pasted 2" || s.(inspectModel).sel != 1 {
		t.Fatalf("two pastes: slots %q, selected %d", got, s.(inspectModel).sel)
	}
	s = feed(s, tea.PasteMsg{Content: "  " + first + "\n"})
	if got := labels(); got != "pasted,pasted 2" || s.(inspectModel).sel != 0 {
		t.Fatalf("the first token again: slots %q, selected %d; want its slot selected", got, s.(inspectModel).sel)
	}
	s = feed(s, press("x"))
	im := s.(inspectModel)
	if got := labels(); got != "pasted 2" || im.slots[im.sel].raw != second {
		t.Fatalf("x: slots %q; want the first closed and the second selected", got)
	}
	if !strings.Contains(im.status, "closed the pasted") {
		t.Errorf("status %q", im.status)
	}
	s = feed(s, press("x"), press("x"))
	if im := s.(inspectModel); len(im.slots) != 0 || im.sel != 0 {
		t.Fatalf("closing every token: %d slots, selected %d", len(im.slots), im.sel)
	}
	if v := ansi.Strip(s.View()); !strings.Contains(v, "paste") {
		t.Errorf("the empty inspector does not offer to paste a token:\n%s", v)
	}
}

func TestInspectorStaleVerificationDropped(t *testing.T) {
	s := sized(newInspect(fixedCommon(fixedNow)), 100, 30)
	s, _ = s.Update(tea.PasteMsg{Content: fakeJWT(t, fakeHeader, `{"sub":"first"}`)}) // verification 1 in flight
	s, _ = s.Update(press("x"))                                                       // closed before it ends
	s, _ = s.Update(tea.PasteMsg{Content: fakeJWT(t, fakeHeader, `{"sub":"second"}`)})
	stale := tokenVerifiedMsg{reqID: 1, report: flows.Report{Checks: []flows.Check{{Name: "format", Status: flows.CheckFail, Detail: "stale"}}}}
	s, _ = s.Update(stale)
	if sl := s.(inspectModel).slots[0]; sl.hasReport || !sl.verifying {
		t.Error("the first paste's result was taken for the second")
	}
}

func TestInspectorRefreshComparison(t *testing.T) {
	first := fakeTokens(t)
	s := sized(newInspect(fixedCommon(fixedNow)), 120, 38)
	s = feed(s, first, refreshedTokens(t, first), press("right"))
	im := s.(inspectModel)
	at := im.slots[im.sel]
	if at.label != "access_token" || at.prev == nil || !at.changed {
		t.Fatalf("selected %q, prev %v", at.label, at.prev)
	}
	kinds := map[string]flows.ChangeKind{}
	for _, c := range at.diff {
		kinds[c.Name] = c.Kind
	}
	if kinds["scope"] != flows.ClaimChanged || kinds["sid"] != flows.ClaimAdded || kinds["iss"] != flows.ClaimSame {
		t.Errorf("diff: %v", kinds)
	}
	body := ansi.Strip(im.vp.GetContent())
	for _, want := range []string{"Since the refresh", "before", "after", "~ scope", "+ sid"} {
		if !strings.Contains(body, want) {
			t.Errorf("the comparison lacks %q:\n%s", want, body)
		}
	}
	s = feed(s, press("right"))
	if body := ansi.Strip(s.(inspectModel).vp.GetContent()); !strings.Contains(body, "rotated") {
		t.Errorf("the refresh token should say it rotated:\n%s", body)
	}
	// The id_token was not renewed: it stays, with no comparison.
	if id := s.(inspectModel).slots[0]; id.label != "id_token" || id.prev != nil {
		t.Errorf("id_token slot after refresh: %q prev %v", id.label, id.prev)
	}
}

func TestInspectorNavigateOpensToken(t *testing.T) {
	s := sized(newInspect(fixedCommon(fixedNow)), 100, 30)
	s = feed(s, fakeTokens(t))
	s = feed(s, navigateMsg{to: inspectScreen, token: fakeOpaqueToken, label: "introspected"})
	im := s.(inspectModel)
	if sl := im.slots[im.sel]; sl.label != "introspected" || sl.raw != fakeOpaqueToken {
		t.Errorf("navigate: selected %q", sl.label)
	}
	// Opening a token already shown selects it.
	s = feed(s, navigateMsg{to: inspectScreen, token: fakeRefresh})
	if im := s.(inspectModel); im.slots[im.sel].label != "refresh_token" || len(im.slots) != 4 {
		t.Errorf("navigate to a known token: selected %q of %d", im.slots[im.sel].label, len(im.slots))
	}
}

func TestRoughDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		42 * time.Second: "42 s", 54 * time.Minute: "54 min", 3 * time.Hour: "3 h",
		3*time.Hour + 12*time.Minute: "3 h 12 min", 30 * time.Hour: "30 h", 5 * 24 * time.Hour: "5 days",
	} {
		if got := roughDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
	if got := clockDuration(50*time.Hour + 90*time.Second); got != "2d 02:01:30" {
		t.Errorf("clockDuration: %q", got)
	}
}

// TestRootRoutesToInspectorAndTrace drives the root: tokens announced by the flow reach the
// inspector, exchanges reach the trace, and typing a token does not trigger single-letter global
// keys.
func TestRootRoutesToInspectorAndTrace(t *testing.T) {
	client, err := flows.NewClient(flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "fake-client"}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var m tea.Model = New(Options{Client: client, Start: inspectScreen, Now: func() time.Time { return fixedNow }})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m, _ = m.Update(fakeTokens(t))
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "00:30:00 left") {
		t.Fatalf("the inspector did not get the tokens:\n%s", v)
	}
	root := m.(Model)
	m, _ = m.Update(exchangeRecordedMsg{exchange: flows.Exchange{ID: 1, Step: "discovery", Method: "GET", URL: "http://127.0.0.1:1/.well-known/openid-configuration", Status: 200, Started: fixedNow}, session: root.session})
	m, _ = m.Update(exchangeRecordedMsg{exchange: flows.Exchange{ID: 1, Method: "GET", URL: "http://127.0.0.1:1/stale"}, session: root.session - 1})
	if tm := m.(Model).screens[traceScreen].(traceModel); len(tm.exchanges) != 1 {
		t.Fatalf("the trace lists %d exchanges, want 1 (an old session's exchange must be dropped)", len(tm.exchanges))
	}
	// p opens the input; q then types, it does not quit.
	m, _ = m.Update(press("p"))
	m, cmd := m.Update(press("q"))
	if cmd != nil {
		if _, quit := cmd().(tea.QuitMsg); quit {
			t.Fatal("q quit while a token was being typed")
		}
	}
	if in := m.(Model).screens[inspectScreen].(inspectModel).input.Value(); in != "q" {
		t.Errorf("the input holds %q, want q", in)
	}
	m, _ = m.Update(press("esc"))
	if _, cmd := m.Update(press("q")); cmd == nil {
		t.Error("q after esc should quit")
	}
}

// TestInspectorVerifiesWithSessionKeys pastes a real access token of the built-in provider: the
// inspector checks its signature against the session's JWKS, and its issuer.
func TestInspectorVerifiesWithSessionKeys(t *testing.T) {
	p, err := demoidp.Start(demoidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	client, err := flows.NewClient(flows.ClientConfig{Issuer: p.Issuer(), ClientID: "demo-basic", ClientSecret: "demo-basic-secret",
		AuthMethod: flows.AuthClientSecretBasic}, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := client.ClientCredentials(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c := fixedCommon(time.Now())
	c.now = time.Now
	c.client, c.trace = client, client.Trace
	s := sized(newInspect(c), 100, 30)
	s = feed(s, tea.PasteMsg{Content: "Bearer " + tok.AccessToken})
	sl := s.(inspectModel).slots[0]
	if !sl.hasReport {
		t.Fatal("no report")
	}
	for _, name := range []string{"signature", "iss", "typ", "exp"} {
		if c, _ := sl.report.Find(name); c.Status != flows.CheckPass {
			t.Errorf("%s: %s %s", name, c.Status, c.Detail)
		}
	}
	// The same token altered: the signature fails, and the failure is explained.
	parts := strings.Split(tok.AccessToken, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + p.Issuer() + `","sub":"someone-else"}`))
	s = feed(s, tea.PasteMsg{Content: strings.Join(parts, ".")})
	body := ansi.Strip(s.(inspectModel).vp.GetContent())
	if !strings.Contains(body, "✗ signature") || !strings.Contains(ansi.Strip(s.View()), "checks failed: signature") {
		t.Errorf("an altered token should fail its signature check:\n%s", body)
	}
}
