package flows

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// seg base64url-encodes a segment.
func seg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// compact joins raw JSON segments into a token.
func compact(parts ...string) string {
	enc := make([]string, len(parts))
	for i, p := range parts {
		enc[i] = seg(p)
	}
	return strings.Join(enc, ".")
}

const (
	testHeader = `{"alg":"RS256","kid":"k1","typ":"JWT"}`
	testClaims = `{"iss":"https://idp.example.com","sub":"248289761001","aud":"s6BhdRkqt3","exp":1795000000,"iat":1794996400,"big":12345678901234567890,"frac":1794996400.5,"strexp":"1795000000","auds":["a","b"],"nested":{"x":1}}`
)

func TestDecodeJWTJWS(t *testing.T) {
	tok := compact(testHeader, testClaims, "sig-bytes")
	for _, input := range []string{tok, "  " + tok + "\n", "Bearer " + tok, "bearer\t" + tok, "BEARER   " + tok + "\r\n"} {
		j, err := DecodeJWT(input)
		if err != nil {
			t.Fatalf("DecodeJWT(%q): %v", input, err)
		}
		if j.Raw != tok {
			t.Errorf("Raw = %q, want the bare token", j.Raw)
		}
		if j.Kind != JWTKindJWS || j.Alg() != "RS256" || j.Kid() != "k1" || j.Typ() != "JWT" {
			t.Errorf("kind %s alg %q kid %q typ %q", j.Kind, j.Alg(), j.Kid(), j.Typ())
		}
		if string(j.Signature) != "sig-bytes" || string(j.Payload) != testClaims || string(j.HeaderJSON) != testHeader {
			t.Errorf("segments not kept: sig %q payload %q header %q", j.Signature, j.Payload, j.HeaderJSON)
		}
	}
	j, _ := DecodeJWT(tok)
	if got := j.ClaimString("iss"); got != "https://idp.example.com" {
		t.Errorf("ClaimString(iss) = %q", got)
	}
	if got := j.ClaimString("exp"); got != "" {
		t.Errorf("ClaimString of a number = %q, want empty", got)
	}
	// Numbers keep their precision: 12345678901234567890 does not fit a float64 exactly.
	if n, ok := j.Claims["big"].(json.Number); !ok || n.String() != "12345678901234567890" {
		t.Errorf("big = %#v, want the json.Number 12345678901234567890", j.Claims["big"])
	}
	cases := []struct {
		claim string
		want  time.Time
		ok    bool
	}{
		{"exp", time.Unix(1795000000, 0).UTC(), true},
		{"frac", time.Unix(1794996400, 500_000_000).UTC(), true},
		{"strexp", time.Unix(1795000000, 0).UTC(), true},
		{"iss", time.Time{}, false},
		{"missing", time.Time{}, false},
		{"big", time.Time{}, false}, // beyond year 9999
		{"nested", time.Time{}, false},
	}
	for _, c := range cases {
		got, ok := j.ClaimTime(c.claim)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("ClaimTime(%s) = %v, %v; want %v, %v", c.claim, got, ok, c.want, c.ok)
		}
		if ok && got.Location() != time.UTC {
			t.Errorf("ClaimTime(%s) is not UTC", c.claim)
		}
	}
	if got := j.Audience(); len(got) != 1 || got[0] != "s6BhdRkqt3" {
		t.Errorf("Audience() = %q", got)
	}
	j.Claims["aud"] = j.Claims["auds"]
	if got := j.Audience(); strings.Join(got, ",") != "a,b" {
		t.Errorf("Audience() of an array = %q", got)
	}
	j.Claims["aud"] = json.Number("3")
	if got := j.Audience(); got != nil {
		t.Errorf("Audience() of a number = %q, want nil", got)
	}
}

func TestDecodeJWTUnsigned(t *testing.T) {
	j, err := DecodeJWT(seg(`{"alg":"none"}`) + "." + seg(`{"sub":"x"}`) + ".")
	if err != nil {
		t.Fatal(err)
	}
	if j.Alg() != "none" || len(j.Signature) != 0 || j.Claims["sub"] != "x" {
		t.Errorf("alg %q signature %q claims %v", j.Alg(), j.Signature, j.Claims)
	}
}

func TestDecodeJWTJWE(t *testing.T) {
	tok := seg(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"enc-1","cty":"JWT"}`) + "." + seg("wrapped-key") + "." + seg("iv-iv-iv-iv") + "." + seg("ciphertext") + "." + seg("tag-tag-tag-tag")
	j, err := DecodeJWT(tok)
	if err != nil {
		t.Fatal(err)
	}
	if j.Kind != JWTKindJWE || j.Alg() != "RSA-OAEP" || j.Enc() != "A256GCM" || j.Kid() != "enc-1" {
		t.Errorf("kind %s alg %q enc %q kid %q", j.Kind, j.Alg(), j.Enc(), j.Kid())
	}
	if j.Claims != nil || j.Payload != nil || j.Signature != nil {
		t.Errorf("a JWE's claims, payload and signature must be nil: %v %q %q", j.Claims, j.Payload, j.Signature)
	}
	// "dir" key management has an empty encrypted key.
	if _, err := DecodeJWT(seg(`{"alg":"dir","enc":"A128GCM"}`) + ".." + seg("iv") + "." + seg("ct") + "." + seg("tag")); err != nil {
		t.Errorf("JWE with empty encrypted key: %v", err)
	}
}

// TestDecodeJWTDamagedSignature: a JWS whose signature segment does not decode (a redacted sample,
// a token cut short) is still decoded, header and claims, with the reason kept for the signature
// check, as jwt.io shows such tokens.
func TestDecodeJWTDamagedSignature(t *testing.T) {
	good := seg(testHeader)
	claims := seg(testClaims)
	cases := []struct {
		name, input string
		want        []string // substrings of SignatureDamaged
	}{
		{"standard base64 plus", good + "." + claims + ".ab+c", []string{"signature (segment 3)", "'+' or '/'", "standard base64", "base64url"}},
		{"bad character", good + "." + claims + ".sig*nature", []string{"signature (segment 3)", "not base64url", "character 4", `'*'`}},
		{"impossible length", good + "." + claims + ".abcde", []string{"signature (segment 3)", "length", "5 characters"}},
		{"non-canonical", good + "." + claims + ".QR", []string{"signature (segment 3)", "not canonical"}},
		{"redacted (BlockID's documentation)", good + "." + claims + ".QG1k04soewILKaQxEM1IC55G26KOdZIwAaABLUGH1d1b-T3q3ipGgSFIpUqEpPCGWHaJyW3ssxdVV3Xu4AmHNBT5Ju9I7XQcP9iseSDhcvIL9uT0bJuv-gjJ3_Qkq4ULP6zPFEi91omCDRwtVZzFRQXzSYlVKBMzyTf1IMAb5Ieo_-g0ZjKSP7KMkRi-Ygr_2NCD17qibLnkVRUU_U_DuK2F9o76hC-uXHc7ZybSTxw7LfrYDBJCwcoGhtlC3WKk59P-XxxfAlwC-EHVtVi7l8KzccTocZm2qXqYkJDAlxgegx0nVRK2UNQsQ-UAfKiytlpXFjUN3nym8IRgXXXXXX", []string{"signature (segment 3)", "not canonical"}},
		{"redacted with an ellipsis", good + "." + claims + ".QG1k04…XXXXXX", []string{"signature (segment 3)", "not base64url"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j, err := DecodeJWT(c.input)
			if err != nil {
				t.Fatalf("a damaged signature hid the claims: %v", err)
			}
			if j.Claims["sub"] != "248289761001" || j.Header["alg"] != "RS256" {
				t.Errorf("header %v, claims %v", j.Header, j.Claims)
			}
			for _, w := range c.want {
				if !strings.Contains(j.SignatureDamaged, w) {
					t.Errorf("SignatureDamaged %q lacks %q", j.SignatureDamaged, w)
				}
			}
			r := Verify(context.Background(), c.input, nil, Expect{}, time.Now(), time.Minute)
			for _, ch := range r.Checks {
				if ch.Name == "signature" && (ch.Status != CheckFail || !strings.Contains(ch.Detail, "cannot be checked")) {
					t.Errorf("signature check %+v, want a failure saying why", ch)
				}
			}
			if r.OK() {
				t.Error("a token with a damaged signature passed")
			}
		})
	}
}

func TestDecodeJWTMalformed(t *testing.T) {
	good := seg(testHeader)
	claims := seg(testClaims)
	cases := []struct {
		name, input string
		want        []string // substrings of the detail
	}{
		{"empty", "", []string{"empty"}},
		{"blank", " \n\t ", []string{"empty"}},
		{"bearer only", "Bearer ", []string{"empty"}},
		{"opaque", "2YotnFZFEjr1zCsicMWpAA", []string{"not a JWT", "opaque token", "introspection"}},
		{"two parts", good + "." + claims, []string{"has 2 parts separated by dots; a JWS has 3 and a JWE 5"}},
		{"four parts", good + "." + claims + ".a.b", []string{"has 4 parts", "a JWS has 3 and a JWE 5"}},
		{"six parts", "a.b.c.d.e.f", []string{"has 6 parts"}},
		{"standard base64 slash", good + ".ab/c." + "sig", []string{"payload (segment 2)", "standard base64"}},
		{"padding", base64.URLEncoding.EncodeToString([]byte(`{"alg":"RS256"}x`)) + "." + claims + ".c2ln", []string{"header (segment 1)", "'=' padding"}},
		{"inner whitespace", good + ".\n" + claims + ".c2ln", []string{"whitespace", "line"}},
		{"header not JSON", seg("not json") + "." + claims + ".c2ln", []string{"header (segment 1) is not JSON"}},
		{"header an array", seg(`["alg"]`) + "." + claims + ".c2ln", []string{"header (segment 1) is an array, not a JSON object"}},
		{"header trailing", seg(`{"alg":"RS256"} {}`) + "." + claims + ".c2ln", []string{"header (segment 1) has more after"}},
		{"empty header", "." + claims + ".c2ln", []string{"header (segment 1) is empty"}},
		{"payload a string", good + "." + seg(`"hello"`) + ".c2ln", []string{"payload (segment 2) is a string, not a JSON object"}},
		{"payload not JSON", good + "." + seg("hello world") + ".c2ln", []string{"payload (segment 2) is not JSON"}},
		{"empty payload", good + "..c2ln", []string{"payload (segment 2) is empty"}},
		{"no alg", seg(`{"typ":"JWT"}`) + "." + claims + ".c2ln", []string{`no "alg"`, "RFC 7515 §4.1.1"}},
		{"empty alg", seg(`{"alg":""}`) + "." + claims + ".c2ln", []string{`"alg" is empty`, "RFC 7515 §4.1.1"}},
		{"empty enc", seg(`{"alg":"RSA-OAEP","enc":""}`) + ".YQ.Yg.Yw.ZA", []string{`"enc" is empty`, "RFC 7516 §4.1.2"}},
		{"alg a number", seg(`{"alg":256}`) + "." + claims + ".c2ln", []string{`"alg" is a number`}},
		{"JWE without enc", seg(`{"alg":"RSA-OAEP"}`) + ".YQ.Yg.Yw.ZA", []string{`no "enc"`, "RFC 7516"}},
		{"JWE bad segment", seg(`{"alg":"dir","enc":"A128GCM"}`) + "..a+b.c.d", []string{"initialization vector (segment 3)", "standard base64"}},
		{"JSON serialization", `{"payload":"e30","signatures":[]}`, []string{"JSON", "compact"}},
		{"unsecured with a bad signature segment", seg(`{"alg":"none"}`) + "." + claims + ".s+sig", []string{"signature (segment 3)", "standard base64"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j, err := DecodeJWT(c.input)
			if err == nil {
				t.Fatalf("no error; decoded %+v", j)
			}
			if j != nil {
				t.Errorf("a failed decode returned a token")
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.Kind != KindMalformedJWT {
				t.Fatalf("error %v is not an *Error of kind malformed_jwt", err)
			}
			for _, w := range c.want {
				if !strings.Contains(fe.Detail, w) {
					t.Errorf("detail %q lacks %q", fe.Detail, w)
				}
			}
		})
	}
}

func TestFmtDuration(t *testing.T) {
	cases := map[time.Duration]string{
		0:                                     "0s",
		45 * time.Second:                      "45s",
		4*time.Minute + 30*time.Second:        "4m30s",
		5 * time.Minute:                       "5m",
		54*time.Minute + 20*time.Second:       "54m",
		3*time.Hour + 12*time.Minute:          "3h12m",
		2 * time.Hour:                         "2h",
		-(3*time.Hour + 12*time.Minute):       "3h12m",
		50 * time.Hour:                        "2d2h",
		72 * time.Hour:                        "3d",
		20 * 365 * 24 * time.Hour:             "20 years",
		1500 * time.Millisecond:               "2s",
		59*time.Second + 600*time.Millisecond: "1m",
	}
	for d, want := range cases {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%s) = %q, want %q", d, got, want)
		}
	}
	now := time.Date(2026, 11, 21, 7, 23, 0, 0, time.UTC)
	if got := relative(now.Add(54*time.Minute), now); got != "in 54m" {
		t.Errorf("relative future = %q", got)
	}
	if got := relative(now.Add(-3*time.Hour-12*time.Minute), now); got != "3h12m ago" {
		t.Errorf("relative past = %q", got)
	}
	if got := fmtAllowance(60 * time.Second); got != "60s" {
		t.Errorf("fmtAllowance(60s) = %q", got)
	}
	if got := fmtAllowance(500 * time.Millisecond); got != "0.5s" {
		t.Errorf("fmtAllowance(500ms) = %q", got)
	}
}

// FuzzDecodeJWT checks that DecodeJWT never panics, that its failures are malformed_jwt errors, and
// that a successful decode is complete and round-trips to the token's segments.
func FuzzDecodeJWT(f *testing.F) {
	f.Add(compact(testHeader, testClaims, "sig"))
	f.Add("Bearer " + compact(`{"alg":"none"}`, `{"sub":"x","exp":"1.5e9"}`, ""))
	f.Add(compact(`{"alg":"RSA-OAEP","enc":"A256GCM"}`, "k", "iv", "ct", "tag"))
	f.Add(compact(`{"alg":"HS256"}`, `{"aud":["a",1,null],"iat":-1}`, "s"))
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0=.c2ln")
	f.Add("a.b")
	f.Add("opaque-token")
	f.Add("")
	f.Add(" \t")
	f.Add("..")
	f.Add("....")
	f.Add(compact(`{"alg":"ES256"}`, `[]`, ""))
	f.Add(compact(`{"alg":"ES256"}`, `{"exp":1e400}`, ""))
	f.Add(compact(`{"alg":"RSA1_5","enc":"A128CBC-HS256"}`, "k", "iv", "ct", "tag"))
	f.Add(compact(`{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}`, "", "iv", "ct", "tag"))
	// A real encrypted token: the fuzzer mutates it into the go-jose parsing and decryption paths.
	decKey := &jose.JSONWebKey{Key: testKeyPairs().rsa2, KeyID: "rsa-enc"}
	if enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: &testKeyPairs().rsa2.PublicKey, KeyID: "rsa-enc"}, (&jose.EncrypterOptions{}).WithContentType("JWT")); err == nil {
		if obj, err := enc.Encrypt([]byte(compact(testHeader, testClaims, "sig"))); err == nil {
			if s, err := obj.CompactSerialize(); err == nil {
				f.Add(s)
			}
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		j, err := DecodeJWT(raw)
		if err != nil {
			var fe *Error
			if j != nil || !errors.As(err, &fe) || fe.Kind != KindMalformedJWT || fe.Detail == "" {
				t.Fatalf("DecodeJWT(%q) = %v, %v: failures must be malformed_jwt with a detail and no token", raw, j, err)
			}
			return
		}
		if j.Header == nil || j.Alg() == "" {
			t.Fatalf("decoded %q without a header or alg", raw)
		}
		parts := strings.Split(j.Raw, ".")
		if got := seg(string(j.HeaderJSON)); got != parts[0] {
			t.Fatalf("header segment %q re-encodes as %q", parts[0], got)
		}
		switch j.Kind {
		case JWTKindJWS:
			if len(parts) != 3 || j.Claims == nil {
				t.Fatalf("JWS %q: %d parts, claims %v", raw, len(parts), j.Claims)
			}
			// A damaged signature segment (a redacted sample) is decoded anyway and said so; only
			// an intact one must round-trip.
			if seg(string(j.Payload)) != parts[1] || (j.SignatureDamaged == "" && seg(string(j.Signature)) != parts[2]) {
				t.Fatalf("JWS %q does not round-trip", raw)
			}
		case JWTKindJWE:
			if len(parts) != 5 || j.Claims != nil || j.Enc() == "" {
				t.Fatalf("JWE %q: %d parts, claims %v, enc %q", raw, len(parts), j.Claims, j.Enc())
			}
			// Decryption takes the same untrusted input: it must pass or fail with a kind and a
			// reason, never panic.
			plain, c := decryptJWE(j, decKey)
			if c.Name != "decryption" || c.Detail == "" || (c.Status == CheckPass) != (plain != nil) || (c.Status == CheckFail && c.Kind == "") {
				t.Fatalf("decryptJWE(%q) = %q, %+v", raw, plain, c)
			}
		default:
			t.Fatalf("unknown kind %q", j.Kind)
		}
		for name := range j.Claims {
			if tm, ok := j.ClaimTime(name); ok && tm.Location() != time.UTC {
				t.Fatalf("ClaimTime(%s) not UTC", name)
			}
		}
		_ = j.Audience()
	})
}
