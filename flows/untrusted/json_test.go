package untrusted

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestJSONEscapesWhatATerminalWouldObey(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", `{"access_token":"at","expires_in":3600}`, `{"access_token":"at","expires_in":3600}`},
		{"indented", "{\n\t\"a\": [1, 2]\r\n}", "{\n\t\"a\": [1, 2]\r\n}"},
		{"bidi override", `{"name":"user` + "\u202e" + `gpj.exe"}`, `{"name":"user\u202egpj.exe"}`},
		{"bidi isolate", `{"n":"` + "\u2066admin\u2069" + `"}`, `{"n":"\u2066admin\u2069"}`},
		{"ESC, clear screen", "{\"error_description\":\"bad\x1b[2Jthing\"}", `{"error_description":"bad\u001b[2Jthing"}`},
		{"OSC 52", "[\"\x1b]52;c;cm0gLXJm\x07\"]", `["\u001b]52;c;cm0gLXJm\u0007"]`},
		{"C1 CSI", `{"e":"a` + "\u009b" + `31m"}`, `{"e":"a\u009b31m"}`},
		{"raw 8-bit byte", "{\"e\":\"a\x9b31m\"}", `{"e":"a\ufffd31m"}`},
		{"carriage return in a string", "{\"e\":\"ok\rfake\"}", `{"e":"ok\u000dfake"}`},
		{"lone carriage return between tokens", "{\"a\":1,\r\"b\":2}", `{"a":1, "b":2}`},
		{"beyond the first plane", `{"t":"tag` + "\U000E0041" + `"}`, `{"t":"tag\udb40\udc41"}`},
		{"escapes kept as written", `{"e":"\u001b[2J \"q\" \\"}`, `{"e":"\u001b[2J \"q\" \\"}`},
		{"unicode kept", `{"name":"Grüße — ключ ✓ 🔑"}`, `{"name":"Grüße — ключ ✓ 🔑"}`},
		{"line separator", `{"a":"x` + "\u2028" + `y"}`, `{"a":"x\u2028y"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := JSON([]byte(c.in))
			if !ok || string(got) != c.want {
				t.Errorf("JSON(%q) = %q, %v; want %q", c.in, got, ok, c.want)
			}
		})
	}
	for _, in := range []string{"<html>\x1b[2J</html>", `{"a":`, "{} {}", "access_token=at&x=\x1b"} {
		if got, ok := JSON([]byte(in)); ok || got != nil {
			t.Errorf("JSON(%q) = %q, %v; want not JSON", in, got, ok)
		}
	}
}

// decodeJSON is the value a JSON reader sees, numbers as written.
func decodeJSON(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%q does not decode: %v", data, err)
	}
	return v
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`{"access_token":"at","token_type":"Bearer"}`, "{\"e\":\"\x1b]52;c;AAAA\x07\"}", `["a` + "\u202e" + `b"]`,
		"{\"e\":\"\xff\xfe\"}", "{\"a\":1,\r\"b\":\"\\u001b\"}", `{"t":"` + "\U000E0001" + `","n":-1.5e3}`, "\"\u009b2J\"", "not json\x1b",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, ok := JSON(in)
		if json.Valid(in) {
			if !ok {
				t.Fatalf("JSON(%q) says valid JSON is not JSON", in)
			}
			if a, b := decodeJSON(t, in), decodeJSON(t, out); !reflect.DeepEqual(a, b) {
				t.Fatalf("JSON(%q) = %q decodes to %#v, want %#v", in, out, b, a)
			}
		}
		if !ok {
			if out != nil {
				t.Fatalf("JSON(%q) returned %q with ok false", in, out)
			}
			return
		}
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("JSON(%q) = %q is not UTF-8 JSON", in, out)
		}
		if isPlainJSON(in) && !bytes.Equal(in, out) {
			t.Fatalf("plain %q was changed to %q", in, out)
		}
		s := string(out)
		for i, r := range s {
			switch {
			case r == '\n' || r == '\t':
			case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			case r < 0x20 || r == 0x7f || !visible(r):
				t.Fatalf("JSON(%q) = %q holds %U", in, out, r)
			}
		}
	})
}
