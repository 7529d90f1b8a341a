package terminal

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// ellipsis ends text that was cut.
const ellipsis = "…"

// appendText appends s for display, so that nothing in it can drive the
// terminal: C0 controls, DEL and C1 controls are written as escapes (\n, \r,
// \t, or \u001b style), as are the Unicode line separators and bidirectional
// embeddings, overrides and isolates; invalid UTF-8 becomes U+FFFD. When
// limit >= 0 the result is cut to limit characters, never inside an escape,
// and followed by "…".
func appendText(b []byte, s string, limit int) []byte {
	n := 0 // characters appended so far
	for i := 0; i < len(s); {
		// Printable ASCII, by far the common case, is copied in runs.
		j := i
		for j < len(s) && s[j] >= ' ' && s[j] < 0x7f {
			j++
		}
		if j > i {
			if limit >= 0 && n+(j-i) > limit {
				b = append(b, s[i:i+limit-n]...)
				return append(b, ellipsis...)
			}
			b = append(b, s[i:j]...)
			n += j - i
			i = j
			continue
		}

		r, size := utf8.DecodeRuneInString(s[i:])
		var buf [6]byte
		piece, width := escape(buf[:0], r), 0
		switch {
		case len(piece) > 0:
			width = len(piece)
		case r == utf8.RuneError && size == 1:
			piece, width = append(piece, string(utf8.RuneError)...), 1
		default:
			piece, width = append(piece, s[i:i+size]...), 1
		}
		if limit >= 0 && n+width > limit {
			return append(b, ellipsis...)
		}
		b = append(b, piece...)
		n += width
		i += size
	}
	return b
}

// escape appends to dst the escape of r if r must not reach a terminal raw;
// otherwise it returns dst unchanged.
func escape(dst []byte, r rune) []byte {
	switch {
	case r == '\n':
		dst = append(dst, `\n`...)
	case r == '\r':
		dst = append(dst, `\r`...)
	case r == '\t':
		dst = append(dst, `\t`...)
	case r < ' ', r >= 0x7f && r <= 0x9f, // C0, DEL and C1 controls
		r == '\u2028', r == '\u2029', // line and paragraph separators
		r >= '\u202a' && r <= '\u202e', // bidirectional embeddings and overrides
		r >= '\u2066' && r <= '\u2069': // bidirectional isolates
		dst = append(dst, '\\', 'u',
			hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
	}
	return dst
}
