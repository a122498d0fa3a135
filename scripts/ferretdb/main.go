// Command ferretdb runs FerretDB v1 (MongoDB wire protocol over an SQLite directory). It exists
// for tests, the local stack and the local cluster's database image: `go install` of FerretDB
// itself panics at start because build/version/version.txt is not part of the module, while
// the embeddable package does not need it. It listens on loopback only unless
// --allow-non-loopback is given (the image does: inside a pod it must answer on the pod's
// address).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

const ferretModule = "github.com/FerretDB/FerretDB"

func moduleVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == ferretModule {
			return dep.Version
		}
	}
	return "unknown"
}

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port); loopback unless --allow-non-loopback")
	allowNonLoopback := flag.Bool("allow-non-loopback", false, "accept a --listen-addr that is not a loopback address (e.g. 0.0.0.0:27017 inside a container)")
	dataDir := flag.String("data-dir", "", "directory holding the SQLite databases (required)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	showVersion := flag.Bool("version", false, "print the FerretDB version and exit")
	flag.Parse()

	if *showVersion {
		fmt.Printf("ferretdb %s (sqlite backend)\n", moduleVersion())
		return
	}
	if err := run(*listen, *allowNonLoopback, *dataDir, *logLevel, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}

func run(listen string, allowNonLoopback bool, dataDir, logLevel string, out io.Writer) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen-addr %q: %w", listen, err)
	}
	if ip := net.ParseIP(host); !allowNonLoopback && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--listen-addr %q: only loopback addresses are allowed (pass --allow-non-loopback to listen elsewhere)", listen)
	}
	if dataDir == "" {
		return errors.New("--data-dir is required")
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return fmt.Errorf("--data-dir %q: %w", dataDir, err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return fmt.Errorf("--data-dir %q: %w", dataDir, err)
	}
	// SQLite would only fail at the first write; a data dir on a read-only or foreign-owned
	// volume is reported at start instead.
	probe, err := os.CreateTemp(abs, ".write-check-*")
	if err != nil {
		return fmt.Errorf("--data-dir %q is not writable: %w", dataDir, err)
	}
	probe.Close()
	os.Remove(probe.Name())

	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: %w", logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	listener, err := listenerConfig(listen)
	if err != nil {
		return err
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  listener,
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// MongoDBURI blocks until the listener is bound, so the line below is the readiness signal
	// that the test harness waits for.
	fmt.Fprintf(out, "ferretdb ready uri=%s\n", f.MongoDBURI())

	return <-done
}
