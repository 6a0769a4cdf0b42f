package store

import "context"

// Locker is implemented by stores that several collector processes share (PostgreSQL): a
// mutual exclusion across all of them, for the steps of one assessment (read the history,
// check, append). A store used by one process only (SQLite) does not implement it.
type Locker interface {
	// Lock waits until this process holds the lock named key (or ctx ends) and returns the
	// function that releases it.
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// Notifier is implemented by stores that several collector processes share (PostgreSQL): a
// broadcast from one process to every process listening, for what one replica asks of
// another (a "scan now" for an agent connected elsewhere). Messages are small (under 7 KB),
// delivered to the listeners connected when they are sent, and not kept.
type Notifier interface {
	// Notify sends payload to every listener of channel.
	Notify(ctx context.Context, channel string, payload []byte) error
	// Listen delivers the messages of channel until ctx ends; the returned channel is then
	// closed. A lost database connection is re-established (messages sent meanwhile are lost).
	Listen(ctx context.Context, channel string) (<-chan []byte, error)
}
