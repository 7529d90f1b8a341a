package events

// SchemaVersion is the version of the wire format this package writes.
const SchemaVersion = "1"

// Unsupported starts the placeholder string that replaces a value JSON cannot
// carry, for example "!unsupported:NaN" or "!unsupported:chan int".
const Unsupported = "!unsupported:"

// Marshal returns the wire-format encoding of ev, as [AppendJSON] appends it,
// in a new buffer.
func Marshal(ev *Event) []byte {
	return AppendJSON(make([]byte, 0, 512), ev)
}

// MarshalJSON implements json.Marshaler with the wire format, so an Event
// inside a value given to encoding/json is encoded as [AppendJSON] encodes it.
// (encoding/json then escapes <, > and & in the result unless the encoder's
// SetEscapeHTML(false) was called; both forms decode to the same event.)
func (ev Event) MarshalJSON() ([]byte, error) {
	return Marshal(&ev), nil
}

// UnmarshalJSON implements json.Unmarshaler with [Unmarshal]. As encoding/json
// expects, the literal null leaves ev unchanged.
func (ev *Event) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	decoded, err := Unmarshal(data)
	if err != nil {
		return err
	}
	*ev = decoded
	return nil
}
