package server

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
)

// pipeListener is a net.Listener in memory: each Dial makes a net.Pipe and
// hands the server's end to Accept. Inside a testing/synctest bubble every
// accept, read and write on it is durably blocking, so a server and its
// clients run on the bubble's fake clock: timeouts, drain deadlines and
// reload intervals pass at once and exactly, whatever the machine's load.
// (A real socket is not durably blocking, so it would stop the clock.)
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

// Accept implements net.Listener.
func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener; later dials are refused.
func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

// Addr implements net.Listener.
func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// DialContext connects to the listener, as http.Transport.DialContext.
func (l *pipeListener) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
	case <-ctx.Done():
	}
	client.Close()
	server.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, &net.OpError{Op: "dial", Net: "pipe", Err: syscall.ECONNREFUSED}
}

// Client returns an HTTP client that dials the listener.
func (l *pipeListener) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: l.DialContext}}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// startInMemory is start on a pipeListener: e.do and e.client reach the
// server through memory, so a test can run the server inside a synctest
// bubble (build the testEnv inside it too, with skipServer).
func (e *testEnv) startInMemory(cfg Config) {
	e.t.Helper()
	cfg.Store = e.store
	if cfg.LogOutput == nil {
		cfg.LogOutput = e.logs
	}
	srv, err := New(context.Background(), cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv = srv
	l := newPipeListener()
	e.ts = &httptest.Server{Listener: l, Config: &http.Server{Handler: srv.Handler()}}
	e.ts.Start()
	e.ts.Client().Transport.(*http.Transport).DialContext = l.DialContext
	e.t.Cleanup(func() {
		e.ts.Close()
		srv.Close()
	})
}
