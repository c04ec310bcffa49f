package serve

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/pkg/errors"
)

// Serve serves the server's Handler on ln until ctx is cancelled, then
// shuts down gracefully: /readyz answers 503, for Options.DrainDelay the
// server goes on serving, then it stops accepting connections and waits up
// to Options.ShutdownTimeout for the requests in flight to be answered. It
// closes ln and returns nil after a clean shutdown.
//
// The http.Server it runs waits at most 5s for a request's headers, bounds
// reading the rest of the request and writing the answer by
// Options.RequestTimeout plus 5s each, and closes connections idle for 2
// minutes. Requests in flight are not cancelled by ctx.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	errLog := s.opt.ErrorLog
	if errLog == nil {
		errLog = log.New(io.Discard, "", 0)
	}
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       s.opt.RequestTimeout + 5*time.Second,
		WriteTimeout:      s.opt.RequestTimeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          errLog,
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return errors.Wrapf(err, "serve on %s", ln.Addr())
	case <-ctx.Done():
	}
	s.SetReady(false)
	if s.opt.DrainDelay > 0 {
		t := time.NewTimer(s.opt.DrainDelay)
		select {
		case <-t.C:
		case err := <-served:
			t.Stop()
			return errors.Wrapf(err, "serve on %s", ln.Addr())
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.opt.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	<-served // http.ErrServerClosed
	if err != nil {
		_ = hs.Close()
		return errors.Wrapf(err, "shut down: requests still in flight after %v were cut off", s.opt.ShutdownTimeout)
	}
	return nil
}
