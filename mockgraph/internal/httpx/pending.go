package httpx

import (
	"bytes"
	"maps"
	"net/http"
)

// Pending is an answer composed inside a store transaction and sent only once the transaction
// is durable: a write is never acknowledged before it is on disk, and a failed one is answered
// as the service answers its own internal failures.
type Pending struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// NewPending returns an empty pending answer.
func NewPending() *Pending { return &Pending{header: http.Header{}} }

func (p *Pending) Header() http.Header { return p.header }

func (p *Pending) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}

func (p *Pending) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return p.body.Write(b)
}

// Send writes the answer to w.
func (p *Pending) Send(w http.ResponseWriter) {
	maps.Copy(w.Header(), p.header)
	if p.status != 0 {
		w.WriteHeader(p.status)
	}
	_, _ = w.Write(p.body.Bytes())
}
