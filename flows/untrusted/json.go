package untrusted

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON returns a JSON document for a terminal and for any program reading it alike: inside its
// strings, every character that Text would show as an escape (C0 and C1 controls, DEL, ESC,
// bidirectional overrides and isolates, other invisible format characters) becomes a JSON \uXXXX
// escape (RFC 8259 §7), and a byte that is not UTF-8 becomes \ufffd, as a decoder would read it; a
// lone carriage return between tokens becomes a space. Every other byte is kept, so the document
// decodes to the same value and reads as it was sent. ok is false, and out nil, when data is not
// one JSON value even then (a body in another format): show that with Text.
func JSON(data []byte) (out []byte, ok bool) {
	if isPlainJSON(data) {
		if !json.Valid(data) {
			return nil, false
		}
		return data, true
	}
	out = make([]byte, 0, len(data)+16)
	inString := false
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case !inString:
			if c == '"' {
				inString = true
			} else if c == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
				c = ' ' // insignificant whitespace (RFC 8259 §2) that would move the cursor back
			}
			out = append(out, c)
			i++
		case c == '"':
			inString = false
			out = append(out, c)
			i++
		case c == '\\' && i+1 < len(data) && data[i+1] >= 0x20 && data[i+1] < 0x7f:
			// An escape is printable ASCII as written (\n, \", \u001b): keep it and what it escapes.
			out = append(out, c, data[i+1])
			i += 2
		default:
			r, size := utf8.DecodeRune(data[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				out = append(out, `\ufffd`...)
			case r < 0x20 || r == 0x7f || !visible(r):
				out = appendJSONEscape(out, r)
			default:
				out = append(out, data[i:i+size]...)
			}
			i += size
		}
	}
	if !json.Valid(out) {
		return nil, false
	}
	return out, true
}

// isPlainJSON reports whether data is printable ASCII and JSON whitespace other than \r: nothing
// to escape.
func isPlainJSON(data []byte) bool {
	for _, c := range data {
		if (c < 0x20 && c != '\n' && c != '\t' && c != ' ') || c >= 0x7f {
			return false
		}
	}
	return true
}

// appendJSONEscape writes r as \uXXXX, or as a UTF-16 surrogate pair beyond the first plane.
func appendJSONEscape(out []byte, r rune) []byte {
	if r > 0xffff {
		hi, lo := utf16.EncodeRune(r)
		return appendJSONEscape(appendJSONEscape(out, hi), lo)
	}
	h := strconv.FormatInt(int64(r), 16)
	out = append(out, `\u`...)
	for range 4 - len(h) {
		out = append(out, '0')
	}
	return append(out, h...)
}
