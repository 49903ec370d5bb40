package text

import "io"

// ErrWriter writes to W and keeps the first error, after which it writes
// nothing: a renderer that prints many lines checks Err once instead of
// after every print.
type ErrWriter struct {
	W   io.Writer
	Err error
}

func (e *ErrWriter) Write(p []byte) (int, error) {
	if e.Err != nil {
		return 0, e.Err
	}
	n, err := e.W.Write(p)
	e.Err = err
	return n, err
}
