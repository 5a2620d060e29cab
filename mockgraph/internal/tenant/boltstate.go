package tenant

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The state store is one bbolt file: a bucket per kind of record, keyed as the directory keys
// them, so an Update writes only the records it touched, in one transaction that is on disk
// (fdatasync) when it commits. DICOM Part 10 bytes are blobs in their own bucket beside the
// instances' metadata. Measured against SQLite through modernc.org/sqlite: see the commit that
// brought this file.
const (
	storeVersion    = 2
	bucketMeta      = "meta"
	bucketDicomData = "dicomData"
	metaVersion     = "version"
	metaTenantID    = "tenantId"
	metaOrg         = "organization"
	metaSeeded      = "seeded"
	// openTimeout bounds the wait for another process's lock on the file.
	openTimeout = time.Second
)

var tableBuckets = []string{bucketApplications, bucketSPs, bucketUsers, bucketGrants, bucketAppRoleAssign,
	bucketRoleAssign, bucketSubscriptions, bucketDicomServices, bucketInstances}

type boltState struct{ db *bolt.DB }

func openBolt(path string) (*boltState, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: openTimeout, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, errors.New("another process holds the state store open")
	}
	if err != nil {
		return nil, err
	}
	return &boltState{db: db}, nil
}

func (b *boltState) close() error { return b.db.Close() }

// commit writes the changed records as the directory now holds them.
func (b *boltState) commit(d *Directory, changed []record) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		for _, r := range changed {
			if err := writeRecord(tx, d, r); err != nil {
				return fmt.Errorf("%s: %w", r.bucket, err)
			}
		}
		return nil
	})
}

// replace writes the whole directory in place of what the file holds.
func (b *boltState) replace(d *Directory) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		var names [][]byte
		if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			names = append(names, bytes.Clone(name))
			return nil
		}); err != nil {
			return err
		}
		for _, n := range names {
			if err := tx.DeleteBucket(n); err != nil {
				return err
			}
		}
		meta, err := tx.CreateBucket([]byte(bucketMeta))
		if err != nil {
			return err
		}
		for k, v := range map[string]any{metaVersion: storeVersion, metaTenantID: d.TenantID, metaOrg: d.Organization, metaSeeded: d.Seeded} {
			js, err := json.Marshal(v)
			if err != nil {
				return err
			}
			if err := meta.Put([]byte(k), js); err != nil {
				return err
			}
		}
		var all []record
		addRows(&all, &d.apps)
		addRows(&all, &d.sps)
		addRows(&all, &d.users)
		addRows(&all, &d.grants)
		addRows(&all, &d.appRoleAssign)
		addRows(&all, &d.roleAssign)
		addRows(&all, &d.subscriptions)
		addRows(&all, &d.dicomServices)
		addRows(&all, &d.instances)
		for k := range d.firstParty {
			all = append(all, record{bucketFirstParty, k})
		}
		for k := range d.secretHashes {
			all = append(all, record{bucketSecretHashes, k})
		}
		for k := range d.userPassword {
			all = append(all, record{bucketUserPasswords, k})
		}
		for k := range d.federated {
			all = append(all, record{bucketFederated, k})
		}
		for _, e := range d.changeFeed {
			all = append(all, record{bucketChangeFeed, changeKey(e.Sequence)})
		}
		for _, r := range all {
			if err := writeRecord(tx, d, r); err != nil {
				return fmt.Errorf("%s: %w", r.bucket, err)
			}
		}
		return nil
	})
}

func addRows[T any](out *[]record, t *table[T]) {
	for id := range t.eachRow() {
		*out = append(*out, record{t.bucket, id})
	}
}

// writeRecord puts the directory's current value of r into its bucket, or deletes it there.
func writeRecord(tx *bolt.Tx, d *Directory, r record) error {
	bk, err := tx.CreateBucketIfNotExists([]byte(r.bucket))
	if err != nil {
		return err
	}
	var v []byte
	switch r.bucket {
	case bucketApplications:
		v, err = rowValue(&d.apps, r.key)
	case bucketSPs:
		v, err = rowValue(&d.sps, r.key)
	case bucketUsers:
		v, err = rowValue(&d.users, r.key)
	case bucketGrants:
		v, err = rowValue(&d.grants, r.key)
	case bucketAppRoleAssign:
		v, err = rowValue(&d.appRoleAssign, r.key)
	case bucketRoleAssign:
		v, err = rowValue(&d.roleAssign, r.key)
	case bucketSubscriptions:
		v, err = rowValue(&d.subscriptions, r.key)
	case bucketDicomServices:
		v, err = rowValue(&d.dicomServices, r.key)
	case bucketInstances:
		return writeInstance(tx, bk, d, r.key)
	case bucketFirstParty:
		if c, ok := d.firstParty[r.key]; ok {
			v, err = json.Marshal(c)
		}
	case bucketSecretHashes:
		v = d.secretHashes[r.key]
	case bucketUserPasswords:
		v = d.userPassword[r.key]
	case bucketFederated:
		if creds, ok := d.federated[r.key]; ok {
			v, err = json.Marshal(creds)
		}
	case bucketChangeFeed:
		if seq := int64(binary.BigEndian.Uint64([]byte(r.key))); seq >= 1 && seq <= int64(len(d.changeFeed)) {
			v, err = json.Marshal(d.changeFeed[seq-1])
		}
	default:
		return fmt.Errorf("no such bucket %q", r.bucket)
	}
	if err != nil {
		return err
	}
	if v == nil {
		return bk.Delete([]byte(r.key))
	}
	return bk.Put([]byte(r.key), v)
}

// rowValue is a table row as stored: its seq (big-endian), then its JSON; nil if absent.
func rowValue[T any](t *table[T], id string) ([]byte, error) {
	r, ok := t.rows[id]
	if !ok {
		return nil, nil
	}
	js, err := json.Marshal(r.v)
	if err != nil {
		return nil, err
	}
	return append(binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(js)), r.seq), js...), nil
}

// writeInstance stores an instance's metadata in its bucket and its Part 10 bytes as a blob
// under the same key in the data bucket.
func writeInstance(tx *bolt.Tx, bk *bolt.Bucket, d *Directory, k string) error {
	data, err := tx.CreateBucketIfNotExists([]byte(bucketDicomData))
	if err != nil {
		return err
	}
	r, ok := d.instances.rows[k]
	if !ok {
		return errors.Join(bk.Delete([]byte(k)), data.Delete([]byte(k)))
	}
	meta := *r.v
	meta.Data = nil
	js, err := json.Marshal(&meta)
	if err != nil {
		return err
	}
	if err := bk.Put([]byte(k), append(binary.BigEndian.AppendUint64(nil, r.seq), js...)); err != nil {
		return err
	}
	return data.Put([]byte(k), r.v.Data)
}

// load reads the whole store into a directory, with the same checks as a JSON state file, and
// keeps every row's seq so later writes keep the order.
func (b *boltState) load() (*Directory, error) {
	var s snapshot
	seqs := map[string]map[string]uint64{}
	err := b.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte(bucketMeta))
		if meta == nil {
			return errors.New("state store has no meta bucket")
		}
		var version int
		for k, dst := range map[string]any{metaVersion: &version, metaTenantID: &s.TenantID, metaOrg: &s.Organization, metaSeeded: &s.Seeded} {
			if err := json.Unmarshal(meta.Get([]byte(k)), dst); err != nil {
				return fmt.Errorf("state store meta %s: %w", k, err)
			}
		}
		if version != storeVersion {
			return fmt.Errorf("state store has version %d, this mock reads version %d", version, storeVersion)
		}
		var err error
		load := func(bucket string, add func(js []byte) error) {
			if err == nil {
				err = loadRows(tx, bucket, seqs, add)
			}
		}
		load(bucketApplications, appendJSON(&s.Applications))
		load(bucketSPs, appendJSON(&s.ServicePrincipals))
		load(bucketUsers, appendJSON(&s.Users))
		load(bucketGrants, appendJSON(&s.Grants))
		load(bucketAppRoleAssign, appendJSON(&s.AppRoleAssignments))
		load(bucketRoleAssign, appendJSON(&s.RoleAssignments))
		load(bucketSubscriptions, appendJSON(&s.Subscriptions))
		load(bucketDicomServices, appendJSON(&s.DicomServices))
		load(bucketInstances, appendJSON(&s.DicomInstances))
		if err != nil {
			return err
		}
		if data := tx.Bucket([]byte(bucketDicomData)); data != nil {
			for _, in := range s.DicomInstances {
				in.Data = bytes.Clone(data.Get([]byte(instanceKey(in.Service, in.SOPInstanceUID))))
			}
		}
		s.SecretHashes, s.UserPasswords, s.Federated = map[string][]byte{}, map[string][]byte{}, map[string][]FederatedIdentityCredential{}
		return errors.Join(
			eachValue(tx, bucketSecretHashes, func(k, v []byte) error { s.SecretHashes[string(k)] = bytes.Clone(v); return nil }),
			eachValue(tx, bucketUserPasswords, func(k, v []byte) error { s.UserPasswords[string(k)] = bytes.Clone(v); return nil }),
			eachValue(tx, bucketFederated, func(k, v []byte) error {
				var creds []FederatedIdentityCredential
				err := json.Unmarshal(v, &creds)
				s.Federated[string(k)] = creds
				return err
			}),
			eachValue(tx, bucketFirstParty, func(_, v []byte) error {
				var c FirstPartyClient
				err := json.Unmarshal(v, &c)
				s.FirstPartyClients = append(s.FirstPartyClients, c)
				return err
			}),
			eachValue(tx, bucketChangeFeed, func(_, v []byte) error {
				var e ChangeFeedEntry
				err := json.Unmarshal(v, &e)
				s.ChangeFeed = append(s.ChangeFeed, e)
				return err
			}),
		)
	})
	if err != nil {
		return nil, err
	}
	d, err := s.directory()
	if err != nil {
		return nil, err
	}
	adoptSeqs(&d.apps, seqs[bucketApplications])
	adoptSeqs(&d.sps, seqs[bucketSPs])
	adoptSeqs(&d.users, seqs[bucketUsers])
	adoptSeqs(&d.grants, seqs[bucketGrants])
	adoptSeqs(&d.appRoleAssign, seqs[bucketAppRoleAssign])
	adoptSeqs(&d.roleAssign, seqs[bucketRoleAssign])
	adoptSeqs(&d.subscriptions, seqs[bucketSubscriptions])
	adoptSeqs(&d.dicomServices, seqs[bucketDicomServices])
	adoptSeqs(&d.instances, seqs[bucketInstances])
	return d, nil
}

func appendJSON[T any](out *[]*T) func([]byte) error {
	return func(js []byte) error {
		v := new(T)
		if err := json.Unmarshal(js, v); err != nil {
			return err
		}
		*out = append(*out, v)
		return nil
	}
}

// loadRows reads a table's rows in seq order, checking each is stored under the key its object
// gets in the directory (checked after the build: a mismatch shows as a missing row).
func loadRows(tx *bolt.Tx, bucket string, seqs map[string]map[string]uint64, add func([]byte) error) error {
	type stored struct {
		key string
		seq uint64
		js  []byte
	}
	var rows []stored
	if err := eachValue(tx, bucket, func(k, v []byte) error {
		if len(v) < 8 {
			return fmt.Errorf("state store %s/%q: record too short", bucket, k)
		}
		rows = append(rows, stored{string(k), binary.BigEndian.Uint64(v), v[8:]})
		return nil
	}); err != nil {
		return err
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].seq < rows[j].seq })
	m := make(map[string]uint64, len(rows))
	for _, r := range rows {
		if err := add(r.js); err != nil {
			return fmt.Errorf("state store %s/%q: %w", bucket, r.key, err)
		}
		m[r.key] = r.seq
	}
	seqs[bucket] = m
	return nil
}

func eachValue(tx *bolt.Tx, bucket string, fn func(k, v []byte) error) error {
	bk := tx.Bucket([]byte(bucket))
	if bk == nil {
		return nil
	}
	return bk.ForEach(fn)
}

// adoptSeqs gives the loaded rows the seqs they have on disk, so new rows sort after them.
func adoptSeqs[T any](t *table[T], seqs map[string]uint64) {
	for id, r := range t.rows {
		if s, ok := seqs[id]; ok {
			r.seq = s
			t.rows[id] = r
			t.next = max(t.next, s+1)
		}
	}
}

// OpenStore returns a store backed by the state store at path. An existing store is loaded
// (one that cannot be read or fails the checks is an error naming the problem, never a silent
// reset); a state file of the older one-JSON-file format is imported; a missing one is created
// from seed(). Temporary files an interrupted save of the old format left are removed.
func OpenStore(path string, seed func() (*Directory, error)) (*Store, error) {
	fail := func(err error) (*Store, error) { return nil, fmt.Errorf("state file %s: %w", path, err) }
	removeStaleTemps(path)
	head, err := readHead(path)
	var d *Directory
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if d, err = seed(); err != nil {
			return nil, err
		}
		if err := writeNew(path, d); err != nil {
			return fail(err)
		}
	case err != nil:
		return fail(err)
	case bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("{")):
		data, err := os.ReadFile(path)
		if err != nil {
			return fail(err)
		}
		if d, err = UnmarshalState(data); err != nil {
			return fail(err)
		}
		if err := writeNew(path, d); err != nil {
			return fail(fmt.Errorf("importing the JSON state: %w", err))
		}
	}
	if d == nil {
		if err := checkBoltFile(path); err != nil {
			return fail(err)
		}
	}
	b, err := openBolt(path)
	if err != nil {
		return fail(err)
	}
	if d == nil {
		if d, err = b.load(); err != nil {
			b.close()
			return fail(err)
		}
	}
	return &Store{dir: d, state: b}, nil
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 64)
	n, err := f.Read(head)
	if n == 0 && err != nil {
		return nil, errors.New("state file is empty")
	}
	return head[:n], nil
}

// writeNew writes d as a new state store beside path and renames it over path, so a crash
// leaves either the old file or the new one.
func writeNew(path string, d *Directory) error {
	tmp := tempName(path) + "import"
	os.Remove(tmp)
	b, err := openBolt(tmp)
	if err != nil {
		return err
	}
	err = b.replace(d)
	if cerr := b.close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	if dh, err := os.Open(filepath.Dir(path)); err == nil {
		_ = dh.Sync()
		dh.Close()
	}
	return nil
}

func tempName(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
}

// removeStaleTemps deletes the temporary files a killed save or import left beside path.
func removeStaleTemps(path string) {
	stale, _ := filepath.Glob(tempName(path) + "*")
	for _, f := range stale {
		os.Remove(f)
	}
}
