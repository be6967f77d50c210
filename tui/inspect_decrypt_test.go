package tui

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// An encrypted id_token pasted in a session whose client has a decryption key shows the claims of
// the signed token inside and the decryption check.
func TestInspectorDecryptsWithSessionKey(t *testing.T) {
	p, err := demoidp.Start(demoidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	data, err := os.ReadFile("../assets/demo/private-key-jwt-rsa.pem")
	if err != nil {
		t.Fatal(err)
	}
	key, err := flows.ParseSigningKey(data)
	if err != nil {
		t.Fatal(err)
	}
	client, err := flows.NewClient(flows.ClientConfig{Issuer: p.Issuer(), ClientID: "demo-encrypted", ClientSecret: "demo-encrypted-secret",
		AuthMethod: flows.AuthClientSecretBasic, Scopes: []string{"openid", "profile"}, DecryptionKey: key}, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := client.Password(t.Context(), "demo", "demo")
	if err != nil || strings.Count(tok.IDToken, ".") != 4 {
		t.Fatalf("want an encrypted id_token: %v, %v", tok, err)
	}
	c := fixedCommon(time.Now())
	c.now = time.Now
	c.client, c.trace = client, client.Trace
	s := sized(newInspect(c), 120, 40)
	s = feed(s, tea.PasteMsg{Content: tok.IDToken})
	sl := s.(inspectModel).slots[0]
	if d, _ := sl.report.Find("decryption"); !sl.hasReport || d.Status != flows.CheckPass {
		t.Fatalf("decryption check: %+v", d)
	}
	if sl.jwt.Kind != flows.JWTKindJWS || sl.jwt.ClaimString("sub") == "" || sl.expiry.IsZero() {
		t.Errorf("the slot should hold the decrypted token: %+v, expiry %v", sl.jwt, sl.expiry)
	}
	if !s.(inspectModel).ticking {
		t.Error("the decrypted token's expiry did not start the countdown")
	}
	view := ansi.Strip(s.View())
	body := ansi.Strip(s.(inspectModel).vp.GetContent())
	if !strings.Contains(view, "decrypted: JWT") || !strings.Contains(body, "Claims") || !strings.Contains(body, "✓ decryption") {
		t.Errorf("view:\n%s\nbody:\n%s", view, body)
	}
}
