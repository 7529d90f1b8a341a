package natssink

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks"
)

// The errors a Write reports, alone or for single events inside a
// *sinks.BatchError. ErrSubjectNotBound and ErrTooLarge are wrapped with
// sinks.Permanent: the event is dropped and counted, not retried. The host
// retries the others.
var (
	// ErrConnect: no server could be reached, or the server refused the
	// connection (authentication, TLS).
	ErrConnect = errors.New("natssink: cannot connect")
	// ErrStreamNotFound: the stream does not exist and CreateStream is not
	// set. It is retried, so that events wait in the host's buffer (behind
	// its breaker) until the stream is created.
	ErrStreamNotFound = errors.New("natssink: stream not found")
	// ErrSubjectNotBound: the event's subject is not one of the stream's
	// subjects, so the stream would not store it. The event is not
	// published. Permanent.
	ErrSubjectNotBound = errors.New("natssink: subject not bound by the stream")
	// ErrTooLarge: the message is over the server's max_payload (not
	// published) or the stream's max_msg_size (refused). Permanent.
	ErrTooLarge = errors.New("natssink: message too large")
	// ErrNoResponse: nothing answered for the stream: it has no leader for
	// the moment (a cluster electing one), or JetStream is unavailable.
	ErrNoResponse = errors.New("natssink: no response from the stream")
	// ErrNotAcked: the stream had not acknowledged the message when the
	// Write's context ended. It may still be stored, so a
	// retry can send it twice; the stream drops the second copy within its
	// duplicate window (the Nats-Msg-Id header is the event_id).
	ErrNotAcked = errors.New("natssink: message not acknowledged in time")
	// ErrConnectionLost: the connection broke (or was found stale) before
	// the message was acknowledged; the client reconnects, to another
	// server if need be.
	ErrConnectionLost = errors.New("natssink: connection lost")
	// ErrRejected: the stream refused the message for a reason other than
	// its size (out of storage, a full stream that discards new messages).
	ErrRejected = errors.New("natssink: message rejected by the stream")
)

// classify turns an error of nats.go about one publish into the sink's
// error for that event.
func classify(err error) error {
	var apiErr *jetstream.APIError
	switch {
	case errors.Is(err, nats.ErrMaxPayload):
		return sinks.Permanent(fmt.Errorf("%w: over the server's max_payload: %w", ErrTooLarge, err))
	case errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamMessageExceedsMaximum:
		return sinks.Permanent(fmt.Errorf("%w: over the stream's max_msg_size: %w", ErrTooLarge, err))
	case errors.As(err, &apiErr):
		return fmt.Errorf("%w: %w", ErrRejected, err)
	case errors.Is(err, jetstream.ErrNoStreamResponse), errors.Is(err, nats.ErrNoResponders):
		return fmt.Errorf("%w: %w", ErrNoResponse, err)
	case errors.Is(err, jetstream.ErrAsyncPublishTimeout), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return fmt.Errorf("%w: %w", ErrNotAcked, err)
	}
	// Disconnected, reconnecting (the client buffers nothing meanwhile),
	// closed, stalled, or the publisher cleaned up after a timeout.
	return fmt.Errorf("%w: %w", ErrConnectionLost, err)
}
