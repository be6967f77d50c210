package inspector

import (
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

// Tests of the inspector on encrypted ID tokens (the session's decryption key).

// encryptedClient is a client of the built-in provider's demo-encrypted, whose ID tokens come
// encrypted to the demo RSA key, which the client holds.
func encryptedClient(t *testing.T) *flows.Client {
	t.Helper()
	p, err := demoidp.Start(demoidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	key := tuitest.ReadKey(t, tuitest.Asset("demo", "private-key-jwt-rsa.pem"))
	client, err := flows.NewClient(flows.ClientConfig{Issuer: p.Issuer(), ClientID: "demo-encrypted", ClientSecret: "demo-encrypted-secret",
		AuthMethod: flows.AuthClientSecretBasic, Scopes: []string{"openid", "profile", "offline_access"}, DecryptionKey: key}, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// realClock is a session on the real clock, with client's keys and trace.
func realClock(client *flows.Client) *ui.Common {
	c := tuitest.FixedCommon(time.Now())
	c.Now = time.Now
	c.Active = ui.InspectScreen
	c.Client, c.Trace = client, client.Trace
	return c
}

// An encrypted id_token pasted in a session whose client has a decryption key shows the claims of
// the signed token inside and the decryption check.
func TestInspectorDecryptsWithSessionKey(t *testing.T) {
	client := encryptedClient(t)
	tok, err := client.Password(t.Context(), "demo", "demo")
	if err != nil || strings.Count(tok.IDToken, ".") != 4 {
		t.Fatalf("want an encrypted id_token: %v, %v", tok, err)
	}
	s := tuitest.Sized(New(realClock(client)), 120, 40)
	s = feed(s, tea.PasteMsg{Content: tok.IDToken})
	sl := s.(Model).slots[0]
	if d, _ := sl.report.Find("decryption"); !sl.hasReport || d.Status != flows.CheckPass {
		t.Fatalf("decryption check: %+v", d)
	}
	if sl.jwt.Kind != flows.JWTKindJWS || sl.jwt.ClaimString("sub") == "" || sl.expiry.IsZero() {
		t.Errorf("the slot should hold the decrypted token: %+v, expiry %v", sl.jwt, sl.expiry)
	}
	if !s.(Model).ticking {
		t.Error("the decrypted token's expiry did not start the countdown")
	}
	view := ansi.Strip(s.View())
	body := ansi.Strip(s.(Model).vp.GetContent())
	if !strings.Contains(view, "✓ no check failed") {
		t.Errorf("a token whose signature verified should get the green verdict:\n%s", view)
	}
	if !strings.Contains(view, "decrypted: JWT") || !strings.Contains(body, "Claims") || !strings.Contains(body, "✓ decryption") {
		t.Errorf("view:\n%s\nbody:\n%s", view, body)
	}
}

// After a refresh, an encrypted id_token is compared with the one it replaced claim by claim: the
// claims of the signed tokens inside both JWEs, not the JWEs themselves (which show none).
func TestInspectorDiffsDecryptedIDTokens(t *testing.T) {
	client := encryptedClient(t)
	first, err := client.Password(t.Context(), "demo", "demo")
	if err != nil || first.RefreshToken == "" {
		t.Fatalf("password grant: %v, %v", first, err)
	}
	time.Sleep(1100 * time.Millisecond) // a new second, so that the refreshed id_token's iat differs
	second, err := client.Refresh(t.Context(), first.RefreshToken)
	if err != nil || strings.Count(second.IDToken, ".") != 4 {
		t.Fatalf("refresh: want an encrypted id_token: %v, %v", second, err)
	}
	c := realClock(client)
	verified := func(tok *flows.Token) flows.Report {
		return flows.Verify(t.Context(), tok.IDToken, client.Keys(), flows.Expect{Issuer: client.Config.Issuer, DecryptionKey: client.Config.DecryptionKey, IDToken: true}, time.Now(), time.Minute)
	}
	s := tuitest.Sized(New(c), 120, 40)
	s = feed(s, ui.TokensReceivedMsg{Step: "token", Grant: flows.GrantPassword, Token: first, Report: verified(first), HasReport: true, At: time.Now()})
	s = feed(s, ui.TokensReceivedMsg{Step: "refresh", Grant: flows.GrantRefreshToken, Token: second, Previous: first, Report: verified(second), HasReport: true, At: time.Now()})
	id := s.(Model).slots[slotIndex(s.(Model).slots, "id_token")]
	if id.encrypted == nil || id.prev == nil || id.prev.jwt == nil || id.prev.jwt.Kind != flows.JWTKindJWS {
		t.Fatalf("the previous id_token should be the decrypted one: %+v", id.prev)
	}
	kinds := map[string]flows.ChangeKind{}
	for _, ch := range id.diff {
		kinds[ch.Name] = ch.Kind
	}
	if kinds["sub"] != flows.ClaimSame || kinds["iss"] != flows.ClaimSame || kinds["iat"] != flows.ClaimChanged {
		t.Errorf("diff of the decrypted id_tokens: %v", kinds)
	}
}
