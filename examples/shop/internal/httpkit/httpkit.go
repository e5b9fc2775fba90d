// Package httpkit is the server bootstrap every shop service shares, so that
// ports, health checks, request logs and shutdown behave the same everywhere.
package httpkit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// shutdownTimeout bounds how long in-flight requests may finish after SIGTERM;
// it stays below Docker's default 10 s stop grace period so we exit before SIGKILL.
const shutdownTimeout = 5 * time.Second

// Run serves mux (plus /healthz) until SIGTERM or SIGINT, then shuts down gracefully.
// The port comes from PORT (default 8080). HOST defaults to all interfaces, which a
// container needs for published ports to reach it; local runs set HOST=127.0.0.1.
func Run(service string, mux *http.ServeMux) error {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})

	addr := net.JoinHostPort(os.Getenv("HOST"), envOr("PORT", "8080"))
	server := &http.Server{
		Addr:              addr,
		Handler:           logRequests(service, mux),
		ReadHeaderTimeout: 5 * time.Second,
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	served := make(chan error, 1)
	go func() { served <- server.ListenAndServe() }()
	fmt.Printf("%s: listening on %s\n", service, addr)

	select {
	case err := <-served:
		// The listener failed (port taken, bad address) before any signal came.
		return err
	case <-ctx.Done():
	}

	fmt.Printf("%s: shutting down\n", service)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Main runs the service and exits non-zero on failure; it keeps each main.go short.
func Main(service string, mux *http.ServeMux) {
	if err := Run(service, mux); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", service, err)
		os.Exit(1)
	}
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
