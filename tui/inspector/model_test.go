package inspector

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Tests of the inspector alone, as a pure function of its messages: countdowns, pastes, slots,
// reveal, the comparison after a refresh, verification.

func TestInspectorCountdownTicks(t *testing.T) {
	now := tuitest.FixedNow
	c := tuitest.FixedCommon(now)
	c.Now = func() time.Time { return now }
	c.Active = ui.InspectScreen
	s := tuitest.Sized(New(c), 80, 22)
	s, cmd := s.Update(tuitest.FakeTokens(t))
	if cmd == nil {
		t.Fatal("tokens with an expiry should start the countdown")
	}
	im := s.(Model)
	if !im.ticking || !strings.Contains(im.View(), "00:30:00 left") {
		t.Fatalf("countdown not shown:\n%s", im.View())
	}
	now = now.Add(61 * time.Second)
	s, cmd = s.Update(ui.ClockTickedMsg{Tag: inspectClockTag, At: now})
	if cmd == nil {
		t.Error("the tick was not re-armed")
	}
	if v := s.View(); !strings.Contains(v, "00:28:59 left") || !strings.Contains(v, "in 28 min") {
		t.Errorf("after 61 s the countdown should read 00:28:59:\n%s", v)
	}
	// Another screen's tick neither moves the clock nor re-arms ours.
	now = now.Add(time.Hour)
	s2, cmd := s.Update(ui.ClockTickedMsg{Tag: 7, At: now})
	if cmd != nil || s2.View() != s.View() {
		t.Error("a foreign tick was taken")
	}
	s, _ = s.Update(ui.ClockTickedMsg{Tag: inspectClockTag, At: now})
	if v := s.View(); !strings.Contains(v, "expired 31 min ago") {
		t.Errorf("an hour later the token has expired:\n%s", v)
	}
	// A second token set does not start a second tick chain.
	if _, cmd := s.Update(tuitest.FakeTokens(t)); hasTick(cmd) {
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
		m, ok := msg.(ui.ClockTickedMsg)
		return ok && m.Tag == inspectClockTag
	case <-time.After(1500 * time.Millisecond):
		return false
	}
}

func TestInspectorPasteMalformed(t *testing.T) {
	s := tuitest.Sized(New(tuitest.FixedCommon(tuitest.FixedNow)), 80, 22)
	s, _ = s.Update(tuitest.Press("p"))
	if !s.(Model).CapturingText() {
		t.Fatal("p should open the token input")
	}
	for _, r := range "eyJhbGciOiJub25lIn0.e30.s+sig" {
		s, _ = s.Update(tuitest.Press(string(r)))
	}
	s = feed(s, tuitest.Press("enter"))
	im := s.(Model)
	if im.CapturingText() || len(im.slots) != 1 || im.slots[0].label != pastedLabel {
		t.Fatalf("after enter: editing %v, slots %d", im.CapturingText(), len(im.slots))
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
		"eyJ9.eyJ9.x", tuitest.FakeJWT(t, `{"alg":"none"}`, `{"exp":"soon"}`), tuitest.FakeJWT(t, `{"alg":"RSA-OAEP","enc":"A256GCM"}`, `{}`) + ".x.y",
		strings.Repeat("x", 10000), "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "\x00\xff.\xfe.\x01"}
	for _, in := range inputs {
		s := tuitest.Sized(New(tuitest.FixedCommon(tuitest.FixedNow)), 80, 22)
		s = feed(s, tea.PasteMsg{Content: in})
		_ = s.View()
		s = tuitest.Sized(s, 20, 5)
		_ = s.View()
		s = tuitest.Sized(s, 160, 50)
		_ = s.View()
	}
}

func TestInspectorRevealToggle(t *testing.T) {
	msg := tuitest.FakeTokens(t)
	s := tuitest.Sized(New(tuitest.FixedCommon(tuitest.FixedNow)), 120, 38)
	s = feed(s, msg)
	raw := msg.Token.IDToken
	all := func(s ui.Screen) string { return ansi.Strip(s.View() + s.(Model).vp.GetContent()) }
	if strings.Contains(all(s), raw) || strings.Contains(all(s), raw[40:80]) {
		t.Fatal("the token is shown before reveal")
	}
	if !strings.Contains(all(s), "masked") {
		t.Error("no masked notice")
	}
	// Copy while masked copies nothing.
	s, cmd := s.Update(tuitest.Press("c"))
	if cmd != nil {
		t.Error("copy while masked returned a command")
	}
	s, _ = s.Update(tuitest.ToggleReveal(s.(Model).c))
	if !strings.Contains(strings.ReplaceAll(ansi.Strip(s.(Model).vp.GetContent()), "\n", ""), raw) {
		t.Error("the token is not shown after reveal")
	}
	if _, cmd := s.Update(tuitest.Press("c")); cmd == nil {
		t.Error("copy after reveal returned no command")
	}
	s, _ = s.Update(tuitest.ToggleReveal(s.(Model).c))
	if strings.Contains(strings.ReplaceAll(all(s), "\n", ""), raw) {
		t.Error("the token is shown after masking again")
	}
}

func TestInspectorSlotsAndSelection(t *testing.T) {
	s := tuitest.Sized(New(tuitest.FixedCommon(tuitest.FixedNow)), 100, 30)
	s = feed(s, tuitest.FakeTokens(t))
	im := s.(Model)
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
	s = feed(s, tuitest.Press("right"), tuitest.Press("right"))
	if got := s.(Model).sel; got != 2 {
		t.Fatalf("two rights: selected %d", got)
	}
	if v := ansi.Strip(s.(Model).vp.GetContent()); !strings.Contains(v, "Opaque token") {
		t.Errorf("the refresh token should be explained as opaque:\n%s", v)
	}
	s = feed(s, tuitest.Press("right"))
	if got := s.(Model).sel; got != 0 {
		t.Errorf("selection should wrap around: %d", got)
	}
	s = feed(s, tuitest.Press("left"))
	if got := s.(Model).sel; got != 2 {
		t.Errorf("left from the first should wrap to the last: %d", got)
	}
	// A pasted token joins the list after the flow's and is selected; the flow's selection is
	// kept when new tokens arrive.
	s = feed(s, tea.PasteMsg{Content: tuitest.FakeJWT(t, tuitest.FakeHeader, `{"sub":"x"}`)})
	if im := s.(Model); im.slots[im.sel].label != pastedLabel || len(im.slots) != 4 {
		t.Fatalf("paste: selected %q of %d", im.slots[im.sel].label, len(im.slots))
	}
	s = feed(s, tuitest.RefreshedTokens(t, tuitest.FakeTokens(t)))
	if im := s.(Model); im.slots[im.sel].label != pastedLabel {
		t.Errorf("the refresh moved the selection to %q", im.slots[im.sel].label)
	}
}

// TestInspectorPastedTokensAndClose: each different pasted token gets a slot of its own, the same
// one pasted again selects its slot, and x closes the selected token.
func TestInspectorPastedTokensAndClose(t *testing.T) {
	s := tuitest.Sized(New(tuitest.FixedCommon(tuitest.FixedNow)), 100, 30)
	first, second := tuitest.FakeJWT(t, tuitest.FakeHeader, `{"sub":"a"}`), tuitest.FakeJWT(t, tuitest.FakeHeader, `{"sub":"b"}`)
	s = feed(s, tea.PasteMsg{Content: first}, tea.PasteMsg{Content: second})
	labels := func() string {
		var l []string
		for _, sl := range s.(Model).slots {
			l = append(l, sl.label)
		}
		return strings.Join(l, ",")
	}
	if got := labels(); got != "pasted,pasted 2" || s.(Model).sel != 1 {
		t.Fatalf("two pastes: slots %q, selected %d", got, s.(Model).sel)
	}
	s = feed(s, tea.PasteMsg{Content: "  " + first + "\n"})
	if got := labels(); got != "pasted,pasted 2" || s.(Model).sel != 0 {
		t.Fatalf("the first token again: slots %q, selected %d; want its slot selected", got, s.(Model).sel)
	}
	s = feed(s, tuitest.Press("d"))
	im := s.(Model)
	if got := labels(); got != "pasted 2" || im.slots[im.sel].raw != second {
		t.Fatalf("d: slots %q; want the first closed and the second selected", got)
	}
	if !strings.Contains(im.status, "closed the pasted") {
		t.Errorf("status %q", im.status)
	}
	s = feed(s, tuitest.Press("d"), tuitest.Press("d"))
	if im := s.(Model); len(im.slots) != 0 || im.sel != 0 {
		t.Fatalf("closing every token: %d slots, selected %d", len(im.slots), im.sel)
	}
	if v := ansi.Strip(s.View()); !strings.Contains(v, "paste") {
		t.Errorf("the empty inspector does not offer to paste a token:\n%s", v)
	}
}

func TestInspectorStaleVerificationDropped(t *testing.T) {
	s := tuitest.Sized(New(tuitest.FixedCommon(tuitest.FixedNow)), 100, 30)
	s, _ = s.Update(tea.PasteMsg{Content: tuitest.FakeJWT(t, tuitest.FakeHeader, `{"sub":"first"}`)}) // verification 1 in flight
	s, _ = s.Update(tuitest.Press("d"))                                                               // closed before it ends
	s, _ = s.Update(tea.PasteMsg{Content: tuitest.FakeJWT(t, tuitest.FakeHeader, `{"sub":"second"}`)})
	stale := tokenVerifiedMsg{reqID: 1, report: flows.Report{Checks: []flows.Check{{Name: "format", Status: flows.CheckFail, Detail: "stale"}}}}
	s, _ = s.Update(stale)
	if sl := s.(Model).slots[0]; sl.hasReport || !sl.verifying {
		t.Error("the first paste's result was taken for the second")
	}
}

func TestInspectorRefreshComparison(t *testing.T) {
	first := tuitest.FakeTokens(t)
	s := tuitest.Sized(New(tuitest.FixedCommon(tuitest.FixedNow)), 120, 38)
	s = feed(s, first, tuitest.RefreshedTokens(t, first), tuitest.Press("right"))
	im := s.(Model)
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
	s = feed(s, tuitest.Press("right"))
	if body := ansi.Strip(s.(Model).vp.GetContent()); !strings.Contains(body, "rotated") {
		t.Errorf("the refresh token should say it rotated:\n%s", body)
	}
	// The id_token was not renewed: it stays, with no comparison.
	if id := s.(Model).slots[0]; id.label != "id_token" || id.prev != nil {
		t.Errorf("id_token slot after refresh: %q prev %v", id.label, id.prev)
	}
}

func TestInspectorNavigateOpensToken(t *testing.T) {
	s := tuitest.Sized(New(tuitest.FixedCommon(tuitest.FixedNow)), 100, 30)
	s = feed(s, tuitest.FakeTokens(t))
	s = feed(s, ui.NavigateMsg{To: ui.InspectScreen, Token: tuitest.FakeOpaqueToken, Label: "introspected"})
	im := s.(Model)
	if sl := im.slots[im.sel]; sl.label != "introspected" || sl.raw != tuitest.FakeOpaqueToken {
		t.Errorf("navigate: selected %q", sl.label)
	}
	// Opening a token already shown selects it.
	s = feed(s, ui.NavigateMsg{To: ui.InspectScreen, Token: tuitest.FakeRefresh})
	if im := s.(Model); im.slots[im.sel].label != "refresh_token" || len(im.slots) != 4 {
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
	c := tuitest.FixedCommon(time.Now())
	c.Now = time.Now
	c.Client, c.Trace = client, client.Trace
	s := tuitest.Sized(New(c), 100, 30)
	s = feed(s, tea.PasteMsg{Content: "Bearer " + tok.AccessToken})
	sl := s.(Model).slots[0]
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
	body := ansi.Strip(s.(Model).vp.GetContent())
	if !strings.Contains(body, "✗ signature") || !strings.Contains(ansi.Strip(s.View()), "checks failed: signature") {
		t.Errorf("an altered token should fail its signature check:\n%s", body)
	}
}

// feed hands msgs to the inspector, delivering the verifications its commands answer at once.
func feed(s ui.Screen, msgs ...tea.Msg) ui.Screen { return tuitest.Feed[tokenVerifiedMsg](s, msgs...) }

// TestInspectorTickRedrawsOnlyWhatMoved: a tick draws the body again only when a relative time in
// it changed; either way the screen is the one a full layout draws.
func TestInspectorTickRedrawsOnlyWhatMoved(t *testing.T) {
	now := tuitest.FixedNow
	c := tuitest.FixedCommon(now)
	c.Now = func() time.Time { return now }
	c.Active = ui.InspectScreen
	s := tuitest.Sized(New(c), 80, 22)
	s, _ = s.Update(tuitest.FakeTokens(t))
	for _, step := range []time.Duration{time.Second, 30 * time.Second, 31 * time.Second, time.Hour} {
		before := s.(Model).bodyClock
		now = now.Add(step)
		s, _ = s.Update(ui.ClockTickedMsg{Tag: inspectClockTag, At: now})
		m := s.(Model)
		if got, want := m.View(), m.layout().View(); got != want {
			t.Errorf("after %v the screen is not a full layout's:\n%s\nwant\n%s", step, got, want)
		}
		if moved := m.clockText() != before; moved != (m.bodyClock != before) {
			t.Errorf("after %v: the body's relative times moved %v, drawn again %v", step, moved, m.bodyClock != before)
		}
	}
	if v := s.View(); !strings.Contains(v, "expired 31 min ago") {
		t.Errorf("the body was not drawn again when its times moved:\n%s", v)
	}
}

// TestInspectorHiddenTickDrawsNothing: hidden, the inspector draws nothing and lets its tick chain
// end; shown again, it draws the body its clock moved, as a full layout would, and ticks again.
func TestInspectorHiddenTickDrawsNothing(t *testing.T) {
	now := tuitest.FixedNow
	c := tuitest.FixedCommon(now)
	c.Now = func() time.Time { return now }
	c.Active = ui.FlowScreen
	s := tuitest.Sized(New(c), 80, 22)
	s, _ = s.Update(tuitest.FakeTokens(t))
	if s.(Model).ticking {
		t.Error("a hidden inspector started its countdown")
	}
	c.Active = ui.InspectScreen
	s, _ = s.Update(ui.NavigateMsg{To: ui.InspectScreen})
	c.Active = ui.FlowScreen
	before := s.(Model)
	now = now.Add(time.Hour)
	s, cmd := s.Update(ui.ClockTickedMsg{Tag: inspectClockTag, At: now})
	if cmd != nil || s.(Model).ticking {
		t.Error("the tick was re-armed while hidden")
	}
	if m := s.(Model); m.bodyClock != before.bodyClock || m.body != before.body {
		t.Error("a hidden inspector drew its body on a tick")
	}
	c.Active = ui.InspectScreen
	s, cmd = s.Update(ui.NavigateMsg{To: ui.InspectScreen})
	if cmd == nil {
		t.Error("shown again, the countdown did not start again")
	}
	m := s.(Model)
	if got, want := m.View(), m.layout().View(); got != want || !strings.Contains(got, "expired 30 min ago") {
		t.Errorf("shown again, the screen is not a full layout's:\n%s\nwant\n%s", got, want)
	}
}

// TestInspectorViewIsBlock: every line of the view is the body's width, so that the root lays the
// frame out without measuring it again.
func TestInspectorViewIsBlock(t *testing.T) {
	c := tuitest.FixedCommon(tuitest.FixedNow)
	s := tuitest.Sized(New(c), 80, 22)
	s, _ = s.Update(tuitest.FakeTokens(t))
	lines := strings.Split(s.View(), "\n")
	if len(lines) != 22 {
		t.Errorf("%d lines, want 22", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 80 {
			t.Errorf("line %d is %d cells wide, want 80: %q", i, w, ansi.Strip(l))
		}
	}
}
