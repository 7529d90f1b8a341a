package events

import "math/rand/v2"

// IDLength is the length of the identifiers [NewID] makes.
const IDLength = 12

// idAlphabet is the URL-safe alphabet of the Python streamll's nanoid ids.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// NewID returns a random 12-character URL-safe identifier carrying 72 random
// bits. It is safe for concurrent use and does not lock: the bits come from
// the runtime's per-thread ChaCha8 generator, seeded by the operating system.
func NewID() string {
	var b [IDLength]byte
	PutID(&b)
	return string(b[:])
}

// PutID fills b with a new identifier, as [NewID] does, without allocating.
func PutID(b *[IDLength]byte) {
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := range 10 {
		b[i] = idAlphabet[hi&63]
		hi >>= 6
	}
	b[10] = idAlphabet[lo&63]
	b[11] = idAlphabet[(lo>>6)&63]
}
