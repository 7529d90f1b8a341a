package llmhttp

import (
	"net/http"
	"strconv"
	"strings"
)

// Headers whose first value an end or error event records, besides every
// x-ratelimit-* and anthropic-ratelimit-* header.
var retryHeaders = map[string]string{
	"Retry-After":    KeyHTTPResponseHeaderPrefix + "retry-after",
	"Retry-After-Ms": KeyHTTPResponseHeaderPrefix + "retry-after-ms",
}

// rateLimitPrefixes start the names of the rate-limit headers recorded:
// OpenAI's (and LiteLLM's, Azure's, OpenRouter's) x-ratelimit-limit-requests,
// x-ratelimit-remaining-tokens, x-ratelimit-reset-requests, ..., and
// Anthropic's anthropic-ratelimit-requests-remaining, ...
var rateLimitPrefixes = []string{"x-ratelimit-", "anthropic-ratelimit-"}

// responseHeaders returns the rate-limit and retry headers of h, keyed as
// the events record them, or nil when there are none.
func responseHeaders(h http.Header) map[string]any {
	var m map[string]any
	for name, values := range h {
		if len(values) == 0 {
			continue
		}
		key, ok := retryHeaders[http.CanonicalHeaderKey(name)]
		if !ok {
			for _, p := range rateLimitPrefixes {
				if len(name) > len(p) && strings.EqualFold(name[:len(p)], p) {
					key, ok = KeyHTTPResponseHeaderPrefix+strings.ToLower(name), true
					break
				}
			}
		}
		if !ok {
			continue
		}
		if m == nil {
			m = make(map[string]any, 8)
		}
		m[key] = values[0]
	}
	return m
}

// headerCost reads the cost a LiteLLM proxy puts in x-litellm-response-cost
// (US dollars).
func headerCost(h http.Header) (float64, bool) {
	v := h.Get("X-Litellm-Response-Cost")
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f != f {
		return 0, false
	}
	return f, true
}
