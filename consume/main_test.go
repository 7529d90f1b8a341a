package consume_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
)

func TestMain(m *testing.M) {
	// The unreachable-server cases would print go-redis's own "failed to
	// dial" lines to standard error, which read like failures in the test
	// output; the tests check the errors the consumer returns instead.
	redissink.SetClientLogger(nil)
	goleak.VerifyTestMain(m)
}
