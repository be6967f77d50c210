package inspector

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Rendering of the inspector: the slot tabs, the selected token's summary, and its tables below.

// wideAt is the body width from which the inspector puts explanations, and a refreshed token and
// the one it replaced, in columns side by side.
const wideAt = 110

// layout sizes the viewport below the fixed top and renders the body into it. It runs in Update
// after every change, so View only reads.
func (s Model) layout() Model {
	if s.width <= 0 || s.height <= 0 {
		return s
	}
	top := lipgloss.Height(s.topView())
	s.vp.SetWidth(s.width)
	s.vp.SetHeight(max(1, s.height-top))
	s.vp.SetContent(s.bodyView(s.width))
	s.bodyClock = s.clockText()
	return s.drawBody()
}

// drawBody draws the viewport, after its content or its scroll position changed.
func (s Model) drawBody() Model {
	s.body = s.vp.View()
	return s
}

// View is the fixed top (token tabs, the selected token and its countdown) and the scrolling body.
func (s Model) View() string {
	if s.width <= 0 {
		return ""
	}
	return s.topView() + "\n" + s.body
}

// topView is what stays on screen while the body scrolls.
func (s Model) topView() string {
	st := s.c.Styles
	var lines []string
	if s.editing {
		lines = append(lines, st.Title.Render("Paste a token")+"  "+st.KeyHint.Render("enter to inspect · esc to cancel"), s.input.View())
	}
	if len(s.slots) == 0 {
		if !s.editing {
			lines = append(lines, st.Title.Render("Inspector"), "",
				"No token yet. Run the flow (2) to get tokens, or press p to paste one.",
				st.Muted.Render("Decoding happens here, on this machine: nothing is sent anywhere, except to fetch the provider's public keys."))
		}
		return s.padded(lines)
	}
	lines = append(lines, s.tabsView(), s.summaryLine(), s.tokenLine(), s.expiryLine())
	if f := s.filterLine(); f != "" {
		lines = append(lines, f)
	}
	if v := s.verdictLine(); v != "" {
		lines = append(lines, v)
	}
	if s.status != "" {
		lines = append(lines, st.Note.Render(ui.Truncate(s.status, s.width)))
	}
	lines = append(lines, st.Rule.Render(strings.Repeat("─", s.width)))
	return s.padded(lines)
}

// padded joins the top's lines, each padded to the width: with the viewport's lines below (padded
// by it), the view is a block, which the root lays out without measuring it again (tui.stack).
func (s Model) padded(lines []string) string {
	for i, l := range lines {
		lines[i] = ui.PadCell(l, s.width)
	}
	return strings.Join(lines, "\n")
}

// tabsView lists the tokens, the selected one highlighted.
func (s Model) tabsView() string {
	st := s.c.Styles
	tabs := make([]string, 0, len(s.slots))
	for i, sl := range s.slots {
		label := sl.label
		if sl.prev != nil && sl.changed {
			label += " ↻"
		}
		if i == s.sel {
			tabs = append(tabs, st.TabActive.Render(label))
		} else {
			tabs = append(tabs, st.TabInactive.Render(label))
		}
	}
	return ui.Truncate(strings.Join(tabs, " "), s.width)
}

// summaryLine says what the selected token is and where it came from.
func (s Model) summaryLine() string {
	sl := s.slots[s.sel]
	var parts []string
	switch {
	case sl.encrypted != nil:
		parts = append(parts, "JWE (encrypted)", "alg "+sl.encrypted.Alg(), "enc "+sl.encrypted.Enc(), "decrypted: JWT", sl.jwt.Alg())
	case sl.jwt != nil && sl.jwt.Kind == flows.JWTKindJWE:
		parts = append(parts, "JWE (encrypted)", "alg "+sl.jwt.Alg(), "enc "+sl.jwt.Enc())
	case sl.jwt != nil:
		parts = append(parts, "JWT", sl.jwt.Alg())
		if typ := sl.jwt.Typ(); typ != "" {
			parts = append(parts, "typ "+typ)
		}
	case sl.opaque():
		parts = append(parts, "opaque token")
	default:
		parts = append(parts, "malformed JWT")
	}
	if sl.origin != "" {
		parts = append(parts, sl.origin+" at "+sl.at.UTC().Format("15:04:05")+" UTC")
	}
	return ui.Truncate(s.c.Untrusted(strings.Join(parts, " · ")), s.width)
}

// tokenLine is the raw token, masked unless revealed (then it is shown in full in the body).
func (s Model) tokenLine() string {
	st := s.c.Styles
	sl := s.slots[s.sel]
	if s.c.Reveal {
		return st.Label.Render("token ") + st.KeyHint.Render("shown in full below · s to mask")
	}
	return ui.Truncate(st.Label.Render("token ")+st.Secret.Render(maskToken(sl.raw))+" "+
		st.KeyHint.Render(fmt.Sprintf("masked, %s · s to show", ui.CountNoun(len(sl.raw), "character"))), s.width)
}

// maskToken keeps a short prefix of a token, enough to tell tokens apart; for a JWT it is part of
// the header, which is no secret.
func maskToken(raw string) string {
	n := min(12, len(raw)/4)
	return raw[:n] + "…••••"
}

// expiryLine is the countdown to the selected token's expiry.
func (s Model) expiryLine() string {
	st := s.c.Styles
	sl := s.slots[s.sel]
	if sl.expiry.IsZero() {
		switch {
		case sl.jwt != nil && sl.jwt.Kind == flows.JWTKindJWS:
			return st.Muted.Render("no expiry: the token has no exp claim")
		case sl.jwt != nil:
			return st.Muted.Render("expiry unknown: the claims are encrypted")
		case sl.opaque():
			return st.Muted.Render("expiry unknown: an opaque token says nothing about itself")
		}
		return st.Muted.Render("no expiry: the token could not be decoded")
	}
	left := sl.expiry.Sub(s.now)
	date := sl.expiry.UTC().Format("2006-01-02 15:04:05 UTC")
	src := st.Muted.Render(" (" + sl.expirySource + ")")
	if left <= 0 {
		return ui.Truncate(st.Expired.Render("✗ expired "+roughDuration(-left)+" ago")+" · "+date+src, s.width)
	}
	return ui.Truncate(st.Countdown.Render("⏱ "+clockDuration(left)+" left")+" · expires "+date+", in "+roughDuration(left)+src, s.width)
}

// verdictLine sums the validation up, so that a failure shows without scrolling.
func (s Model) verdictLine() string {
	st := s.c.Styles
	sl := s.slots[s.sel]
	switch {
	case sl.verifying:
		return st.Muted.Render("checks: validating…")
	case !sl.hasReport:
		return ""
	}
	var failed []string
	skipped := 0
	for _, c := range sl.report.Checks {
		switch c.Status {
		case flows.CheckFail:
			failed = append(failed, c.Name)
		case flows.CheckSkipped:
			skipped++
		case flows.CheckPass:
		}
	}
	n := len(sl.report.Checks)
	if len(failed) == 0 && !sl.report.SignatureVerified() {
		// Nothing failed, but nothing proves who made the token either: never a green verdict.
		return ui.Truncate(st.Warn.Render("⚠ not verified: the signature was not checked")+
			st.Muted.Render(fmt.Sprintf(" (%d passed, %d skipped; see Checks below)", n-skipped, skipped)), s.width)
	}
	if len(failed) == 0 {
		return ui.Truncate(st.Pass.Render(fmt.Sprintf("✓ no check failed: %d passed", n-skipped))+
			st.Muted.Render(fmt.Sprintf(", %d skipped (see Checks below)", skipped)), s.width)
	}
	return ui.Truncate(st.Fail.Render(fmt.Sprintf("✗ %d of %d checks failed: %s", len(failed), n, strings.Join(failed, ", ")))+
		st.Muted.Render(" (see Checks below)"), s.width)
}

// bodyView renders everything below the top at width w.
func (s Model) bodyView(w int) string {
	if len(s.slots) == 0 {
		return ""
	}
	sl := s.slots[s.sel]
	var b strings.Builder
	if s.c.Reveal {
		s.section(&b, "Token")
		b.WriteString(ui.WrapEach(s.c.Styles.Secret, ansi.Hardwrap(sl.raw, w, false), w, ""))
		b.WriteString("\n")
	}
	if sl.err != nil {
		s.errorSection(&b, sl, w)
	}
	if sl.prev != nil {
		s.refreshSection(&b, sl, w)
	}
	if sl.jwt != nil && sl.jwt.Kind == flows.JWTKindJWS {
		rows := s.claimRows(sl.shownToken)
		kept := s.filtered(rows)
		s.section(&b, s.filterTitle("Claims", len(kept), len(rows)))
		b.WriteString(s.table(kept, w))
	}
	if sl.jwt != nil {
		rows := s.headerRows(sl.shownToken)
		kept := s.filtered(rows)
		s.section(&b, s.filterTitle("Header", len(kept), len(rows)))
		b.WriteString(s.table(kept, w))
	}
	s.checksSection(&b, sl, w)
	return strings.TrimRight(b.String(), "\n")
}

// section starts a titled block.
func (s Model) section(b *strings.Builder, title string) {
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	b.WriteString(s.c.Styles.Title.Render(title))
	b.WriteString("\n")
}

// errorSection explains a token that could not be decoded: an opaque token calmly, a malformed
// JWT with the malformed_jwt explanation.
func (s Model) errorSection(b *strings.Builder, sl tokenSlot, w int) {
	st := s.c.Styles
	if sl.opaque() {
		s.section(b, "Opaque token")
		b.WriteString(ui.WrapIndent("Not a JWT: only the issuer can read it. Ask the provider about it with introspection (Flow → Introspect, RFC 7662); its lifetime comes from expires_in.", w, ""))
		b.WriteString("\n")
		return
	}
	s.section(b, "Malformed JWT")
	detail := sl.err.Error()
	var fe *flows.Error
	if errors.As(sl.err, &fe) {
		detail = fe.Detail
	}
	b.WriteString(ui.WrapEach(st.Fail, "✗ "+detail, w-2, "  "))
	b.WriteString("\n")
	if _, ex, ok := flows.Explain(sl.err); ok {
		b.WriteString(st.ErrorCode.Render(ex.Title))
		b.WriteString("\n")
		b.WriteString(ui.WrapIndent(ex.Meaning, w, ""))
		b.WriteString("\n")
		if len(ex.Causes) > 0 {
			b.WriteString(st.Label.Render("Likely causes"))
			b.WriteString("\n")
			for _, c := range ex.Causes {
				b.WriteString(ui.WrapHanging("• "+c, w, "  "))
				b.WriteString("\n")
			}
		}
		if s.c.Learn && ex.Spec != "" {
			b.WriteString(st.Muted.Render("(" + ex.Spec + ")"))
			b.WriteString("\n")
		}
	}
}
