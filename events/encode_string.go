package events

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// plainASCII[c] reports whether the ASCII byte c may appear unescaped inside a
// JSON string. Bytes at or above utf8.RuneSelf are handled separately.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a quoted JSON string. Quote, backslash and control
// characters are escaped as encoding/json escapes them; U+2028 and U+2029 are
// escaped so the output can be pasted into JavaScript; every byte that is not
// part of valid UTF-8 becomes \ufffd. The characters <, > and & are written as
// they are: the wire format is not HTML, and tokens of generated code are full
// of them.
func appendString(dst []byte, s string) []byte {
	if n := plainPrefix(s); n < len(s) {
		return appendEscaped(dst, s, n)
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendKey appends a map key as a quoted JSON string. A key that is not
// valid UTF-8 is repaired as appendString repairs any string, and marked so
// that two keys differing only in their invalid bytes (both repaired to the
// same text) stay distinct: "#x" and the hex of the original key's bytes
// follow the repaired text, so "k\xff" is written as "k\ufffd#x6bff".
func appendKey(dst []byte, key string) []byte {
	dst = appendString(dst, key)
	if plainPrefix(key) == len(key) || utf8.ValidString(key) {
		return dst
	}
	dst = append(dst[:len(dst)-1], '#', 'x') // before the closing quote
	for i := 0; i < len(key); i++ {
		dst = append(dst, hexDigits[key[i]>>4], hexDigits[key[i]&0xF])
	}
	return append(dst, '"')
}

// plainPrefix returns how many leading bytes of s need no escaping; most
// strings in an event are plain throughout.
func plainPrefix(s string) int {
	if len(s) >= 4 && len(s) < 8 {
		// Two 4-byte words, overlapping when len(s) < 8, cover s.
		if !hasSpecialByte(uint64(load32(s)) | uint64(load32(s[len(s)-4:]))<<32) {
			return len(s)
		}
		return plainBytes(s, 0)
	}
	i := 0
	for i+8 <= len(s) && !hasSpecialByte(load64(s[i:])) {
		i += 8
	}
	if len(s) >= 8 && i < len(s) && i+8 > len(s) && !hasSpecialByte(load64(s[len(s)-8:])) {
		// Fewer than 8 bytes remain: check the last word, which overlaps
		// bytes already known to be plain.
		return len(s)
	}
	return plainBytes(s, i)
}

// plainBytes returns the index of the first byte from i on that needs escaping
// or is not ASCII, or len(s).
func plainBytes(s string, i int) int {
	for i < len(s) && s[i] < utf8.RuneSelf && plainASCII[s[i]] {
		i++
	}
	return i
}

// appendEscaped appends s as a quoted JSON string, escaping from byte i on.
func appendEscaped(dst []byte, s string, i int) []byte {
	dst = append(dst, '"')
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscapedASCII(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if esc := escapeRune(r, size); esc != "" {
			dst = append(dst, s[start:i]...)
			dst = append(dst, esc...)
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Word-at-a-time constants: a one in every byte, the top bit of every byte.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// hasSpecialByte reports whether any of the 8 bytes packed in w is a control
// character, a quote, a backslash or not ASCII: the bytes appendString must
// look at. Plain text is skipped 8 bytes per step.
func hasSpecialByte(w uint64) bool {
	quote := w ^ ('"' * lowBits)
	backslash := w ^ ('\\' * lowBits)
	below := (w - ' '*lowBits) & ^w               // top bit set where a byte is < 0x20
	quoteAt := (quote - lowBits) & ^quote         // top bit set where a byte is '"'
	slashAt := (backslash - lowBits) & ^backslash // top bit set where a byte is '\\'
	return (below|quoteAt|slashAt|w)&highBits != 0
}

// load64 packs the first 8 bytes of s into a word; the compiler turns this
// into a single load.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 packs the first 4 bytes of s into a word.
func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// appendEscapedASCII appends the escape sequence of an ASCII byte that cannot
// appear raw in a JSON string.
func appendEscapedASCII(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// escapeRune returns what replaces the multi-byte sequence r of size bytes
// inside a JSON string, or "" when it is written as it is.
func escapeRune(r rune, size int) string {
	switch {
	case r == utf8.RuneError && size == 1:
		return `\ufffd`
	case r == '\u2028':
		return `\u2028`
	case r == '\u2029':
		return `\u2029`
	}
	return ""
}

// appendCompactJSON appends raw, which must be valid JSON (json.Valid), without
// insignificant whitespace, repairing invalid UTF-8 and escaping U+2028 and
// U+2029 inside strings as appendString does. It is used for JSON that other
// code produced: a json.RawMessage, a MarshalJSON result, encoding/json output.
func appendCompactJSON(dst []byte, raw []byte) []byte {
	inString := false
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case !inString:
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				dst = append(dst, c)
				inString = c == '"'
			}
			i++
		case c == '\\':
			// Valid JSON never ends inside an escape sequence.
			dst = append(dst, c, raw[i+1])
			i += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			inString = c != '"'
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if esc := escapeRune(r, size); esc != "" {
				dst = append(dst, esc...)
			} else {
				dst = append(dst, raw[i:i+size]...)
			}
			i += size
		}
	}
	return dst
}
