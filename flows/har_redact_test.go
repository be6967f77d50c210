package flows

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestRedactHARKeepsNestedErrorCodes: the HAR redaction masks JSON members as the trace's does (the
// one JSON masking): a "code" at the top level of a JSON answer is an authorization code, masked
// there and wherever it appears again (the token request's form); the "code" of an error object
// nested in an answer (Entra's error.code and innerError.code) names the failure and stays readable.
func TestRedactHARKeepsNestedErrorCodes(t *testing.T) {
	const authCode = "SplxlOBeZQQYbYS6WxSbIA"
	entry := func(method, u, reqMime, reqBody string, status int, body string) map[string]any {
		req := map[string]any{"method": method, "url": u, "headers": []any{}}
		if reqBody != "" {
			req["postData"] = map[string]any{"mimeType": reqMime, "text": reqBody}
		}
		return map[string]any{"startedDateTime": "2026-11-30T09:00:00.000Z", "request": req,
			"response": map[string]any{"status": status, "headers": []any{},
				"content": map[string]any{"mimeType": "application/json", "text": body}}}
	}
	graphError := `{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure.",` +
		`"innerError":{"code":"AADSTS7000215_invalid_client_secret","request-id":"4c2f-11ee"}}}`
	doc := map[string]any{"log": map[string]any{"entries": []any{
		entry("POST", "https://idp.example/direct/authorize", "application/json", `{"client_id":"a","response_type":"code","state":"st4te"}`, 200,
			`{"code":"`+authCode+`","state":"st4te"}`),
		entry("POST", "https://idp.example/token", "application/x-www-form-urlencoded", "grant_type=authorization_code&code="+authCode+"&client_id=a", 400,
			`{"error":"invalid_client","error_description":"AADSTS7000215_invalid_client_secret"}`),
		entry("GET", "https://graph.example/v1.0/me", "", "", 401, graphError),
	}}}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	out, err := RedactHAR(data)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(authCode)) {
		t.Errorf("the authorization code is left in the redacted copy:\n%s", out)
	}
	for _, code := range []string{"InvalidAuthenticationToken", "AADSTS7000215_invalid_client_secret"} {
		if n := bytes.Count(out, []byte(code)); n != bytes.Count(data, []byte(code)) {
			t.Errorf("the nested error code %s is masked (%d of %d left):\n%s", code, n, bytes.Count(data, []byte(code)), out)
		}
	}
	// The trace's redaction reads the answers alike.
	for _, body := range []string{graphError, `{"code":"` + authCode + `"}`} {
		masked, _ := redactJSON([]byte(body))
		if bytes.Contains(masked, []byte(authCode)) || bytes.Contains([]byte(body), []byte("innerError")) && !bytes.Contains(masked, []byte("AADSTS7000215")) {
			t.Errorf("the trace's redaction of %s: %s", body, masked)
		}
	}
}
