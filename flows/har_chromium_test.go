package flows

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// HAR files recorded in headless Chromium by the interop suite (flows_test's harRecordings, which
// records them again and checks them live): a single-page app signing in at the built-in provider,
// oidc-provider and zitadel/oidc, with faults and failures. The copies in testdata/har/chromium are checked
// here without a browser.

// chromiumFinding is a finding a recording must have: its status, check, a fragment of its
// summary, and its code when one is given.
type chromiumFinding struct {
	status      FindingStatus
	check, frag string
	code        string
}

// chromiumHAR is what a recording must show: its OAuth steps in order, the findings, and how many
// checks fail in all.
type chromiumHAR struct {
	steps  string
	want   []chromiumFinding
	failed int
}

// signedIn are the findings of a login that went well, through a single-page app with PKCE.
var signedIn = []chromiumFinding{
	{FindingOK, "pkce", "PKCE with S256", ""},
	{FindingOK, "state", "state came back unchanged", ""},
	{FindingOK, "redirect_uri", "send the same redirect_uri", ""},
	{FindingOK, "code_verifier", "code_verifier matches the code_challenge", ""},
	{FindingOK, "code_age", "was redeemed", ""},
}

var chromiumHARs = map[string]chromiumHAR{
	"demoidp-login": {
		steps: "discovery authorization authorization authorization_response discovery token jwks userinfo",
		want: append([]chromiumFinding{{FindingOK, "iss", "the response names the issuer", ""},
			{FindingOK, "token", "id_token: every check passed, signature verified", ""},
			{FindingOK, "token", "access_token: every check passed, signature verified", ""}}, signedIn...),
	},
	"demoidp-wrong-iss": {
		steps: "discovery authorization authorization_response discovery token jwks userinfo",
		want: append([]chromiumFinding{{FindingFailed, "iss", `/evil", the metadata`, string(KindIssMismatch)},
			{FindingFailed, "token", "id_token: iss: iss is", string(KindIssMismatch)}}, signedIn...),
		failed: 2,
	},
	"demoidp-bad-signature": {
		steps: "discovery authorization authorization_response discovery token jwks userinfo",
		want: append([]chromiumFinding{{FindingFailed, "token", "id_token: signature: the RS256 signature does not verify", "signature_invalid"},
			{FindingFailed, "token", "access_token: signature: the RS256 signature does not verify", "signature_invalid"}}, signedIn...),
		failed: 2,
	},
	// Exchange numbers are left out: Chromium may or may not fetch a favicon or send a preflight first.
	"demoidp-expired-code": {
		steps: "discovery authorization authorization_response discovery token jwks",
		want: []chromiumFinding{{FindingFailed, "error", "token: invalid_grant (authorization code expired at", "invalid_grant"},
			{FindingUnknown, "code_age", "and refused with invalid_grant", ""},
			{FindingOK, "code_verifier", "code_verifier matches the code_challenge", ""}},
		failed: 1,
	},
	"demoidp-access-denied": {
		steps: "discovery authorization authorization authorization_response discovery",
		want: []chromiumFinding{{FindingFailed, "error", "authorization_response: access_denied", "access_denied"},
			{FindingOK, "state", "state came back unchanged", ""}},
		failed: 1,
	},
	"demoidp-unregistered-redirect": {
		steps:  "discovery authorization",
		want:   []chromiumFinding{{FindingFailed, "authorization", `error page (400): Invalid authorization request`, "redirect_uri_mismatch"}, {FindingFailed, "authorization", `redirect_uri "http://app.example/callback" is not registered`, "redirect_uri_mismatch"}},
		failed: 1,
	},
	"oidc-provider-login": {
		steps: "discovery authorization authorization_response discovery token jwks userinfo",
		want: append([]chromiumFinding{{FindingOK, "iss", "the response names the issuer", ""},
			{FindingOK, "token", "id_token: every check passed, signature verified", ""}}, signedIn...),
	},
	"zitadel-login": {
		steps: "discovery authorization authorization_response discovery token jwks userinfo",
		want: append([]chromiumFinding{{FindingUnknown, "iss", "the authorization response has no iss (RFC 9207)", ""},
			{FindingOK, "token", "id_token: every check passed, signature verified", ""}}, signedIn...),
	},
	"oidc-provider-access-denied": {
		steps:  "discovery authorization authorization_response discovery",
		want:   []chromiumFinding{{FindingFailed, "error", "access_denied (End-User aborted interaction)", "access_denied"}},
		failed: 1,
	},
	"oidc-provider-unregistered-redirect": {
		steps:  "discovery authorization",
		want:   []chromiumFinding{{FindingFailed, "authorization", "error page (400): oops! something went wrong", "redirect_uri_mismatch"}},
		failed: 1,
	},
}

// CheckChromiumHAR asserts what a recording in headless Chromium must show, by its name: its
// steps and findings; and that its redacted copy holds none of its secrets and reads the same.
func CheckChromiumHAR(t *testing.T, name string, data []byte) {
	t.Helper()
	want, ok := chromiumHARs[name]
	if !ok {
		t.Fatalf("no expectations for the recording %q", name)
	}
	h := readHAR(t, data)
	if !strings.HasPrefix(h.Creator, "chrome-har") {
		t.Errorf("recorded by %q, not by chrome-har from Chromium's DevTools events", h.Creator)
	}
	if got := stepKinds(h); got != want.steps {
		t.Errorf("steps %q, want %q", got, want.steps)
	}
	for _, f := range want.want {
		wantHAR(t, h, f.check, f.status, f.frag, f.code)
	}
	failed := 0
	for _, f := range h.Findings {
		if f.Status == FindingFailed {
			failed++
		}
	}
	if failed != want.failed {
		t.Errorf("%d checks failed, want %d", failed, want.failed)
	}
	// A recording that redeems a code holds at least the code and its verifier; one whose tokens
	// were issued, the access and ID tokens too. Fewer, and the redaction check below proves little.
	if strings.Contains(want.steps, "token") {
		least := 2
		for _, f := range want.want {
			if f.check == "token" && f.status == FindingOK {
				least = 4
			}
		}
		if secrets := slices.Compact(slices.Sorted(slices.Values(secretsOf(t, data)))); len(secrets) < least {
			t.Errorf("a login redeeming its code holds only %d distinct secrets, want %d or more: %q", len(secrets), least, secrets)
		}
	}
	wantRedacted(t, data)
}

func TestReadHARRecordedInChromium(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "har", "chromium", "*.har"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(chromiumHARs) {
		t.Errorf("%d recordings in testdata/har/chromium, want %d", len(files), len(chromiumHARs))
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".har")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			CheckChromiumHAR(t, name, data)
		})
	}
}
