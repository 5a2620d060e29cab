package tenant

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
)

// checkBoltFile reads a state store's pages as bbolt lays them out and refuses a file bbolt
// would crash on: bbolt asserts (panics) on corrupt pages, some of them in a goroutine of its own
// while it opens the file, where no recover can catch it, and it reads the file through mmap,
// where a page past a truncated end is a SIGBUS. A state file is outside input (a copy cut
// short, a disk that filled up), so it gets an error instead. The checks are those bbolt's own
// consistency check makes before it trusts a page: both meta pages, then from the newest valid one
// every reachable page — inside the file, named by its own id, a branch or a leaf, referenced
// once, elements inside the page, keys in order — and every bucket's value, inline or not.
func checkBoltFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := chooseMeta(data)
	if err != nil {
		return err
	}
	c := &boltChecker{data: data, pageSize: int(m.pageSize), hwm: m.hwm, seen: map[uint64]bool{}}
	if m.freelist != noFreelist {
		if err := c.freelist(m.freelist); err != nil {
			return err
		}
	}
	return c.bucket(m.root, "root")
}

// The file format's constants (go.etcd.io/bbolt, internal/common).
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	pageHeaderSize  = 16
	elementSize     = 16 // branch and leaf elements alike
	metaChecksumAt  = 56 // the checksum covers the meta's first 56 bytes
	flagBranch      = 0x01
	flagLeaf        = 0x02
	flagFreelist    = 0x10
	leafFlagBucket  = 0x01
	noFreelist      = ^uint64(0)
	maxBoltPageSize = 1 << 16
	bucketHeader    = 16 // a bucket value: root page id, sequence
)

var errCorrupt = errors.New("the state store is corrupt")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errCorrupt, fmt.Sprintf(format, args...))
}

type boltMeta struct {
	pageSize                  uint32
	root, freelist, hwm, txid uint64
	valid                     bool
}

// chooseMeta returns the meta page bbolt would use: of the two, the one with the higher
// transaction id that validates, else the other.
func chooseMeta(data []byte) (boltMeta, error) {
	le := binary.LittleEndian
	read := func(off int) boltMeta {
		if off+pageHeaderSize+metaChecksumAt+8 > len(data) {
			return boltMeta{}
		}
		b := data[off+pageHeaderSize:]
		m := boltMeta{pageSize: le.Uint32(b[8:]), root: le.Uint64(b[16:]), freelist: le.Uint64(b[32:]), hwm: le.Uint64(b[40:]), txid: le.Uint64(b[48:])}
		h := fnv.New64a()
		h.Write(b[:metaChecksumAt])
		m.valid = le.Uint32(b[0:]) == boltMagic && le.Uint32(b[4:]) == boltVersion && le.Uint64(b[metaChecksumAt:]) == h.Sum64() &&
			m.pageSize >= 512 && m.pageSize <= maxBoltPageSize && m.pageSize&(m.pageSize-1) == 0
		return m
	}
	first := read(0)
	if !first.valid {
		return boltMeta{}, corrupt("its first meta page is not valid")
	}
	second := read(int(first.pageSize))
	metas := []boltMeta{first, second}
	if second.valid && second.txid > first.txid {
		metas = []boltMeta{second, first}
	}
	for _, m := range metas {
		if !m.valid {
			continue
		}
		if m.root >= m.hwm || (m.freelist != noFreelist && m.freelist >= m.hwm) || m.hwm < 2 {
			return boltMeta{}, corrupt("its meta page names pages past its end (root %d, freelist %d, pages %d)", m.root, m.freelist, m.hwm)
		}
		// bbolt walks every page id below the high-water mark when it opens the file.
		if m.hwm > uint64(len(data)/int(m.pageSize)) {
			return boltMeta{}, corrupt("it says it has %d pages of %d bytes, but the file has %d bytes: the file is cut short", m.hwm, m.pageSize, len(data))
		}
		return m, nil
	}
	return boltMeta{}, corrupt("neither meta page is valid")
}

type boltChecker struct {
	data     []byte
	pageSize int
	hwm      uint64
	seen     map[uint64]bool
}

// page returns page id with its overflow pages, after the checks every reachable page must pass.
func (c *boltChecker) page(id uint64, want uint16) (flags uint16, count int, body []byte, err error) {
	if id < 2 || id >= c.hwm {
		return 0, 0, nil, corrupt("page %d is out of bounds (the store has %d)", id, c.hwm)
	}
	off := int(id) * c.pageSize
	if off+pageHeaderSize > len(c.data) {
		return 0, 0, nil, corrupt("page %d lies past the end of the file (%d bytes): the file is cut short", id, len(c.data))
	}
	le := binary.LittleEndian
	h := c.data[off:]
	overflow := uint64(le.Uint32(h[12:]))
	end := off + int(overflow+1)*c.pageSize
	if le.Uint64(h) != id {
		return 0, 0, nil, corrupt("page %d says it is page %d", id, le.Uint64(h))
	}
	if overflow >= c.hwm || end > len(c.data) {
		return 0, 0, nil, corrupt("page %d lies past the end of the file (%d bytes): the file is cut short", id, len(c.data))
	}
	for i := uint64(0); i <= overflow; i++ {
		if c.seen[id+i] {
			return 0, 0, nil, corrupt("page %d is referenced twice", id+i)
		}
		c.seen[id+i] = true
	}
	flags, count = le.Uint16(h[8:]), int(le.Uint16(h[10:]))
	if want != 0 && flags != want {
		return 0, 0, nil, corrupt("page %d has type %#x, want %#x", id, flags, want)
	}
	return flags, count, c.data[off:end], nil
}

func (c *boltChecker) freelist(id uint64) error {
	_, count, body, err := c.page(id, flagFreelist)
	if err != nil {
		return err
	}
	ids := body[pageHeaderSize:]
	if count == 0xFFFF { // the real count is the first id's slot
		if len(ids) < 8 {
			return corrupt("the freelist page %d is cut short", id)
		}
		count, ids = int(binary.LittleEndian.Uint64(ids)), ids[8:]
	}
	if count < 0 || count > len(ids)/8 {
		return corrupt("the freelist page %d holds more ids than fit in it", id)
	}
	for i := range count {
		if free := binary.LittleEndian.Uint64(ids[8*i:]); free < 2 || free >= c.hwm {
			return corrupt("the freelist names page %d, out of bounds", free)
		}
	}
	return nil
}

// bucket checks the tree of the bucket whose root page is root.
func (c *boltChecker) bucket(root uint64, name string) error {
	_, err := c.tree(root, nil, nil, name)
	return err
}

// tree checks the page id and what hangs below it, with every key in [min, max); it returns the
// subtree's last key.
func (c *boltChecker) tree(id uint64, min, max []byte, name string) ([]byte, error) {
	flags, count, body, err := c.page(id, 0)
	if err != nil {
		return nil, err
	}
	switch flags {
	case flagBranch:
		if count == 0 {
			return nil, corrupt("branch page %d of bucket %q is empty", id, name)
		}
		keys, children, err := branchElements(body, count)
		if err != nil {
			return nil, corrupt("page %d of bucket %q: %v", id, name, err)
		}
		last := min
		for i, k := range keys {
			if err := inOrder(last, k, max, i == 0); err != nil {
				return nil, corrupt("page %d of bucket %q: %v", id, name, err)
			}
			next := max
			if i+1 < len(keys) {
				next = keys[i+1]
			}
			if last, err = c.tree(children[i], k, next, name); err != nil {
				return nil, err
			}
		}
		return last, nil
	case flagLeaf:
		return c.leaf(body, count, min, max, fmt.Sprintf("page %d of bucket %q", id, name))
	}
	return nil, corrupt("page %d of bucket %q has type %#x, not a branch or a leaf", id, name, flags)
}

// leaf checks a leaf page's keys and the buckets its values hold; page is the page's bytes
// (an inline bucket's page is inside its parent's value).
func (c *boltChecker) leaf(page []byte, count int, min, max []byte, where string) ([]byte, error) {
	keys, values, flags, err := leafElements(page, count)
	if err != nil {
		return nil, corrupt("%s: %v", where, err)
	}
	last := min
	for i, k := range keys {
		if err := inOrder(last, k, max, i == 0); err != nil {
			return nil, corrupt("%s: %v", where, err)
		}
		last = k
		if flags[i]&leafFlagBucket == 0 {
			continue
		}
		v := values[i]
		if len(v) < bucketHeader {
			return nil, corrupt("%s: bucket %q has a value of %d bytes", where, k, len(v))
		}
		if root := binary.LittleEndian.Uint64(v); root != 0 {
			if err := c.bucket(root, string(k)); err != nil {
				return nil, err
			}
			continue
		}
		inline := v[bucketHeader:]
		if len(inline) < pageHeaderSize {
			return nil, corrupt("%s: inline bucket %q is cut short", where, k)
		}
		if fl := binary.LittleEndian.Uint16(inline[8:]); fl != flagLeaf {
			return nil, corrupt("%s: inline bucket %q has page type %#x", where, k, fl)
		}
		if _, err := c.leaf(inline, int(binary.LittleEndian.Uint16(inline[10:])), nil, nil, fmt.Sprintf("inline bucket %q", k)); err != nil {
			return nil, err
		}
	}
	return last, nil
}

// branchElements returns a branch page's keys and child page ids.
func branchElements(page []byte, count int) (keys [][]byte, children []uint64, err error) {
	if pageHeaderSize+count*elementSize > len(page) {
		return nil, nil, errors.New("more elements than fit in the page")
	}
	le := binary.LittleEndian
	for i := range count {
		at := pageHeaderSize + i*elementSize
		e := page[at:]
		pos, ksize := int(le.Uint32(e[0:])), int(le.Uint32(e[4:]))
		if pos < 0 || ksize < 0 || at+pos+ksize > len(page) || at+pos+ksize < at {
			return nil, nil, fmt.Errorf("element %d's key lies outside the page", i)
		}
		keys = append(keys, page[at+pos:at+pos+ksize])
		children = append(children, le.Uint64(e[8:]))
	}
	return keys, children, nil
}

// leafElements returns a leaf page's keys, values and element flags.
func leafElements(page []byte, count int) (keys, values [][]byte, flags []uint32, err error) {
	if pageHeaderSize+count*elementSize > len(page) {
		return nil, nil, nil, errors.New("more elements than fit in the page")
	}
	le := binary.LittleEndian
	for i := range count {
		at := pageHeaderSize + i*elementSize
		e := page[at:]
		fl, pos, ksize, vsize := le.Uint32(e[0:]), uint64(le.Uint32(e[4:])), uint64(le.Uint32(e[8:])), uint64(le.Uint32(e[12:]))
		if uint64(at)+pos+ksize+vsize > uint64(len(page)) {
			return nil, nil, nil, fmt.Errorf("element %d's key or value lies outside the page", i)
		}
		k := uint64(at) + pos
		keys = append(keys, page[k:k+ksize])
		values = append(values, page[k+ksize:k+ksize+vsize])
		flags = append(flags, fl)
	}
	return keys, values, flags, nil
}

// inOrder checks key against the previous key (or, for a page's first key, the lower bound the
// parent gave, which it may equal) and the parent's upper bound.
func inOrder(prev, key, max []byte, first bool) error {
	switch cmp := bytes.Compare(prev, key); {
	case prev != nil && first && cmp > 0, prev != nil && !first && cmp >= 0:
		return fmt.Errorf("keys out of order (%q after %q)", key, prev)
	}
	if max != nil && bytes.Compare(key, max) >= 0 {
		return fmt.Errorf("key %q is not below its parent's next key %q", key, max)
	}
	return nil
}
