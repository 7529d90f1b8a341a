package llmhttp

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads the few members a stream's events need out of a JSON
// document, skipping the rest without decoding it: per streamed chunk it is
// several times cheaper than encoding/json, and it allocates nothing (the
// strings it yields alias the document until they are converted).
//
// It is a pull reader: obj/member walk an object, arr/elem an array, and the
// value readers (str, text, int, num, boolean, skip) consume one value each.
// The document is checked as strictly as encoding/json checks it, skipped
// parts included; the first syntax error stops the scan (err), and the
// caller then ignores the whole document. A value of an unexpected type is
// skipped and noted in typeErr, and the rest is still read, as encoding/json
// leaves such a field unset and carries on. null reads as an absent value.
type scanner struct {
	b       []byte
	i       int
	last    byte // the last token consumed: '{', '[', ',', ':', or 'v' (a value)
	depth   int
	err     error
	typeErr error
}

// maxDepth bounds nesting, as encoding/json bounds it.
const maxDepth = 10000

func (s *scanner) reset(b []byte) {
	*s = scanner{b: b}
}

// errEOF is the syntax error of a document cut short.
var errEOF = errors.New("unexpected end of JSON input")

// syntaxError is a syntax error at an offset of the document.
type syntaxError struct {
	char byte
	msg  string
	at   int
}

func (e *syntaxError) Error() string {
	return "invalid character " + strconv.QuoteRune(rune(e.char)) + " at offset " + strconv.Itoa(e.at) + ": " + e.msg
}

func (s *scanner) fail(msg string) {
	if s.err == nil {
		if s.i >= len(s.b) {
			s.err = errEOF
		} else {
			s.err = &syntaxError{s.b[s.i], msg, s.i}
		}
	}
	s.i = len(s.b)
}

// typeMismatch notes a value of an unexpected type for member name and skips
// it.
func (s *scanner) typeMismatch(name string, want string) {
	got := s.kind()
	s.skip()
	if s.typeErr == nil && s.err == nil {
		s.typeErr = errors.New(name + ": want " + want + ", got " + got)
	}
}

// kind names the type of the next value, for error messages.
func (s *scanner) kind() string {
	s.ws()
	if s.i >= len(s.b) {
		return "nothing"
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	}
	return "an invalid value"
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// null consumes a null and reports whether there was one.
func (s *scanner) null() bool {
	if s.peek() != 'n' {
		return false
	}
	s.literal("null")
	return s.err == nil
}

// end checks that nothing but white space follows the document.
func (s *scanner) end() {
	if s.err == nil && s.peek() != 0 {
		s.fail("data after the JSON value")
	}
}

// obj starts reading an object. It returns false for null and, after noting
// a type error for name, for any other non-object (which it skips).
func (s *scanner) obj(name string) bool {
	switch s.peek() {
	case '{':
		if s.depth++; s.depth > maxDepth {
			s.fail("nested too deep")
			return false
		}
		s.i++
		s.last = '{'
		return true
	case 'n':
		s.null()
	default:
		s.typeMismatch(name, "an object")
	}
	return false
}

// member reads the key of the next member of the object being read, and the
// colon after it; false at the object's end (the closing brace is consumed)
// or on a syntax error. The key aliases the document and is raw: keys with
// escapes do not match the plain names callers compare them with, which
// only means such a member is skipped.
func (s *scanner) member() ([]byte, bool) {
	c := s.peek()
	switch {
	case c == '}' && (s.last == '{' || s.last == 'v'):
		s.i++
		s.depth--
		s.last = 'v'
		return nil, false
	case s.last == 'v':
		if c != ',' {
			s.fail("want , or } after an object member")
			return nil, false
		}
		s.i++
		s.last = ','
		c = s.peek()
	case s.last != '{':
		s.fail("misplaced object member")
		return nil, false
	}
	if c != '"' {
		s.fail("want a member name")
		return nil, false
	}
	key, _, ok := s.rawString()
	if !ok {
		return nil, false
	}
	if s.peek() != ':' {
		s.fail("want : after a member name")
		return nil, false
	}
	s.i++
	s.last = ':'
	return key, true
}

// arr starts reading an array, as obj does an object.
func (s *scanner) arr(name string) bool {
	switch s.peek() {
	case '[':
		if s.depth++; s.depth > maxDepth {
			s.fail("nested too deep")
			return false
		}
		s.i++
		s.last = '['
		return true
	case 'n':
		s.null()
	default:
		s.typeMismatch(name, "an array")
	}
	return false
}

// elem reports whether the array being read has another element, which the
// caller then consumes; false at its end (the bracket is consumed) or on a
// syntax error.
func (s *scanner) elem() bool {
	c := s.peek()
	switch {
	case c == ']' && (s.last == '[' || s.last == 'v'):
		s.i++
		s.depth--
		s.last = 'v'
		return false
	case s.last == 'v':
		if c != ',' {
			s.fail("want , or ] after an array element")
			return false
		}
		s.i++
		s.last = ','
		return s.err == nil
	case s.last == '[':
		return s.err == nil
	}
	s.fail("misplaced array element")
	return false
}

// rawString consumes a string and returns its bytes between the quotes,
// still escaped, and whether it holds escapes. Escapes are checked; raw
// control characters, which JSON forbids in strings, are let through (no
// provider sends them, and finding them would cost a look at every byte).
func (s *scanner) rawString() (raw []byte, escaped, ok bool) {
	s.i++ // the opening quote
	start := s.i
	for {
		rest := s.b[s.i:]
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			s.i = len(s.b)
			s.fail("")
			return nil, false, false
		}
		bs := bytes.IndexByte(rest[:q], '\\')
		if bs < 0 {
			s.i += q + 1
			s.last = 'v'
			return s.b[start : s.i-1], escaped, true
		}
		escaped = true
		s.i += bs
		if s.i+1 >= len(s.b) {
			s.i = len(s.b)
			s.fail("")
			return nil, false, false
		}
		switch s.b[s.i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			s.i += 2
		case 'u':
			if s.i+6 > len(s.b) || !isHex4(s.b[s.i+2:s.i+6]) {
				s.fail("invalid \\u escape")
				return nil, false, false
			}
			s.i += 6
		default:
			s.fail("invalid escape")
			return nil, false, false
		}
	}
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// jtext is a JSON string as it stands in the document: raw, still escaped
// when esc is set. It aliases the document.
type jtext struct {
	raw []byte
	esc bool
}

func (t jtext) empty() bool { return len(t.raw) == 0 }

// String decodes the text; only then is it copied. As with encoding/json,
// each byte that is not part of valid UTF-8 becomes U+FFFD.
func (t jtext) String() string {
	if !t.esc && utf8.Valid(t.raw) {
		return string(t.raw)
	}
	return string(unescape(nil, t.raw))
}

// equal reports whether the text is s, without allocating when it has no
// escapes.
func (t jtext) equal(s string) bool {
	if !t.esc {
		return string(t.raw) == s
	}
	return t.String() == s
}

// runes counts the characters of the decoded text, as utf8.RuneCountInString
// would count them, without decoding it when it has no escapes.
func (t jtext) runes() int {
	if !t.esc {
		return utf8.RuneCount(t.raw)
	}
	var buf [256]byte
	return utf8.RuneCount(unescape(buf[:0], t.raw))
}

// text reads a string value (null is empty) for member name.
func (s *scanner) text(name string) jtext {
	switch s.peek() {
	case '"':
		raw, esc, _ := s.rawString()
		return jtext{raw, esc}
	case 'n':
		s.null()
	default:
		s.typeMismatch(name, "a string")
	}
	return jtext{}
}

// int reads an integer value; ok is false for null or a mismatch.
func (s *scanner) int(name string) (n int64, ok bool) {
	c := s.peek()
	if c == 'n' {
		s.null()
		return 0, false
	}
	if c != '-' && (c < '0' || c > '9') {
		s.typeMismatch(name, "an integer")
		return 0, false
	}
	raw := s.number()
	if s.err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		if s.typeErr == nil {
			s.typeErr = errors.New(name + ": want an integer, got " + string(raw))
		}
		return 0, false
	}
	return n, true
}

// num reads a number value; ok is false for null or a mismatch.
func (s *scanner) num(name string) (f float64, ok bool) {
	c := s.peek()
	if c == 'n' {
		s.null()
		return 0, false
	}
	if c != '-' && (c < '0' || c > '9') {
		s.typeMismatch(name, "a number")
		return 0, false
	}
	raw := s.number()
	if s.err != nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}

// boolean reads true or false; ok is false for null or a mismatch.
func (s *scanner) boolean(name string) (v, ok bool) {
	switch s.peek() {
	case 't':
		s.literal("true")
		return true, s.err == nil
	case 'f':
		s.literal("false")
		return false, s.err == nil
	case 'n':
		s.null()
	default:
		s.typeMismatch(name, "a boolean")
	}
	return false, false
}

// number consumes a JSON number and returns its text.
func (s *scanner) number() []byte {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.i < len(s.b) && s.b[s.i] >= '1' && s.b[s.i] <= '9':
		s.digits()
	default:
		s.fail("invalid number")
		return nil
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !s.digits() {
			s.fail("invalid number")
			return nil
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			s.fail("invalid number")
			return nil
		}
	}
	s.last = 'v'
	return s.b[start:s.i]
}

func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

func (s *scanner) literal(lit string) {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		s.fail("invalid literal")
		return
	}
	s.i += len(lit)
	s.last = 'v'
}

// skip consumes one value of any type, checking its syntax.
func (s *scanner) skip() {
	switch c := s.peek(); {
	case c == '"':
		s.rawString()
	case c == '{':
		if s.obj("") {
			for _, ok := s.member(); ok; _, ok = s.member() {
				s.skip()
			}
		}
	case c == '[':
		if s.arr("") {
			for s.elem() {
				s.skip()
			}
		}
	case c == 't':
		s.literal("true")
	case c == 'f':
		s.literal("false")
	case c == 'n':
		s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		s.number()
	default:
		s.fail("want a value")
	}
}

// rawValue consumes one value and returns its text, for values kept whole
// (tool arguments given as an object, an error object).
func (s *scanner) rawValue() []byte {
	s.ws()
	start := s.i
	s.skip()
	if s.err != nil {
		return nil
	}
	return s.b[start:s.i]
}

// unescape appends the decoded form of a JSON string's bytes to dst, as
// encoding/json decodes them (a lone surrogate, and each byte of invalid
// UTF-8, becomes U+FFFD). raw has been checked by rawString.
func unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			j := i + 1
			for j < len(raw) && raw[j] != '\\' {
				j++
			}
			dst = appendValidUTF8(dst, raw[i:j])
			i = j
			continue
		}
		switch raw[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := rune(hex4(raw[i+2 : i+6]))
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if r2 := utf16.DecodeRune(r, rune(hex4(raw[i+2:i+6]))); r2 != utf8.RuneError {
						dst = utf8.AppendRune(dst, r2)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, raw[i+1])
		}
		i += 2
	}
	return dst
}

// appendValidUTF8 appends b to dst with each byte that is not part of valid
// UTF-8 replaced by U+FFFD.
func appendValidUTF8(dst, b []byte) []byte {
	if utf8.Valid(b) {
		return append(dst, b...)
	}
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, b[:size]...)
		}
		b = b[size:]
	}
	return dst
}

func hex4(b []byte) int {
	n := 0
	for _, c := range b {
		n <<= 4
		switch {
		case c <= '9':
			n |= int(c - '0')
		case c >= 'a':
			n |= int(c - 'a' + 10)
		default:
			n |= int(c - 'A' + 10)
		}
	}
	return n
}
