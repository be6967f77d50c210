package assets

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// requiredCodes are the codes tokenbench relies on having an explanation for.
var requiredCodes = []string{
	// RFC 6749 §4.1.2.1 / §5.2
	"invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type",
	"invalid_scope", "server_error", "temporarily_unavailable", "invalid_client", "invalid_grant",
	"unsupported_grant_type",
	// RFC 6750 §3.1
	"invalid_token", "insufficient_scope",
	// RFC 7009 §2.2.1
	"unsupported_token_type",
	// RFC 8628 §3.5
	"authorization_pending", "slow_down", "expired_token",
	// OpenID Connect Core §3.1.2.6
	"interaction_required", "login_required", "account_selection_required", "consent_required",
	"invalid_request_uri", "invalid_request_object", "request_not_supported",
	"request_uri_not_supported", "registration_not_supported",
	// RFC 9449
	"invalid_dpop_proof", "use_dpop_nonce",
	// tokenbench's own failure kinds
	"connection_refused", "transport_failure", "dns_failure", "timeout", "tls_unknown_authority", "tls_name_mismatch",
	"tls_expired_certificate", "tls_failure", "proxy_failure", "html_page", "non_json_body",
	"body_too_large", "unexpected_status", "no_discovery", "discovery_issuer_mismatch",
	"missing_endpoint", "state_mismatch", "iss_mismatch", "missing_code", "missing_access_token",
	"invalid_callback", "callback_listener_failed", "nonce_mismatch", "signature_invalid",
	"unknown_kid", "alg_none", "alg_not_allowed", "token_expired", "token_not_yet_valid",
	"issued_in_future", "audience_mismatch", "azp_mismatch", "at_hash_mismatch", "c_hash_mismatch",
	"malformed_jwt", "jwe_not_decryptable", "clock_skew",
}

var (
	codePattern = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
	specPattern = regexp.MustCompile(`^(tokenbench|(RFC \d{4}|OpenID Connect [A-Za-z -]+?( 1\.0)?) (§\d+(\.\d+)*( \(\d+\))?|§?\d+(\.\d+)*)([,;] .+)?)$`)
)

// checkEntry reports what is missing or malformed in one explanation.
func checkEntry(code string, e Explanation) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	text := func(field, s string) {
		switch {
		case strings.TrimSpace(s) == "":
			bad("%s is empty", field)
		case s != strings.TrimSpace(s):
			bad("%s has leading or trailing space", field)
		case strings.ContainsAny(s, "\n\r\t"):
			bad("%s spans lines", field)
		}
	}
	if !codePattern.MatchString(code) {
		bad("code %q is not lower_snake_case", code)
	}
	if e.Code != code {
		bad("Code is %q, want the key %q", e.Code, code)
	}
	text("Title", e.Title)
	if strings.HasSuffix(e.Title, ".") {
		bad("Title ends with a period")
	}
	text("Meaning", e.Meaning)
	text("Spec", e.Spec)
	if e.Spec != "" && !specPattern.MatchString(e.Spec) {
		bad("Spec %q is neither \"tokenbench\" nor a specification section", e.Spec)
	}
	if len(e.Causes) == 0 {
		bad("no Causes")
	}
	for i, c := range e.Causes {
		text(fmt.Sprintf("Causes[%d]", i), c)
	}
	if len(e.Checks) == 0 {
		bad("no Checks")
	}
	for i, c := range e.Checks {
		text(fmt.Sprintf("Checks[%d]", i), c)
	}
	return errors.Join(errs...)
}

func TestExplanationsParse(t *testing.T) {
	m, err := parseExplanations(explanationsYAML)
	if err != nil {
		t.Fatalf("explanations.yaml does not parse: %v", err)
	}
	if len(m) < len(requiredCodes) {
		t.Errorf("explanations.yaml has %d entries, want at least %d", len(m), len(requiredCodes))
	}
}

func TestEveryEntryComplete(t *testing.T) {
	m, err := parseExplanations(explanationsYAML)
	if err != nil {
		t.Fatal(err)
	}
	for code, e := range m {
		if err := checkEntry(code, e); err != nil {
			t.Errorf("%s: %v", code, err)
		}
	}
}

func TestRequiredCodesPresent(t *testing.T) {
	for _, code := range requiredCodes {
		e, ok := Explain(code)
		if !ok {
			t.Errorf("no explanation for %q", code)
			continue
		}
		if e.Code != code {
			t.Errorf("Explain(%q).Code = %q", code, e.Code)
		}
	}
}

func TestCheckEntryCatchesIncompleteEntries(t *testing.T) {
	good := Explanation{
		Code: "x_y", Title: "Something failed", Meaning: "It failed.",
		Causes: []string{"a cause"}, Checks: []string{"a check"}, Spec: "RFC 6749 §5.2",
	}
	if err := checkEntry("x_y", good); err != nil {
		t.Fatalf("complete entry rejected: %v", err)
	}
	for name, mutate := range map[string]func(*Explanation){
		"no title":       func(e *Explanation) { e.Title = "" },
		"no meaning":     func(e *Explanation) { e.Meaning = " " },
		"no causes":      func(e *Explanation) { e.Causes = nil },
		"empty cause":    func(e *Explanation) { e.Causes = []string{""} },
		"no checks":      func(e *Explanation) { e.Checks = []string{} },
		"no spec":        func(e *Explanation) { e.Spec = "" },
		"vague spec":     func(e *Explanation) { e.Spec = "see the docs" },
		"code not key":   func(e *Explanation) { e.Code = "other" },
		"two-line title": func(e *Explanation) { e.Title = "a\nb" },
	} {
		e := good
		mutate(&e)
		if checkEntry("x_y", e) == nil {
			t.Errorf("%s: checkEntry accepted %+v", name, e)
		}
	}
	if checkEntry("Bad-Code", Explanation{Code: "Bad-Code"}) == nil {
		t.Error("checkEntry accepted a code that is not lower_snake_case")
	}
}

func TestSpecPattern(t *testing.T) {
	for _, s := range []string{
		"tokenbench", "RFC 6749 §5.2", "RFC 6749 §4.1.2.1, §5.2", "RFC 6749 §4.1.2.1; RFC 8628 §3.5",
		"OpenID Connect Core 1.0 §3.1.2.6", "OpenID Connect Discovery 1.0 §4.3; RFC 8414 §3.3",
	} {
		if !specPattern.MatchString(s) {
			t.Errorf("spec %q rejected", s)
		}
	}
	for _, s := range []string{"", "RFC", "RFC 6749", "see RFC 6749", "OAuth"} {
		if specPattern.MatchString(s) {
			t.Errorf("spec %q accepted", s)
		}
	}
}

func TestParseRejectsBadData(t *testing.T) {
	for name, data := range map[string]string{
		"not yaml":      "invalid_grant: [unclosed\n",
		"unknown field": "x:\n  title: T\n  meaning: M\n  causes: [c]\n  checks: [k]\n  spec: tokenbench\n  sepc: typo\n",
		"duplicate key": "x:\n  title: A\nx:\n  title: B\n",
		"not a map":     "- a\n- b\n",
		"empty":         "",
	} {
		if _, err := parseExplanations([]byte(data)); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
	m, err := parseExplanations([]byte("x:\n  title: T\n  meaning: M\n  causes: [c]\n  checks: [k]\n  spec: tokenbench\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := m["x"]; got.Code != "x" || got.Title != "T" || len(got.Causes) != 1 || got.Spec != "tokenbench" {
		t.Errorf("parsed %+v", got)
	}
}

func TestExplainLookup(t *testing.T) {
	if _, ok := Explain("no_such_code"); ok {
		t.Error("Explain found an unknown code")
	}
	if _, ok := Explain(""); ok {
		t.Error("Explain found the empty code")
	}
	for _, in := range []string{"INVALID_GRANT", " invalid_grant\n", "Invalid_Grant"} {
		e, ok := Explain(in)
		if !ok || e.Code != "invalid_grant" {
			t.Errorf("Explain(%q) = %q, %v; want invalid_grant", in, e.Code, ok)
		}
	}
}

func TestExplainReturnsCopies(t *testing.T) {
	e, _ := Explain("invalid_client")
	orig := e.Causes[0]
	e.Causes[0] = "mutated"
	e.Checks[0] = "mutated"
	again, _ := Explain("invalid_client")
	if again.Causes[0] != orig || again.Checks[0] == "mutated" {
		t.Error("Explain returns slices shared with the package's data")
	}
}

type pageData struct {
	OK            bool
	Title, Detail string
}

func render(t *testing.T, d pageData) string {
	t.Helper()
	var b bytes.Buffer
	if err := CallbackPage().Execute(&b, d); err != nil {
		t.Fatalf("CallbackPage.Execute(%+v): %v", d, err)
	}
	return b.String()
}

func TestCallbackPageOK(t *testing.T) {
	page := render(t, pageData{OK: true})
	for _, want := range []string{
		"<!DOCTYPE html>",
		"tokenbench received the authorization response",
		"you can close this tab and return to the terminal",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("OK page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, `class="error"`) {
		t.Error("OK page shows the error layout")
	}
	if detail := render(t, pageData{OK: true, Detail: "state checked"}); !strings.Contains(detail, "state checked") {
		t.Error("OK page does not show Detail")
	}
}

func TestCallbackPageFailure(t *testing.T) {
	page := render(t, pageData{Title: "The state in the callback does not match", Detail: "sent abc, received xyz"})
	for _, want := range []string{
		`class="error"`,
		"The state in the callback does not match",
		"sent abc, received xyz",
		"return to the terminal",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("failure page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "tokenbench received the authorization response —") {
		t.Error("failure page shows the success message")
	}
	if untitled := render(t, pageData{}); !strings.Contains(untitled, "could not be used") {
		t.Errorf("failure page without a title has no heading:\n%s", untitled)
	}
}

func TestCallbackPageEscapes(t *testing.T) {
	const evil = `<script>alert("x")</script>`
	for _, d := range []pageData{
		{Title: evil, Detail: evil},
		{OK: true, Detail: evil},
	} {
		page := render(t, d)
		if strings.Contains(strings.ToLower(page), "<script") {
			t.Errorf("page for %+v contains an unescaped <script>:\n%s", d, page)
		}
		if !strings.Contains(page, "&lt;script&gt;") {
			t.Errorf("page for %+v does not show the escaped text:\n%s", d, page)
		}
	}
}

func TestCallbackPageSelfContained(t *testing.T) {
	for _, d := range []pageData{{OK: true}, {Title: "t", Detail: "d"}} {
		page := strings.ToLower(render(t, d))
		for _, banned := range []string{"<script", "src=", "href=", "@import", "url(", "http://", "https://"} {
			if strings.Contains(page, banned) {
				t.Errorf("page for %+v loads or links something (%q)", d, banned)
			}
		}
	}
}
