package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Token is a token endpoint's successful answer (RFC 6749 §5.1), parsed leniently.
type Token struct {
	AccessToken  string
	TokenType    string
	RefreshToken string
	IDToken      string
	Scope        string
	// ExpiresIn is the lifetime in seconds as received (0 when absent); Expiry is the moment it ends,
	// counted from when the answer arrived.
	ExpiresIn int64
	Expiry    time.Time
	// Members holds every member as received, known or not; Body is the answer's bytes.
	Members map[string]any
	Body    []byte
	// ServerDate is the answer's Date header, for measuring clock skew; zero when absent.
	ServerDate time.Time
	// Rotation says, after a refresh, what happened to the refresh token.
	Rotation Rotation
	// Notes say what tokenbench accepted leniently in the answer: a byte-order mark, a form-encoded
	// body.
	Notes []string
}

// JSON is the answer as JSON: the body itself when it is JSON (without a byte-order mark), else its
// members (a form-encoded answer) as a JSON object.
func (t *Token) JSON() []byte {
	if body, _ := withoutBOM(t.Body); json.Valid(body) {
		return body
	}
	b, err := json.Marshal(t.Members)
	if err != nil {
		return t.Body
	}
	return b
}

// Rotation is what a refresh did to the refresh token (RFC 6749 §6, RFC 9700 §4.14.2).
type Rotation string

// The possible rotations; RotationNone for answers that are not refreshes.
const (
	RotationNone      Rotation = ""
	RotationRotated   Rotation = "rotated"
	RotationUnchanged Rotation = "unchanged"
	RotationOmitted   Rotation = "not returned"
)

// IsBearer reports whether token_type is Bearer, compared without case (RFC 6749 §5.1).
func (t *Token) IsBearer() bool { return strings.EqualFold(t.TokenType, "bearer") }

// ParseTokenResponse parses a token endpoint's answer leniently: a JSON object (or, as some providers
// send, a form-encoded body); expires_in as a number or a numeric string; unknown members kept. An
// error member is an *OAuthError whatever the status; an HTML page, a body that is neither JSON nor a
// form, or an answer without access_token is an *Error saying which.
func ParseTokenResponse(status int, header http.Header, body []byte, received time.Time) (*Token, error) {
	r := response{status: status, header: header, body: body, url: "the token endpoint"}
	members, notes, err := tokenMembers(r)
	if err != nil {
		return nil, err
	}
	str := func(k string) string {
		switch v := members[k].(type) {
		case string:
			return v
		case json.Number:
			return v.String()
		}
		return ""
	}
	t := &Token{
		AccessToken: str("access_token"), TokenType: str("token_type"), RefreshToken: str("refresh_token"),
		IDToken: str("id_token"), Scope: str("scope"), Members: members, Body: body, Notes: notes,
	}
	if d, err := http.ParseTime(header.Get("Date")); err == nil {
		t.ServerDate = d
	}
	if s := str("expires_in"); s != "" {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || n < 0 {
			return nil, &Error{Kind: KindNonJSON, Detail: fmt.Sprintf("expires_in %q is not a number of seconds", s)}
		}
		t.ExpiresIn = int64(n)
		t.Expiry = received.Add(time.Duration(n * float64(time.Second)))
	}
	if t.AccessToken == "" {
		return nil, &Error{Kind: KindMissingAccessToken, Detail: fmt.Sprintf("the token endpoint answered HTTP %d without an access_token: %s", status, snippet(body))}
	}
	return t, nil
}

// tokenMembers decodes the members of a token answer, with notes on what it accepted leniently.
func tokenMembers(r response) (map[string]any, []string, error) {
	if mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		v, err := url.ParseQuery(string(r.body))
		if err == nil {
			members := map[string]any{}
			for k := range v {
				members[k] = v.Get(k)
			}
			if e, _ := members["error"].(string); e != "" {
				return nil, nil, &OAuthError{Code: e, Description: v.Get("error_description"), URI: v.Get("error_uri"), Status: r.status, Endpoint: "token endpoint",
					Challenge: r.header.Get("WWW-Authenticate")}
			}
			return members, []string{"the answer is form-encoded (application/x-www-form-urlencoded), not the JSON RFC 6749 §5.1 requires; tokenbench read it as a form"}, nil
		}
	}
	var notes []string
	if _, bom := withoutBOM(r.body); bom {
		notes = append(notes, bomNote)
	}
	var raw json.RawMessage
	if err := decodeJSON(r, "token endpoint", &raw); err != nil {
		return nil, nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var members map[string]any
	if err := dec.Decode(&members); err != nil || members == nil {
		return nil, nil, &Error{Kind: KindNonJSON, Detail: fmt.Sprintf("the token endpoint answered HTTP %d with a body that is not a JSON object: %s", r.status, snippet(r.body))}
	}
	return members, notes, nil
}
