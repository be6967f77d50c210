package tracescreen

import (
	"fmt"
	"strings"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// tokensView renders, below the findings, every token the HAR file carries with each check made on
// it (flows.ReadHAR decodes them and verifies their signatures against a JWKS found in the file),
// a failed check with its explanation; empty when the file has none.
func (s Model) tokensView(w int) string {
	tokens := s.har.flow.Tokens
	if len(tokens) == 0 {
		return ""
	}
	st := s.c.Styles
	var b strings.Builder
	keys := "signatures checked against the JWKS in the file"
	if !s.har.flow.HasJWKS() {
		keys = "the file holds no JWKS: signatures unchecked (tokenbench har --fetch-keys fetches the provider's)"
	}
	b.WriteString("\n" + st.Title.Render("Tokens in "+s.c.Untrusted(s.har.name)) + "\n")
	b.WriteString(ui.WrapEach(st.Muted, keys, w, "") + "\n")
	nameW := 10
	indent := strings.Repeat(" ", nameW+3)
	for _, t := range tokens {
		heading := fmt.Sprintf("#%d %s", t.Entry, t.Name)
		if tok := t.Report.Token; tok != nil {
			heading += fmt.Sprintf(" (alg %s, kid %s, sub %s)", tok.Alg(), orDash(tok.Kid()), orDash(tok.ClaimString("sub")))
		}
		b.WriteString("\n" + ui.WrapHanging(s.c.Untrusted(heading), w, "  ") + "\n")
		for _, c := range t.Report.Checks {
			glyph, style := st.CheckMark(c.Status)
			b.WriteString(style.Render(glyph) + " " + style.Render(ui.PadCell(c.Name, nameW)) + " " +
				ui.WrapIndent(s.c.Untrusted(c.Detail), max(8, w-nameW-3), indent) + "\n")
			if line := ui.Explanation(string(c.Kind)); line != "" && c.Status == flows.CheckFail {
				b.WriteString(indent + ui.WrapEach(st.ErrorCode, s.c.Untrusted(string(c.Kind))+": "+line, max(8, w-nameW-3), indent) + "\n")
			}
		}
	}
	return b.String()
}

// orDash is s, or "–" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
