// Package loadtest holds the end-to-end load benchmark of the bot
// (BenchmarkThroughput): updates pushed through the fake Bot API, fetched
// by getUpdates, stored, handled and answered, compared with a bare
// go-telegram/bot program on the same kind of fake server in the same run.
//
//	go test -run '^$' -bench BenchmarkThroughput -benchtime 1x -timeout 30m ./internal/loadtest/
package loadtest
