// Package peers compares the spool's append throughput with the libraries
// the spool could have been built on, under the same workload and fsync
// policies: tidwall/wal (a segmented append-only log), bbolt (a B+tree
// store with transactions) and pebble (an LSM store with its own WAL). It is
// a module of its own so that their dependencies never reach the library's
// go.mod. Run it with
//
//	cd internal/spool/peers && go test -run '^$' -bench . -benchtime 100000x
package peers
