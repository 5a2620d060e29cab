package dicomweb

import (
	"bytes"
	"sync"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
	"github.com/dicomreg/dicomreg/mockgraph/internal/tenant"
)

// maxParsed bounds the parsed-instance cache; past it the cache starts over.
const maxParsed = 4096

// parsedCache keeps parsed files and their metadata JSON. Stored instances are never changed in
// place (a store or delete replaces the pointer), so the pointer is the key.
type parsedCache struct {
	mu sync.Mutex
	m  map[*tenant.DicomInstance]*parsedInstance
}

type parsedInstance struct {
	file *part10.File
	err  error
	meta []byte // the instance's DICOM JSON object
}

func (c *parsedCache) get(in *tenant.DicomInstance) *parsedInstance {
	c.mu.Lock()
	p := c.m[in]
	c.mu.Unlock()
	if p != nil {
		return p
	}
	p = &parsedInstance{}
	p.file, p.err = part10.Parse(instanceBytes(in))
	if p.err == nil {
		var b bytes.Buffer
		part10.WriteJSON(&b, p.file.Elements, p.file.BigEndian)
		p.meta = b.Bytes()
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxParsed {
		c.m = map[*tenant.DicomInstance]*parsedInstance{}
	}
	c.m[in] = p
	c.mu.Unlock()
	return p
}
