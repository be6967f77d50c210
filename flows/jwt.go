package flows

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// JWTKind says which JOSE serialization a token is.
type JWTKind string

// The JWT kinds DecodeJWT recognises.
const (
	// JWTKindJWS is a signed token (RFC 7515): header, payload and signature.
	JWTKindJWS JWTKind = "JWS"
	// JWTKindJWE is an encrypted token (RFC 7516): its claims cannot be read without the key.
	JWTKindJWE JWTKind = "JWE"
)

// JWT is a compact token decoded without trusting it: nothing in it has been verified.
type JWT struct {
	// Raw is the compact token as decoded, without surrounding whitespace or a "Bearer " prefix.
	Raw string
	// Kind is JWS or JWE.
	Kind JWTKind
	// Header is the protected header as received; numbers are json.Number.
	Header map[string]any
	// HeaderJSON is the protected header's JSON text, in the order it was received.
	HeaderJSON []byte
	// Claims is a JWS payload decoded as a JSON object, numbers as json.Number; nil for a JWE, which
	// cannot be read without the key.
	Claims map[string]any
	// Payload is the raw payload bytes of a JWS; nil for a JWE.
	Payload []byte
	// Signature is the raw signature bytes of a JWS (empty when unsigned); nil for a JWE.
	Signature []byte
	// SignatureDamaged says why a JWS's signature segment does not decode (a redacted sample such
	// as "…XXXXXX", a token cut short); empty when it decodes. The header and claims are still read,
	// as jwt.io reads them, and the signature check fails with this reason.
	SignatureDamaged string
}

// b64 decodes JWT segments: base64url without padding (RFC 7515 §2), rejecting non-zero trailing
// bits so that every accepted segment has exactly one spelling.
var b64 = base64.RawURLEncoding.Strict()

// segmentNames names the segments of a JWS and a JWE for messages.
var (
	jwsSegments = []string{"header", "payload", "signature"}
	jweSegments = []string{"header", "encrypted key", "initialization vector", "ciphertext", "authentication tag"}
)

// malformed builds the error DecodeJWT returns.
func malformed(format string, args ...any) *Error {
	return &Error{Kind: KindMalformedJWT, Detail: fmt.Sprintf(format, args...)}
}

// DecodeJWT decodes a compact JWS or JWE without verifying anything. Surrounding whitespace and a
// leading "Bearer " are accepted. A JWS must have a JSON object as header and as payload; a JWE's
// header is decoded and its other segments checked to be base64url, and its claims stay nil. Every
// failure is an *Error of kind malformed_jwt saying what is wrong.
func DecodeJWT(raw string) (*JWT, error) {
	s := strings.TrimSpace(raw)
	if len(s) > 7 && strings.EqualFold(s[:6], "bearer") && (s[6] == ' ' || s[6] == '\t') {
		s = strings.TrimSpace(s[7:])
	}
	if s == "" {
		return nil, malformed("the input is empty: no token was given")
	}
	if strings.EqualFold(s, "bearer") {
		return nil, malformed("the input is only the word %q: no token follows it, it is empty", s)
	}
	if i := indexSpace(s); i >= 0 {
		return nil, malformed("the token contains whitespace at character %d; a JWT has none (a token copied from a wrapped line often picks up line breaks)", i+1)
	}
	if strings.HasPrefix(s, "{") {
		return nil, malformed("this is JSON, not a compact token: a JWS or JWE in JSON serialization, or a token response (take the token from its access_token or id_token member)")
	}
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 1:
		return nil, malformed("not a JWT: an opaque token, which only the issuer can read (use introspection)")
	case 3, 5:
	default:
		return nil, malformed("the token has %d parts separated by dots; a JWS has 3 and a JWE 5", len(parts))
	}
	names := jwsSegments
	if len(parts) == 5 {
		names = jweSegments
	}
	segs := make([][]byte, len(parts))
	damaged := ""
	for i, p := range parts {
		b, err := decodeSegment(p, i, names[i])
		var fe *Error
		switch {
		case err != nil && len(parts) == 3 && i == 2 && errors.As(err, &fe):
			damaged = fe.Detail // the claims are still worth reading
		case err != nil:
			return nil, err
		}
		segs[i] = b
	}
	if len(segs[0]) == 0 {
		return nil, malformed("the header (segment 1) is empty")
	}
	header, err := decodeObject(segs[0], "header (segment 1)")
	if err != nil {
		return nil, err
	}
	j := &JWT{Raw: s, Header: header, HeaderJSON: segs[0]}
	if err := j.checkHeader(len(parts)); err != nil {
		return nil, err
	}
	if len(parts) == 5 {
		j.Kind = JWTKindJWE
		return j, nil
	}
	j.Kind = JWTKindJWS
	if alg, _ := j.Header["alg"].(string); damaged != "" && strings.EqualFold(alg, "none") {
		// An unsecured JWS has an empty signature (RFC 7515 Appendix A.5): there is no signature to
		// have been damaged, so the token itself is malformed.
		return nil, malformed("%s", damaged)
	}
	if len(segs[1]) == 0 {
		return nil, malformed("the payload (segment 2) is empty; a JWT's payload is a JSON object of claims")
	}
	claims, err := decodeObject(segs[1], "payload (segment 2)")
	if err != nil {
		return nil, err
	}
	j.Claims, j.Payload, j.Signature, j.SignatureDamaged = claims, segs[1], segs[2], damaged
	return j, nil
}

// checkHeader applies RFC 7515 §4.1.1 and RFC 7516 §4.1.2: alg is required, and a JWE needs enc.
func (j *JWT) checkHeader(nparts int) error {
	alg, present := j.Header["alg"]
	if !present {
		return malformed(`the header has no "alg" member, which every JWS and JWE must carry (RFC 7515 §4.1.1)`)
	}
	if a, ok := alg.(string); !ok {
		return malformed(`the header's "alg" is %s, not a string`, jsonTypeName(alg))
	} else if a == "" {
		return malformed(`the header's "alg" is empty; it must name an algorithm (RFC 7515 §4.1.1), "none" for an unsecured JWS`)
	}
	if nparts == 5 {
		enc, present := j.Header["enc"]
		if !present {
			return malformed(`the token has 5 parts like a JWE, but its header has no "enc" member, which a JWE must carry (RFC 7516 §4.1.2)`)
		}
		if e, ok := enc.(string); !ok {
			return malformed(`the header's "enc" is %s, not a string`, jsonTypeName(enc))
		} else if e == "" {
			return malformed(`the header's "enc" is empty; a JWE must name its content encryption (RFC 7516 §4.1.2)`)
		}
	}
	return nil
}

// decodeSegment decodes one base64url segment, explaining what is wrong when it is not.
func decodeSegment(seg string, i int, name string) ([]byte, error) {
	b, err := b64.DecodeString(seg)
	if err == nil {
		return b, nil
	}
	where := fmt.Sprintf("the %s (segment %d)", name, i+1)
	switch {
	case strings.ContainsAny(seg, "+/"):
		return nil, malformed("%s contains '+' or '/': it looks like standard base64, but JWT segments are base64url (RFC 7515 §2), which uses '-' and '_' instead and no '=' padding", where)
	case strings.Contains(seg, "="):
		return nil, malformed("%s ends with '=' padding; JWT segments are base64url without padding (RFC 7515 §2)", where)
	}
	var ce base64.CorruptInputError
	if errors.As(err, &ce) {
		off := int(ce)
		if off < len(seg) && !isB64URLChar(seg[off]) {
			return nil, malformed("%s is not base64url: character %d is %q, which base64url does not use", where, off+1, seg[off])
		}
		if len(seg)%4 == 1 {
			return nil, malformed("%s is not base64url: its length, %d characters, is impossible for base64url (the token may have been cut short)", where, len(seg))
		}
		return nil, malformed("%s is not canonical base64url: its last character carries bits that must be zero (the token may have been cut short or altered)", where)
	}
	return nil, malformed("%s is not base64url: %v", where, err)
}

// indexSpace is the index of the first ASCII whitespace byte in s, or -1. (Other Unicode spaces are
// not base64url characters, and segment decoding reports them.)
func indexSpace(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			return i
		}
	}
	return -1
}

func isB64URLChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// decodeObject decodes a JSON object, keeping numbers as json.Number.
func decodeObject(b []byte, what string) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, malformed("the %s is not JSON: %v (it starts %q)", what, err, snippet(b))
	}
	if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		return nil, malformed("the %s has more after its JSON value (it starts %q)", what, snippet(b))
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, malformed("the %s is %s, not a JSON object", what, jsonTypeName(v))
	}
	return obj, nil
}

// jsonTypeName names a decoded JSON value's type with an article, for messages.
func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

// headerString is a string header member, or "".
func (j *JWT) headerString(name string) string {
	s, _ := j.Header[name].(string)
	return s
}

// Alg returns the header's "alg", or "".
func (j *JWT) Alg() string { return j.headerString("alg") }

// Enc returns the header's "enc" (the content encryption of a JWE), or "".
func (j *JWT) Enc() string { return j.headerString("enc") }

// Kid returns the header's "kid", or "".
func (j *JWT) Kid() string { return j.headerString("kid") }

// Typ returns the header's "typ", or "".
func (j *JWT) Typ() string { return j.headerString("typ") }

// ClaimString returns the claim when it is a JSON string, and "" otherwise.
func (j *JWT) ClaimString(name string) string {
	s, _ := j.Claims[name].(string)
	return s
}

// NumericDate bounds: year 1 to year 9999, the range time.Time formats sensibly.
const (
	minNumericDate = -62135596800
	maxNumericDate = 253402300799
)

// ClaimTime returns a NumericDate claim (RFC 7519 §2: seconds since the epoch, possibly fractional)
// as a UTC time. It accepts JSON numbers, integral or not, and strings holding a number, which some
// providers send; it reports false when the claim is absent or is not such a number.
func (j *JWT) ClaimTime(name string) (time.Time, bool) {
	return numericDate(j.Claims[name])
}

// numericDate converts a decoded claim value to a time.
func numericDate(v any) (time.Time, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < minNumericDate || n > maxNumericDate {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < minNumericDate || f > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), true
}

// Audience returns the "aud" claim as a list: a single string becomes a list of one; the string
// members of an array are kept. It is nil when there is no usable aud.
func (j *JWT) Audience() []string {
	switch v := j.Claims["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, a := range v {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
