package demoidp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// *Faults is a flag.Value, for a repeatable command-line flag.
var _ flag.Value = (*demoidp.Faults)(nil)

func TestFaultNamesAndSet(t *testing.T) {
	names := demoidp.FaultNames()
	want := []string{"expired-code", "wrong-iss", "wrong-state", "deny", "bad-signature", "unknown-kid", "alg-none",
		"expired-id-token", "clock-skew", "slow", "html-errors", "html-discovery", "huge-body", "error-on-200", "dpop-nonce", "require-par", "jarm-bad-signature"}
	if !slices.Equal(names, want) {
		t.Fatalf("FaultNames() = %v, want %v", names, want)
	}
	var all demoidp.Faults
	for _, n := range names {
		spec := n
		if n == "clock-skew" || n == "slow" {
			spec += "=2s"
		}
		if err := all.Set(spec); err != nil {
			t.Errorf("Set(%q): %v", spec, err)
		}
	}
	if got := strings.Split(all.String(), ","); len(got) != len(names) {
		t.Errorf("String() with every fault on = %q", all.String())
	}

	var f demoidp.Faults
	for _, spec := range []string{"clock-skew=-5m", "slow=3s", "expired-code", "wrong-iss=true"} {
		if err := f.Set(spec); err != nil {
			t.Fatalf("Set(%q): %v", spec, err)
		}
	}
	if f.ClockSkew != -5*time.Minute || f.Slow != 3*time.Second || !f.ExpiredCode || !f.WrongIss {
		t.Errorf("after Set: %+v", f)
	}
	if err := f.Set("expired-code=false"); err != nil || f.ExpiredCode {
		t.Errorf("Set(expired-code=false): %v, ExpiredCode %v", err, f.ExpiredCode)
	}
	if got := f.String(); got != "wrong-iss,clock-skew=-5m0s,slow=3s" {
		t.Errorf("String() = %q", got)
	}
	before := f
	for _, bad := range []string{"bogus", "slow", "clock-skew=", "slow=-1s", "clock-skew=soon", "deny=maybe"} {
		if err := f.Set(bad); err == nil {
			t.Errorf("Set(%q) succeeded, want an error", bad)
		}
	}
	if f != before {
		t.Errorf("a failed Set changed the faults: %+v", f)
	}
}

func TestSetFaultsRoundTrip(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	if p.Faults() != (demoidp.Faults{}) {
		t.Fatalf("a new provider has faults: %+v", p.Faults())
	}
	f := demoidp.Faults{Deny: true, ClockSkew: time.Minute}
	p.SetFaults(f)
	if p.Faults() != f {
		t.Errorf("Faults() = %+v, want %+v", p.Faults(), f)
	}
}

// withFault starts a provider with one fault set by name.
func withFault(t *testing.T, spec string) *demoidp.Provider {
	t.Helper()
	p := demoidptest.StartWith(t, demoidp.Options{})
	var f demoidp.Faults
	if err := f.Set(spec); err != nil {
		t.Fatal(err)
	}
	p.SetFaults(f)
	return p
}

func TestFaultExpiredCode(t *testing.T) {
	p := withFault(t, "expired-code")
	code, verifier := codeFor(t, p, "openid")
	m := wantError(t, exchange(t, p, code, verifier), http.StatusBadRequest, "invalid_grant")
	if !strings.Contains(m["error_description"].(string), "expired") {
		t.Errorf("description %q", m["error_description"])
	}
}

func TestFaultWrongIss(t *testing.T) {
	p := withFault(t, "wrong-iss")
	verifier, challenge := newPKCE()
	q := authorize(t, p, authParams(demoidptest.BasicID, "openid", challenge)).Query()
	if q.Get("iss") == p.Issuer() || q.Get("iss") == "" {
		t.Errorf("authorization response iss = %q, want a different issuer", q.Get("iss"))
	}
	tok := wantOK(t, exchange(t, p, q.Get("code"), verifier))
	_, id := mustVerify(t, p, tok["id_token"].(string))
	if id["iss"] == p.Issuer() {
		t.Errorf("id_token iss = %v, want a different issuer", id["iss"])
	}
}

func TestFaultWrongState(t *testing.T) {
	p := withFault(t, "wrong-state")
	q := authorize(t, p, authParams(demoidptest.BasicID, "openid", "")).Query()
	if q.Get("state") == "st-123" || q.Get("state") == "" {
		t.Errorf("state = %q, want a different one", q.Get("state"))
	}
}

func TestFaultDeny(t *testing.T) {
	p := withFault(t, "deny")
	q := authorize(t, p, authParams(demoidptest.BasicID, "openid", "")).Query()
	if q.Get("error") != "access_denied" || q.Get("code") != "" || q.Get("state") != "st-123" {
		t.Errorf("response = %v, want access_denied", q)
	}
}

func TestFaultBadSignature(t *testing.T) {
	p := withFault(t, "bad-signature")
	tok := tokens(t, p, "openid")
	for _, name := range []string{"id_token", "access_token"} {
		h, _, err := verify(t, p, tok[name].(string))
		if err == nil || errors.Is(err, errUnknownKID) {
			t.Errorf("%s: verify error = %v, want a signature failure", name, err)
		}
		set := jwks(t, p)
		if len(set.Key(h.KeyID)) != 1 {
			t.Errorf("%s: kid %q should still be the published one", name, h.KeyID)
		}
	}
}

func TestFaultUnknownKID(t *testing.T) {
	p := withFault(t, "unknown-kid")
	tok := tokens(t, p, "openid")
	for _, name := range []string{"id_token", "access_token"} {
		h, _, err := verify(t, p, tok[name].(string))
		if !errors.Is(err, errUnknownKID) || h.KeyID == "" {
			t.Errorf("%s: kid %q, verify error %v; want a kid missing from the JWKS", name, h.KeyID, err)
		}
	}
}

func TestFaultAlgNone(t *testing.T) {
	p := withFault(t, "alg-none")
	tok := tokens(t, p, "openid")
	h, claims, sig := demoidptest.Decode(t, tok["id_token"].(string))
	if h["alg"] != "none" || sig != "" || claims["sub"] != "demo-user-1" {
		t.Errorf("id_token header %v, signature %q", h, sig)
	}
	mustVerify(t, p, tok["access_token"].(string)) // access tokens stay signed
}

func TestFaultExpiredIDToken(t *testing.T) {
	p := withFault(t, "expired-id-token")
	_, id := mustVerify(t, p, tokens(t, p, "openid")["id_token"].(string))
	now := time.Now()
	if exp := numeric(t, id, "exp"); exp.After(now.Add(-59 * time.Minute)) {
		t.Errorf("exp = %v, want about an hour ago", exp)
	}
	if iat := numeric(t, id, "iat"); iat.After(now.Add(-119 * time.Minute)) {
		t.Errorf("iat = %v, want about two hours ago", iat)
	}
}

func TestFaultClockSkew(t *testing.T) {
	p := withFault(t, "clock-skew=2h")
	tok := tokens(t, p, "openid")
	_, id := mustVerify(t, p, tok["id_token"].(string))
	skew := time.Until(numeric(t, id, "iat"))
	if skew < 2*time.Hour-time.Minute || skew > 2*time.Hour+time.Minute {
		t.Errorf("id_token iat is %s ahead, want 2h", skew)
	}
	_, at := mustVerify(t, p, tok["access_token"].(string))
	if d := time.Until(numeric(t, at, "nbf")); d < 2*time.Hour-time.Minute {
		t.Errorf("access token nbf is %s ahead, want 2h", d)
	}
	date, err := http.ParseTime(get(t, p.Issuer()+"/jwks").header.Get("Date"))
	if d := time.Until(date); err != nil || d < 2*time.Hour-time.Minute || d > 2*time.Hour+time.Minute {
		t.Errorf("Date header is %s ahead (%v), want 2h", d, err)
	}
}

func TestFaultSlow(t *testing.T) {
	p := withFault(t, "slow=300ms")
	begin := time.Now()
	wantOK(t, get(t, p.Issuer()+"/jwks"))
	if d := time.Since(begin); d < 300*time.Millisecond {
		t.Errorf("response came after %s, want at least 300ms", d)
	}
	// A client that gives up is not kept waiting.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.Issuer()+"/jwks", nil)
	begin = time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("request succeeded despite the client's 50ms deadline")
	}
	if d := time.Since(begin); d > 250*time.Millisecond {
		t.Errorf("cancelled request returned after %s", d)
	}
}

func TestFaultHTMLErrors(t *testing.T) {
	p := withFault(t, "html-errors")
	for _, path := range []string{"/token", "/introspect", "/revoke", "/userinfo"} {
		r := postBasic(t, p.Issuer()+path, url.Values{"grant_type": {"client_credentials"}, "token": {"x"}})
		if r.status != http.StatusBadGateway || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(r.body), "<html") {
			t.Errorf("%s: status %d Content-Type %q, want 502 HTML", path, r.status, r.header.Get("Content-Type"))
		}
	}
	wantOK(t, get(t, p.Issuer()+"/.well-known/openid-configuration"))
}

func TestFaultHTMLDiscovery(t *testing.T) {
	p := withFault(t, "html-discovery")
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		r := get(t, p.Issuer()+path)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || json.Valid(r.body) {
			t.Errorf("%s: status %d Content-Type %q, want 200 HTML", path, r.status, r.header.Get("Content-Type"))
		}
	}
	if len(jwks(t, p).Keys) == 0 {
		t.Error("JWKS is affected by html-discovery")
	}
}

func TestFaultHugeBody(t *testing.T) {
	p := withFault(t, "huge-body")
	req, _ := http.NewRequest(http.MethodPost, p.Issuer()+"/token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(demoidptest.BasicID, demoidptest.BasicSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// A JSON object of string members whose one long value is only letters
	// (json.Valid on 20 MiB is slow under the race detector).
	const head = `{"token_type":"Bearer","expires_in":3600,"access_token":"`
	if resp.StatusCode != http.StatusOK || len(body) != 20<<20 ||
		!bytes.HasPrefix(body, []byte(head)) || !bytes.HasSuffix(body, []byte(`"}`)) ||
		bytes.Count(body, []byte(`"`)) != strings.Count(head, `"`)+1 {
		t.Errorf("status %d, %d bytes, starting %.80q; want 200 and 20 MiB of JSON", resp.StatusCode, len(body), body)
	}
}

func TestFaultErrorOn200(t *testing.T) {
	p := withFault(t, "error-on-200")
	code, verifier := codeFor(t, p, "openid")
	r := exchange(t, p, code, verifier)
	m := r.json(t)
	if r.status != http.StatusOK || m["error"] != "invalid_grant" || m["error_description"] == "" || m["access_token"] != nil {
		t.Errorf("status %d body %s, want 200 with an invalid_grant error", r.status, r.body)
	}
	// The fault did not consume the code.
	p.SetFaults(demoidp.Faults{})
	wantOK(t, exchange(t, p, code, verifier))
}

// FuzzFaultsSet checks that Set never panics, leaves the faults unchanged
// when it fails, and that String lists what Set turned on in a form Set
// reads back to the same faults.
func FuzzFaultsSet(f *testing.F) {
	for _, seed := range []string{"expired-code", "clock-skew=-5m", "slow=3s", "deny=false", "slow", "bogus=1", "=", "wrong-iss=TRUE"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		var got demoidp.Faults
		if err := got.Set(spec); err != nil {
			if got != (demoidp.Faults{}) {
				t.Fatalf("failed Set(%q) changed the faults: %+v", spec, got)
			}
			return
		}
		var again demoidp.Faults
		if s := got.String(); s != "" {
			for _, part := range strings.Split(s, ",") {
				if err := again.Set(part); err != nil {
					t.Fatalf("Set(%q) from String() %q: %v", part, s, err)
				}
			}
		}
		if again != got {
			t.Fatalf("Set(%q) gave %+v; String() %q reads back as %+v", spec, got, got.String(), again)
		}
	})
}

// TestFaultListDescribesEveryFault: the menu's list names every fault with a description, and Get
// reads back what Set turned on.
func TestFaultListDescribesEveryFault(t *testing.T) {
	list := demoidp.FaultList()
	if len(list) != len(demoidp.FaultNames()) {
		t.Fatalf("FaultList has %d entries, FaultNames %d", len(list), len(demoidp.FaultNames()))
	}
	for _, fault := range list {
		if fault.About == "" {
			t.Errorf("fault %s has no description", fault.Name)
		}
		var f demoidp.Faults
		spec, want := fault.Name, fault.Name
		if fault.TakesDuration {
			spec, want = fault.Name+"=2s", fault.Name+"=2s"
		}
		if got := f.Get(fault.Name); got != "" {
			t.Errorf("Get(%s) on no faults = %q", fault.Name, got)
		}
		if err := f.Set(spec); err != nil {
			t.Fatalf("Set(%q): %v", spec, err)
		}
		if got := f.Get(fault.Name); got != want {
			t.Errorf("Get(%s) after Set(%q) = %q, want %q", fault.Name, spec, got, want)
		}
	}
	if got := (demoidp.Faults{}).Get("no-such-fault"); got != "" {
		t.Errorf("Get of an unknown fault = %q", got)
	}
}
