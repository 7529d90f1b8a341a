package redissink

import (
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
)

// transientReplies are the error codes with which Redis refuses a command for
// a while but accepts it again later: it is loading its data set, busy with a
// script, failing over, resharding, out of memory until consumers trim or
// evict, or refusing writes because its last snapshot failed.
var transientReplies = []string{
	"LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY",
	"NOREPLICAS", "MOVED", "ASK", "OOM", "MISCONF",
}

// classify reports whether retrying the command that failed with err can
// succeed.
//
// Anything that is not an error reply from Redis (connection refused or reset,
// EOF, timeouts, an exhausted pool, a cancelled context) happened on the way
// and is retryable. An error reply is retryable only for the transient codes
// above and "ERR max number of clients reached"; every other reply (WRONGTYPE,
// NOPERM, NOAUTH, WRONGPASS, an argument that is too large, an unknown
// command) is the server's considered answer to this very command, and
// repeating it cannot change that. A client closed under the sink (one the
// caller owns) cannot recover either.
func classify(err error) (retryable bool) {
	var reply redis.Error
	if errors.As(err, &reply) {
		return retryableReply(reply.Error())
	}
	return !errors.Is(err, redis.ErrClosed)
}

func retryableReply(msg string) bool {
	if strings.HasPrefix(msg, "ERR max number of clients reached") {
		return true
	}
	code, _, _ := strings.Cut(msg, " ")
	for _, t := range transientReplies {
		if code == t {
			return true
		}
	}
	return false
}
