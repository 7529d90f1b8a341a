package servicetest

import (
	"math/rand/v2"
	"strings"
)

func randIntn(n int) int { return rand.IntN(n) }

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
}
