package flows_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// modeClient is demo-basic asking for a response type and mode.
func modeClient(t testing.TB, p *demoidp.Provider, responseType, responseMode string) *flows.Client {
	t.Helper()
	c := demoClient(t, p, "demo-basic")
	c.Config.ResponseType, c.Config.ResponseMode = responseType, responseMode
	return c
}

// rawResponse runs the authorization request and returns the response's parameters as the
// listener received them, unverified.
func rawResponse(t testing.TB, c *flows.Client) (*flows.AuthRequest, url.Values) {
	t.Helper()
	var params url.Values
	req, _ := viaListener(t, c, func(ctx context.Context, l *flows.Listener, _ *flows.AuthRequest) {
		var err error
		if params, err = l.Wait(ctx, nil); err != nil {
			t.Error(err)
		}
	})
	if params == nil {
		t.FailNow()
	}
	return req, params
}

func wantChecks(t testing.TB, r *flows.Report, status flows.CheckStatus, names ...string) {
	t.Helper()
	if r == nil {
		t.Fatal("no report")
	}
	for _, n := range names {
		c, ok := r.Find(n)
		if !ok || c.Status != status {
			t.Errorf("check %s = %+v, want %s\nall: %+v", n, c, status, r.Checks)
		}
	}
}

func wantKind(t testing.TB, err error, kind flows.Kind, fragments ...string) {
	t.Helper()
	var fe *flows.Error
	if !errors.As(err, &fe) || fe.Kind != kind {
		t.Fatalf("error = %v, want kind %s", err, kind)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q lacks %q", err, f)
		}
	}
}

func TestResponseModesCaptureCode(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	for _, mode := range []string{"query", "form_post", "fragment"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			c := modeClient(t, p, "", mode)
			req, res, page, err := authorizeJS(t, c)
			if err != nil {
				t.Fatal(err)
			}
			if req.Params.Get("response_mode") != mode || res.Code == "" || res.Front != nil {
				t.Fatalf("request %v, response %+v", req.Params, res)
			}
			if !strings.Contains(page, "tokenbench received the authorization response") {
				t.Errorf("the browser's last page is not the listener's verdict:\n%s", page)
			}
			tok, err := c.ExchangeCode(context.Background(), req, res.Code)
			if err != nil || tok.AccessToken == "" {
				t.Fatalf("exchange: %v", err)
			}
		})
	}
}

func TestListenerFragmentPage(t *testing.T) {
	t.Parallel()
	l, err := flows.Listen("http://127.0.0.1:0/cb")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	resp, err := http.Get(l.RedirectURI())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := string(b)
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"location.hash", "history.replaceState", `f.method="post"`, "f.action=location.pathname", "tokenbench_fragment", "<noscript>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the fragment page lacks %q:\n%s", want, body)
		}
	}
	for _, bad := range []string{"http://", "https://", "src="} {
		if strings.Contains(body, bad) {
			t.Errorf("the fragment page refers elsewhere (%q):\n%s", bad, body)
		}
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(csp, "script-src 'sha256-") || !strings.Contains(csp, "form-action 'self'") || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("status %d, CSP %q, Referrer-Policy %q", resp.StatusCode, csp, resp.Header.Get("Referrer-Policy"))
	}
	if len(b) > 2048 {
		t.Errorf("the fragment page is %d bytes; keep it small", len(b))
	}
	// The page did not take the listener: the post-back is the response, its marker removed.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan url.Values, 1)
	go func() {
		params, _ := l.Wait(ctx, nil)
		got <- params
	}()
	resp, err = http.PostForm(l.RedirectURI(), url.Values{"code": {"c1"}, "state": {"s1"}, "tokenbench_fragment": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	params := <-got
	if params.Get("code") != "c1" || params.Get("state") != "s1" || params.Has("tokenbench_fragment") || resp.StatusCode != http.StatusOK {
		t.Errorf("post-back: status %d, params %v", resp.StatusCode, params)
	}
}

func TestHybridCodeIDToken(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	for _, mode := range []string{"", "form_post"} {
		t.Run("mode "+mode, func(t *testing.T) {
			t.Parallel()
			c := modeClient(t, p, "code id_token", mode)
			req, res, _, err := authorizeJS(t, c)
			if err != nil {
				t.Fatal(err)
			}
			if req.Nonce == "" || res.Front == nil || res.Front.IDToken == "" || res.Code == "" {
				t.Fatalf("response %+v", res)
			}
			wantChecks(t, res.Front.IDTokenReport, flows.CheckPass, "signature", "iss", "aud", "nonce", "c_hash")
			wantChecks(t, res.Front.IDTokenReport, flows.CheckSkipped, "at_hash")
			if _, err := c.ExchangeCode(context.Background(), req, res.Code); err != nil {
				t.Fatalf("exchange: %v", err)
			}
		})
	}
}

func TestHybridCodeIDTokenToken(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := modeClient(t, p, "code id_token token", "")
	_, res, _, err := authorizeJS(t, c)
	if err != nil {
		t.Fatal(err)
	}
	wantChecks(t, res.Front.IDTokenReport, flows.CheckPass, "c_hash", "at_hash", "nonce")
	if res.Front.AccessToken == "" || !strings.EqualFold(res.Front.TokenType, "bearer") || res.Front.ExpiresIn <= 0 {
		t.Errorf("front channel %+v", res.Front)
	}
}

func TestImplicit(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	t.Run("id_token token", func(t *testing.T) {
		t.Parallel()
		c := modeClient(t, p, "id_token token", "")
		req, res, _, err := authorizeJS(t, c)
		if err != nil {
			t.Fatal(err)
		}
		if res.Code != "" || res.Front == nil || res.Front.AccessToken == "" || req.PKCE == "" {
			t.Fatalf("response %+v", res)
		}
		wantChecks(t, res.Front.IDTokenReport, flows.CheckPass, "signature", "nonce", "at_hash")
		wantChecks(t, res.Front.IDTokenReport, flows.CheckSkipped, "c_hash")
		// The front-channel access token is a real one.
		if _, err := c.UserInfo(context.Background(), res.Front.AccessToken); err != nil {
			t.Errorf("userinfo with the implicit access token: %v", err)
		}
	})
	t.Run("id_token form_post", func(t *testing.T) {
		t.Parallel()
		c := modeClient(t, p, "id_token", "form_post")
		_, res, _, err := authorizeJS(t, c)
		if err != nil {
			t.Fatal(err)
		}
		wantChecks(t, res.Front.IDTokenReport, flows.CheckPass, "signature", "nonce")
		wantChecks(t, res.Front.IDTokenReport, flows.CheckSkipped, "at_hash", "c_hash")
	})
}

// A code swapped for another one (code injection) is caught by c_hash.
func TestHybridSwappedCodeFailsCHash(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := modeClient(t, p, "code id_token", "")
	req, params := rawResponse(t, c)
	_, other := rawResponse(t, c)
	params.Set("code", other.Get("code"))
	res, err := c.VerifyCallback(context.Background(), req, params, false)
	wantKind(t, err, flows.KindCHashMismatch, "the id_token in the authorization response fails its c_hash check", "did not come from the same response")
	wantChecks(t, res.Front.IDTokenReport, flows.CheckFail, "c_hash")
}

// An implicit response without the access token it asked for, and a hybrid id_token without c_hash.
func TestFrontChannelMissingParts(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := modeClient(t, p, "id_token token", "")
	req, params := rawResponse(t, c)
	params.Del("access_token")
	_, err := c.VerifyCallback(context.Background(), req, params, false)
	wantKind(t, err, flows.KindMissingAccessToken, `response_type "id_token token" asks for an access token`)
}

func TestJARM(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	cases := []struct{ responseType, mode string }{
		{"", "query.jwt"}, {"", "form_post.jwt"}, {"", "jwt"}, {"", "fragment.jwt"}, {"code id_token", "form_post.jwt"}, {"id_token token", "jwt"},
	}
	for _, tc := range cases {
		t.Run(tc.responseType+" "+tc.mode, func(t *testing.T) {
			t.Parallel()
			c := modeClient(t, p, tc.responseType, tc.mode)
			req, res, _, err := authorizeJS(t, c)
			if err != nil {
				t.Fatal(err)
			}
			wantChecks(t, res.JARM, flows.CheckPass, "format", "alg", "signature", "iss", "aud", "exp")
			if res.State != req.State || res.Iss != p.Issuer() || res.Params.Has("response") || res.Params.Has("aud") {
				t.Errorf("the JARM claims are not the response's parameters: %v", res.Params)
			}
			if st, _ := findCheck(res.Checks, "state"); st != flows.CheckPass {
				t.Errorf("state check on the JARM claims: %+v", res.Checks)
			}
			if res.Code != "" {
				if _, err := c.ExchangeCode(context.Background(), req, res.Code); err != nil {
					t.Fatalf("exchange: %v", err)
				}
			}
		})
	}
}

func findCheck(cs []flows.Check, name string) (flows.CheckStatus, string) {
	for _, c := range cs {
		if c.Name == name {
			return c.Status, c.Detail
		}
	}
	return "", ""
}

func TestJARMBadSignature(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "jarm-bad-signature")
	c := modeClient(t, p, "", "query.jwt")
	_, res, page, err := authorizeJS(t, c)
	wantKind(t, err, flows.KindSignatureInvalid, "the JWT-secured authorization response (JARM) fails its signature check", "does not verify")
	wantChecks(t, res.JARM, flows.CheckFail, "signature")
	if res.Code != "" || res.Params.Has("code") {
		t.Errorf("an unverified JARM response's claims were used: %+v", res.Params)
	}
	if !strings.Contains(page, "rejected") {
		t.Errorf("the browser was not told: %s", page)
	}
}

// A JARM response issued to another client (a mix-up) fails on aud.
func TestJARMOtherAudience(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	issuedTo := modeClient(t, p, "", "form_post.jwt")
	req, params := rawResponse(t, issuedTo)
	victim := demoClient(t, p, "demo-post")
	res, err := victim.VerifyCallback(context.Background(), req, params, false)
	wantKind(t, err, flows.KindAudienceMismatch, "fails its aud check", `does not contain the client_id "demo-post"`)
	wantChecks(t, res.JARM, flows.CheckFail, "aud")
	wantChecks(t, res.JARM, flows.CheckPass, "signature", "iss")
}

// A plain response where JARM was asked for is refused: the protection may have been stripped.
func TestJARMRequestedPlainResponse(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := modeClient(t, p, "", "query")
	req, params := rawResponse(t, c)
	req.Params.Set("response_mode", "jwt")
	_, err := c.VerifyCallback(context.Background(), req, params, false)
	wantKind(t, err, flows.KindInvalidCallback, "response_mode jwt asks for a JWT-secured response (JARM), but the response is plain parameters")
}

func TestPasteImplicitFragment(t *testing.T) {
	params, bare, err := flows.ParseCallback("http://127.0.0.1/cb#id_token=a.b.c&state=s")
	if err != nil || bare || params.Get("id_token") != "a.b.c" {
		t.Fatalf("ParseCallback: %v %v %v", params, bare, err)
	}
	if _, _, err := flows.ParseCallback("?response=a.b.c"); err != nil {
		t.Fatalf("a pasted JARM response: %v", err)
	}
}

func TestNormalizeResponseType(t *testing.T) {
	for in, want := range map[string]string{"id_token code": "code id_token", "token id_token": "id_token token", "code": "code", " token  code id_token ": "code id_token token"} {
		if got, ok := flows.NormalizeResponseType(in); !ok || got != want {
			t.Errorf("NormalizeResponseType(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := flows.NormalizeResponseType("token"); ok {
		t.Error("a bare token response type is not one tokenbench knows")
	}
	if !flows.IsJARMMode("form_post.jwt") || !flows.IsJARMMode("jwt") || flows.IsJARMMode("form_post") {
		t.Error("IsJARMMode")
	}
}
