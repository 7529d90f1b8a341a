package rabbitmqsink

import "errors"

// The errors a Write reports for undelivered events, alone or inside a
// *sinks.BatchError. All but ErrReturned are retried by the host.
var (
	// ErrBlocked: the broker blocked the connection (connection.blocked, a
	// memory or disk alarm); the events were not published and stay with the
	// host until the alarm clears.
	ErrBlocked = errors.New("rabbitmqsink: connection blocked by the broker (resource alarm)")
	// ErrNacked: the broker refused the message (basic.nack).
	ErrNacked = errors.New("rabbitmqsink: message nacked by the broker")
	// ErrUnconfirmed: the broker had not confirmed the message when the
	// Write's context ended. It may still arrive, so a
	// retry can duplicate it.
	ErrUnconfirmed = errors.New("rabbitmqsink: message not confirmed in time")
	// ErrConnectionLost: the connection or channel closed before the message
	// was confirmed; the next Write reconnects.
	ErrConnectionLost = errors.New("rabbitmqsink: connection lost")
	// ErrReturned: with Config.Mandatory, the broker returned the message
	// because no queue was bound to receive it. It is wrapped with
	// sinks.Permanent: the event is dropped and counted, not retried.
	ErrReturned = errors.New("rabbitmqsink: message returned unroutable")
)
