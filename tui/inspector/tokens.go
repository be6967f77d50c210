package inspector

import (
	"maps"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The inspector's tokens: a slot per token, derived in Update from what the flow announces or
// the user pastes, and validated in a command.

// shownToken is a token as decoded, without its analysis: the previous token of a slot.
type shownToken struct {
	raw string
	jwt *flows.JWT
	// claimKeys and headerKeys are jwt's claims and header parameters in the order received, read
	// once when jwt is set (setJWT) rather than from the JSON again on every layout.
	claimKeys, headerKeys []string
	err                   error
}

// setJWT shows j (nil when the token is no JWT) and reads the order of its members.
func (t *shownToken) setJWT(j *flows.JWT) {
	t.jwt, t.claimKeys, t.headerKeys = j, nil, nil
	if j != nil {
		t.claimKeys, t.headerKeys = keyOrder(j.Payload, j.Claims), keyOrder(j.HeaderJSON, j.Header)
	}
}

// tokenSlot is one token the inspector can show, with everything derived from it.
type tokenSlot struct {
	label string // "id_token", "access_token", "refresh_token", "pasted", or a label sent with it
	shownToken
	// origin says where the token came from ("token endpoint, authorization_code").
	origin string
	at     time.Time
	// report holds the validation checks; verifying is set while a validation runs (verifyID
	// tags it), hasReport once there is one.
	report    flows.Report
	hasReport bool
	// encrypted is the JWE as received once the report decrypted it; jwt is then the signed token
	// inside (OpenID Connect Core §10.2).
	encrypted *flows.JWT
	verifying bool
	verifyID  int
	checkedAt time.Time
	// expiry is the exp claim, else the token response's expires_in; expirySource says which.
	expiry       time.Time
	expirySource string
	// prev is the token this one replaced after a refresh, diff their claims, rotation what the
	// refresh did to the refresh token (refresh_token slot).
	prev     *shownToken
	diff     []flows.ClaimChange
	rotation flows.Rotation
	changed  bool // the raw token differs from prev
}

// opaque reports a token with no JWT structure at all (no dot): normal for access and refresh
// tokens, which only the issuer can read.
func (t shownToken) opaque() bool {
	return t.err != nil && !strings.Contains(strings.TrimSpace(t.raw), ".")
}

// addToken decodes a token into a slot (replacing the slot of the same label) and selects it;
// a JWS is then validated in a command.
func (s Model) addToken(raw, label, origin string) (ui.Screen, tea.Cmd) {
	sl := s.decodeSlot(label, raw)
	sl.origin, sl.at = origin, s.c.Now()
	s.slots = replaceSlot(s.slots, sl)
	s.sel = slotIndex(s.slots, label)
	s.status = ""
	var cmd tea.Cmd
	s, cmd = s.startVerify(s.sel, flows.Expect{})
	s, tick := s.startTicking()
	return s.layout(), tea.Batch(cmd, tick)
}

// onTokens replaces the flow's tokens with a new set; after a refresh, each new token keeps the
// one it replaced.
func (s Model) onTokens(msg ui.TokensReceivedMsg) (ui.Screen, tea.Cmd) {
	if msg.Token == nil {
		return s, nil
	}
	selected := ""
	if s.sel < len(s.slots) {
		selected = s.slots[s.sel].label
	}
	origin := "token endpoint"
	if msg.Grant != "" {
		origin += ", " + msg.Grant
	}
	at := msg.At
	if at.IsZero() {
		at = s.c.Now()
	}
	tok, prev := msg.Token, msg.Previous
	var cmds []tea.Cmd
	add := func(label, raw, prevRaw string) int {
		if raw == "" {
			return -1
		}
		sl := s.decodeSlot(label, raw)
		sl.origin, sl.at = origin, at
		if prev != nil && prevRaw != "" {
			p := s.previousShown(label, prevRaw)
			sl.prev, sl.changed = &p, prevRaw != raw
			sl.diffWithPrev()
		}
		s.slots = replaceSlot(s.slots, sl)
		return slotIndex(s.slots, label)
	}
	if i := add("id_token", tok.IDToken, prevField(prev, func(t *flows.Token) string { return t.IDToken })); i >= 0 && msg.HasReport {
		s.slots[i].setReport(msg.Report, at)
	}
	if i := add("access_token", tok.AccessToken, prevField(prev, func(t *flows.Token) string { return t.AccessToken })); i >= 0 {
		if s.slots[i].expiry.IsZero() && !tok.Expiry.IsZero() {
			s.slots[i].expiry, s.slots[i].expirySource = tok.Expiry, "expires_in"
		}
		var cmd tea.Cmd
		s, cmd = s.startVerify(i, flows.Expect{ServerDate: tok.ServerDate, ReceivedAt: at})
		cmds = append(cmds, cmd)
	}
	refresh := tok.RefreshToken
	if refresh == "" && tok.Rotation == flows.RotationOmitted && prev != nil {
		refresh = prev.RefreshToken // RFC 6749 §6: the client keeps using the old one
	}
	if i := add("refresh_token", refresh, prevField(prev, func(t *flows.Token) string { return t.RefreshToken })); i >= 0 {
		s.slots[i].rotation = tok.Rotation
	}
	s.sel = 0
	if i := slotIndex(s.slots, selected); i >= 0 {
		s.sel = i
	}
	s, tick := s.startTicking()
	return s.layout(), tea.Batch(append(cmds, tick)...)
}

// previousShown is the token a refresh replaced, as the slot showing it has it: decrypted, if its
// report decrypted it, so that the claims compared are those of the signed tokens inside.
func (s Model) previousShown(label, raw string) shownToken {
	if i := slotIndex(s.slots, label); i >= 0 && s.slots[i].raw == raw {
		return s.slots[i].shownToken
	}
	return decodeShown(raw)
}

// diffWithPrev compares the slot's claims with those of the token it replaced. An encrypted token
// is compared again once its report has decrypted it (a JWE alone shows no claims).
func (sl *tokenSlot) diffWithPrev() {
	if sl.jwt != nil && sl.prev != nil && sl.prev.jwt != nil {
		sl.diff = flows.DiffClaims(sl.prev.jwt.Claims, sl.jwt.Claims)
	}
}

// prevField reads a field of the previous token set, if any.
func prevField(prev *flows.Token, f func(*flows.Token) string) string {
	if prev == nil {
		return ""
	}
	return f(prev)
}

// decodeShown decodes a token without analysing it.
func decodeShown(raw string) shownToken {
	j, err := flows.DecodeJWT(raw)
	t := shownToken{raw: strings.TrimSpace(raw), err: err}
	t.setJWT(j)
	return t
}

// decodeSlot decodes a token into a slot; a malformed token keeps its error, to be explained.
func (s Model) decodeSlot(label, raw string) tokenSlot {
	sl := tokenSlot{label: label, shownToken: decodeShown(raw)}
	if sl.jwt != nil {
		if t, ok := sl.jwt.ClaimTime("exp"); ok {
			sl.expiry, sl.expirySource = t, "exp claim"
		}
	}
	return sl
}

// replaceSlot puts sl in place of the slot with its label, or appends it; the slots stay in a
// fixed order: id_token, access_token, refresh_token, then the others.
func replaceSlot(slots []tokenSlot, sl tokenSlot) []tokenSlot {
	out := make([]tokenSlot, 0, len(slots)+1)
	done := false
	for _, old := range slots {
		if old.label == sl.label {
			out, done = append(out, sl), true
			continue
		}
		out = append(out, old)
	}
	if !done {
		out = append(out, sl)
	}
	rank := func(label string) int {
		switch label {
		case "id_token":
			return 0
		case "access_token":
			return 1
		case "refresh_token":
			return 2
		}
		return 3
	}
	// A stable insertion sort: few slots, and equal ranks keep their order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && rank(out[j].label) < rank(out[j-1].label); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func slotIndex(slots []tokenSlot, label string) int {
	for i, sl := range slots {
		if sl.label == label {
			return i
		}
	}
	return -1
}

// startVerify validates slot i's token in a command, unless it is not a JWS or already has a
// report. exp is completed with the session's issuer and client secret; the signature is checked
// against the session's JWKS (nothing when there is no client).
func (s Model) startVerify(i int, exp flows.Expect) (Model, tea.Cmd) {
	sl := &s.slots[i]
	if sl.jwt == nil || sl.hasReport {
		return s, nil
	}
	var keys flows.KeySource
	skew := flows.DefaultSkew
	if cl := s.c.Client; cl != nil {
		keys, skew = cl.Keys(), cl.Skew
		exp.Issuer = cl.ExpectedIssuer() // a multi-tenant template is filled from the token's tid
		exp.ClientSecret = cl.Config.ClientSecret
		exp.DecryptionKey = cl.Config.DecryptionKey
	}
	s.reqID++
	sl.verifying, sl.verifyID = true, s.reqID
	return s, verifyToken(keys, sl.raw, exp, s.c.Now(), skew, s.reqID)
}

// onVerified stores a validation in the slot that asked for it; a slot replaced since then no
// longer has that ID, and the result is dropped.
func (s Model) onVerified(msg tokenVerifiedMsg) Model {
	for i := range s.slots {
		if sl := &s.slots[i]; sl.verifying && sl.verifyID == msg.reqID {
			sl.setReport(msg.report, msg.at)
			return s.layout()
		}
	}
	return s
}

// setReport stores a validation in the slot. A report that decrypted an encrypted token puts the
// signed token inside in place of the JWE, so that its claims, header and expiry are shown.
func (sl *tokenSlot) setReport(r flows.Report, at time.Time) {
	sl.report, sl.hasReport, sl.verifying, sl.checkedAt = r, true, false, at
	if r.Encrypted == nil || r.Token == nil {
		return
	}
	sl.setJWT(r.Token)
	sl.encrypted = r.Encrypted
	sl.diffWithPrev()
	if t, ok := r.Token.ClaimTime("exp"); ok && sl.expiry.IsZero() {
		sl.expiry, sl.expirySource = t, "exp claim"
	}
}

// startTicking starts the one-second countdown once some token has an expiry, while the inspector
// is on show (onNavigate starts it when it is shown again).
func (s Model) startTicking() (Model, tea.Cmd) {
	s.now = s.c.Now()
	if s.ticking || s.c.Active != ui.InspectScreen {
		return s, nil
	}
	for _, sl := range s.slots {
		if !sl.expiry.IsZero() {
			s.ticking = true
			return s, ui.TickClock(inspectClockTag)
		}
	}
	return s, nil
}

// onTick moves the countdown on, reading the injected clock, and re-arms the tick. Hidden, the
// inspector lets the tick chain end: nothing of it is on screen; onNavigate catches up and starts
// it again when it is shown.
func (s Model) onTick(msg ui.ClockTickedMsg) (ui.Screen, tea.Cmd) {
	if msg.Tag != inspectClockTag {
		return s, nil
	}
	if s.c.Active != ui.InspectScreen {
		s.ticking = false
		return s, nil
	}
	return s.catchUpClock(), ui.TickClock(inspectClockTag)
}

// catchUpClock reads the clock and draws the body again if its relative times changed; otherwise
// only the countdown moved, which View draws.
func (s Model) catchUpClock() Model {
	s.now = s.c.Now()
	if s.clockText() == s.bodyClock {
		return s
	}
	return s.layout()
}

// clockText is what of the body the clock changes: the selected token's date claims relative to
// now ("expires in 54 min"), in name order.
func (s Model) clockText() string {
	if len(s.slots) == 0 || s.slots[s.sel].jwt == nil {
		return ""
	}
	j := s.slots[s.sel].jwt
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(j.Claims)) {
		if t, known := assets.Claim(k); known && t.Date {
			if at, ok := j.ClaimTime(k); ok {
				b.WriteString(k + " " + s.relative(k, at) + "\n")
			}
		}
	}
	return b.String()
}
