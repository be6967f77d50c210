package inspector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The inspector's tables: claims and header explained, the comparison after a refresh, the
// validation checks; and the formatting of values and times they share.

// refreshSection shows the token beside the one it replaced: the claims in two columns on a wide
// body, one block above the other on a narrow one, differences marked.
func (s Model) refreshSection(b *strings.Builder, sl tokenSlot, w int) {
	st := s.c.Styles
	s.section(b, "Since the refresh")
	switch {
	case sl.label == "refresh_token":
		b.WriteString(ui.WrapHanging(rotationText(sl.rotation), w, "  "))
	case sl.changed:
		b.WriteString(st.DiffChanged.Render("~") + " a new " + sl.label + " was issued")
	default:
		b.WriteString(st.DiffSame.Render("=") + " the same " + sl.label + " was returned")
	}
	b.WriteString("\n")
	if i := slotIndex(s.slots, "refresh_token"); sl.label != "refresh_token" && i >= 0 && s.slots[i].rotation != flows.RotationNone {
		b.WriteString(st.Muted.Render("refresh token: " + string(s.slots[i].rotation) + " (see refresh_token)"))
		b.WriteString("\n")
	}
	if len(sl.diff) == 0 {
		return
	}
	counts := map[flows.ChangeKind]int{}
	for _, c := range sl.diff {
		counts[c.Kind]++
	}
	b.WriteString(st.Muted.Render(fmt.Sprintf("claims: %d changed, %d added, %d removed, %d the same",
		counts[flows.ClaimChanged], counts[flows.ClaimAdded], counts[flows.ClaimRemoved], counts[flows.ClaimSame])))
	b.WriteString("\n")
	nameW := 0
	for _, c := range sl.diff {
		nameW = max(nameW, lipgloss.Width(c.Name))
	}
	nameW = min(nameW, 20)
	if w >= wideAt {
		colW := (w - nameW - 5) / 2
		b.WriteString(st.TableHeader.Render(ui.PadCell("  "+ui.PadCell("", nameW)+" ", nameW+3) + ui.PadCell("before", colW) + "  " + "after"))
		b.WriteString("\n")
		for _, c := range sl.diff {
			left := ui.WrapLines(s.diffValue(c.Name, c.Old, c.Kind != flows.ClaimAdded), colW)
			right := ui.WrapLines(s.diffValue(c.Name, c.New, c.Kind != flows.ClaimRemoved), colW)
			for i := range max(len(left), len(right)) {
				mark, name := "  ", ""
				if i == 0 {
					mark, name = s.diffMark(c.Kind)+" ", ui.Truncate(c.Name, nameW)
				}
				b.WriteString(mark + ui.PadCell(name, nameW) + " " + ui.PadCell(ui.LineAt(left, i), colW) + "  " + ui.LineAt(right, i))
				b.WriteString("\n")
			}
		}
		return
	}
	// Narrow: the old token's claims above the new one's, only those that differ (the same ones
	// are listed under Claims below).
	if counts[flows.ClaimSame] == len(sl.diff) {
		return
	}
	for _, side := range []string{"before", "after"} {
		b.WriteString(st.TableHeader.Render(side))
		b.WriteString("\n")
		for _, c := range sl.diff {
			if c.Kind == flows.ClaimSame {
				continue
			}
			v, present := c.New, c.Kind != flows.ClaimRemoved
			if side == "before" {
				v, present = c.Old, c.Kind != flows.ClaimAdded
			}
			if !present {
				continue
			}
			b.WriteString(s.diffMark(c.Kind) + " " + ui.PadCell(ui.Truncate(c.Name, nameW), nameW) + " " +
				ui.WrapIndent(s.diffValue(c.Name, v, true), w-nameW-3, strings.Repeat(" ", nameW+3)))
			b.WriteString("\n")
		}
	}
}

// diffMark is the glyph of a change: + added, - removed, ~ changed, = the same.
func (s Model) diffMark(k flows.ChangeKind) string {
	st := s.c.Styles
	switch k {
	case flows.ClaimAdded:
		return st.DiffAdded.Render("+")
	case flows.ClaimRemoved:
		return st.DiffRemoved.Render("-")
	case flows.ClaimChanged:
		return st.DiffChanged.Render("~")
	case flows.ClaimSame:
	}
	return st.DiffSame.Render("=")
}

// diffValue renders a claim value for the comparison: dates as dates, to compare at a glance.
func (s Model) diffValue(name string, v any, present bool) string {
	if !present {
		return "—"
	}
	if ct, ok := assets.Claim(name); ok && ct.Date {
		if t, ok := numericDate(v); ok {
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		}
	}
	return s.c.Untrusted(claimValue(v))
}

// rotationText says what a refresh did to the refresh token.
func rotationText(r flows.Rotation) string {
	switch r {
	case flows.RotationRotated:
		return "↻ rotated: the provider issued a new refresh token, and the old one should now be rejected (refresh token rotation, RFC 9700 §4.14.2)"
	case flows.RotationUnchanged:
		return "= not rotated: the provider returned the same refresh token, which stays valid"
	case flows.RotationOmitted:
		return "– not returned: the answer held no refresh token, so the previous one is kept and still used (RFC 6749 §6)"
	case flows.RotationNone:
	}
	return "the token endpoint's answer did not say what happened to the refresh token"
}

// tableRow is one row of a name / value / explanation table.
type tableRow struct {
	name, value, note string
}

// headerRows are the JOSE header parameters, in the order received, each explained.
func (s Model) headerRows(t shownToken) []tableRow {
	j := t.jwt
	rows := make([]tableRow, 0, len(j.Header))
	for _, k := range t.headerKeys {
		r := tableRow{name: k, value: s.c.Untrusted(claimValue(j.Header[k]))}
		if t, ok := assets.HeaderParam(k); ok {
			r.note = s.explain(t)
		}
		rows = append(rows, r)
	}
	return rows
}

// claimRows are the claims, in the order received, each registered one explained and every date
// shown as a UTC date and relative to now.
func (s Model) claimRows(t shownToken) []tableRow {
	j := t.jwt
	rows := make([]tableRow, 0, len(j.Claims))
	for _, k := range t.claimKeys {
		r := tableRow{name: k, value: s.c.Untrusted(claimValue(j.Claims[k]))}
		t, known := assets.Claim(k)
		if known {
			r.note = s.explain(t)
		} else {
			r.note = "not a registered claim: its meaning is the issuer's"
		}
		if known && t.Date {
			if at, ok := j.ClaimTime(k); ok {
				r.value += " · " + at.Format("2006-01-02 15:04:05 UTC") + " · " + s.relative(k, at)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// explain is a claim's explanation, with its specification when Learn is on.
func (s Model) explain(t assets.ClaimText) string {
	if s.c.Learn {
		return t.Summary + " (" + t.Spec + ")"
	}
	return t.Summary
}

// relative says when a date claim is, from now: "expires in 54 min", "expired 3 h ago",
// "54 min ago".
func (s Model) relative(claim string, t time.Time) string {
	d := t.Sub(s.now)
	switch {
	case claim == "exp" && d > 0:
		return "expires in " + roughDuration(d)
	case claim == "exp":
		return "expired " + roughDuration(-d) + " ago"
	case d > 0:
		return "in " + roughDuration(d)
	}
	return roughDuration(-d) + " ago"
}

// table renders rows as name, value and explanation: three columns on a wide body, the
// explanation under the value on a narrow one.
func (s Model) table(rows []tableRow, w int) string {
	st := s.c.Styles
	nameW := 0
	for _, r := range rows {
		nameW = max(nameW, lipgloss.Width(r.name))
	}
	nameW = min(nameW, 22)
	indent := strings.Repeat(" ", nameW+2)
	var b strings.Builder
	for _, r := range rows {
		name := st.Label.Render(ui.PadCell(ui.Truncate(r.name, nameW), nameW))
		if w >= wideAt {
			valW := (w - nameW - 4) * 45 / 100
			noteW := w - nameW - 4 - valW
			vals, notes := ui.WrapLines(r.value, valW), ui.WrapLines(r.note, noteW)
			for i := range max(len(vals), len(notes)) {
				lead := indent
				if i == 0 {
					lead = name + "  "
				}
				b.WriteString(lead + ui.PadCell(ui.LineAt(vals, i), valW) + "  " + st.Muted.Render(ui.LineAt(notes, i)))
				b.WriteString("\n")
			}
			continue
		}
		b.WriteString(name + "  " + ui.WrapIndent(r.value, w-nameW-2, indent))
		b.WriteString("\n")
		if r.note != "" {
			b.WriteString(indent + ui.WrapEach(st.Muted, r.note, w-nameW-2, indent))
			b.WriteString("\n")
		}
	}
	return b.String()
}

// checksSection lists every validation check with its verdict, and the explanation of each
// failure.
func (s Model) checksSection(b *strings.Builder, sl tokenSlot, w int) {
	st := s.c.Styles
	switch {
	case sl.verifying:
		s.section(b, "Checks")
		b.WriteString(st.Muted.Render("validating… (fetching the provider's keys)"))
		b.WriteString("\n")
		return
	case !sl.hasReport:
		if sl.err != nil && !sl.opaque() {
			return // a malformed token: the explanation above says why
		}
		if sl.jwt == nil {
			return
		}
		s.section(b, "Checks")
		b.WriteString(st.Muted.Render("not validated"))
		b.WriteString("\n")
		return
	}
	var pass, fail, skipped int
	nameW := 0
	for _, c := range sl.report.Checks {
		nameW = max(nameW, len(c.Name))
		switch c.Status {
		case flows.CheckPass:
			pass++
		case flows.CheckFail:
			fail++
		case flows.CheckSkipped:
			skipped++
		}
	}
	s.section(b, "Checks")
	b.WriteString(st.Muted.Render(fmt.Sprintf("%d passed, %d failed, %d skipped · validated at %s UTC",
		pass, fail, skipped, sl.checkedAt.UTC().Format("15:04:05"))))
	b.WriteString("\n")
	indent := strings.Repeat(" ", nameW+3)
	for _, c := range sl.report.Checks {
		glyph, style := st.CheckMark(c.Status)
		b.WriteString(style.Render(glyph) + " " + style.Render(ui.PadCell(c.Name, nameW)) + " " +
			ui.WrapIndent(s.c.Untrusted(c.Detail), w-nameW-3, indent))
		b.WriteString("\n")
		if c.Status != flows.CheckFail {
			continue
		}
		if ex, ok := assets.Explain(string(c.Kind)); ok {
			b.WriteString(indent + ui.WrapEach(st.ErrorCode, ex.Title, w-nameW-3, indent))
			b.WriteString("\n")
			b.WriteString(indent + ui.WrapEach(st.Muted, ex.Meaning, w-nameW-3, indent))
			b.WriteString("\n")
		}
	}
}

// claimValue renders a decoded JSON value: strings bare, everything else as compact JSON.
func claimValue(v any) string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return `""`
		}
		return v
	case json.Number:
		return v.String()
	case nil:
		return "null"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(b.String())
}

// numericDate reads a NumericDate claim value (RFC 7519 §2).
func numericDate(v any) (time.Time, bool) {
	j := flows.JWT{Claims: map[string]any{"t": v}}
	return j.ClaimTime("t")
}

// keyOrder is the order of the members of a JSON object as received; members it cannot place
// follow, sorted.
func keyOrder(raw []byte, m map[string]any) []string {
	out := make([]string, 0, len(m))
	seen := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err == nil && t == json.Delim('{') {
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				break
			}
			k, _ := t.(string)
			if _, ok := m[k]; ok && !seen[k] {
				out, seen[k] = append(out, k), true
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				break
			}
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// roughDuration says a duration as people do: "42 s", "54 min", "3 h 12 min", "5 days".
func roughDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 10*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return strconv.Itoa(h) + " h"
		}
		return strconv.Itoa(h) + " h " + strconv.Itoa(m) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	case d < 3650*24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	return strconv.Itoa(int(d/(24*time.Hour)/365)) + " years"
}

// clockDuration is a countdown: "00:53:12", "2d 03:12:00".
func clockDuration(d time.Duration) string {
	d = d.Truncate(time.Second)
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	s := fmt.Sprintf("%02d:%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second))
	if days > 0 {
		return strconv.Itoa(days) + "d " + s
	}
	return s
}
