// Package dicomload drives a DICOMweb server (the mock, or a peer such as Orthanc) with the same
// requests and the same files, for `make bench-dicom-peer`: it stores a fixed set of small
// instances, then runs each operation — search at each level, metadata, instance, frames,
// rendered, STOW — with concurrent clients for a bounded time, and prints one line per operation.
package dicomload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/dicomreg/dicomreg/mockgraph/internal/dicomweb/part10"
	"github.com/dicomreg/dicomreg/mockgraph/internal/loadgen"
)

// Options of one run.
type Options struct {
	Base      string // DICOMweb root, e.g. https://127.0.0.1:8443/dicom/ws-svc/v2 or http://127.0.0.1:8042/dicom-web
	Token     string // bearer token; none when empty
	CAFile    string
	Clients   int
	Duration  time.Duration
	Instances int
	Ops       []string
	Prefix    string // UID root of the seeded files (unique per run)
}

// Operations, in the order they run.
var allOps = []string{"search-studies", "search-series", "search-instances", "metadata", "instance", "frames", "rendered", "stow"}

// Main parses flags and runs; exit status 1 on an unexpected answer.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o Options
	fs := pflag.NewFlagSet("dicomload", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Base, "base", "", "DICOMweb root URL (loopback only)")
	fs.StringVar(&o.CAFile, "ca-file", "", "CA certificate of an HTTPS server")
	fs.IntVar(&o.Clients, "clients", 16, "concurrent clients")
	fs.DurationVar(&o.Duration, "duration", 5*time.Second, "time per operation")
	fs.IntVar(&o.Instances, "instances", 10, "instances stored before the reads")
	fs.StringSliceVar(&o.Ops, "ops", allOps, "operations to run")
	fs.StringVar(&o.Prefix, "prefix", fmt.Sprintf("2.25.%d", time.Now().UnixNano()/1000), "UID root of the files")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o.Token = os.Getenv("DICOMLOAD_TOKEN") // not a flag: a token stays out of the process list
	if err := Run(ctx, o, stdout); err != nil {
		fmt.Fprintln(stderr, "dicomload:", err)
		return 1
	}
	return 0
}

type target struct {
	o      Options
	client *http.Client
	files  []ids
	stowN  atomic.Int64
}

type ids struct{ study, series, sop string }

func (t *target) path(i int) string {
	f := t.files[i%len(t.files)]
	return "/studies/" + f.study + "/series/" + f.series + "/instances/" + f.sop
}

// request is one operation's n-th request.
func (t *target) request(op string, n int) (method, path, accept string, body []byte, contentType string) {
	f := t.files[n%len(t.files)]
	switch op {
	case "search-studies":
		return http.MethodGet, "/studies?PatientID=BENCH", "application/dicom+json", nil, ""
	case "search-series":
		return http.MethodGet, "/studies/" + f.study + "/series", "application/dicom+json", nil, ""
	case "search-instances":
		return http.MethodGet, "/studies/" + f.study + "/series/" + f.series + "/instances", "application/dicom+json", nil, ""
	case "metadata":
		return http.MethodGet, "/studies/" + f.study + "/metadata", "application/dicom+json", nil, ""
	case "instance":
		return http.MethodGet, t.path(n), `multipart/related; type="application/dicom"`, nil, ""
	case "frames":
		return http.MethodGet, t.path(n) + "/frames/1", `multipart/related; type="application/octet-stream"`, nil, ""
	case "rendered":
		return http.MethodGet, t.path(n) + "/rendered", "image/jpeg", nil, ""
	}
	k := t.stowN.Add(1)
	uid := fmt.Sprintf("%s.9.%d", t.o.Prefix, k)
	ct, b := multipartOf(build(ids{uid, uid + ".1", uid + ".1.1"}))
	return http.MethodPost, "/studies", "application/dicom+json", b, ct
}

// build is one bench file: a 64×64 16-bit MONOCHROME2 image with a window, explicit VR LE.
func build(id ids) []byte {
	px := make([]byte, 64*64*2)
	for i := range px {
		px[i] = byte(i * 13)
	}
	return part10.Build(part10.Instance{StudyInstanceUID: id.study, SeriesInstanceUID: id.series, SOPInstanceUID: id.sop,
		PatientID: "BENCH", PatientName: "Bench^Load", StudyDate: "20260101", Modality: "OT",
		Rows: 64, Columns: 64, BitsAllocated: 16, Pixels: px, WindowCenter: "32768", WindowWidth: "65536"})
}

func multipartOf(file []byte) (string, []byte) {
	var b bytes.Buffer
	b.WriteString("--BENCHBOUNDARY\r\nContent-Type: application/dicom\r\n\r\n")
	b.Write(file)
	b.WriteString("\r\n--BENCHBOUNDARY--\r\n")
	return `multipart/related; type="application/dicom"; boundary=BENCHBOUNDARY`, b.Bytes()
}

func (t *target) do(ctx context.Context, method, path, accept string, body []byte, ct string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, t.o.Base+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", accept)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if t.o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+t.o.Token)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Run seeds the instances, checks each operation once, then measures each in turn.
func Run(ctx context.Context, o Options, out io.Writer) error {
	u, err := url.Parse(o.Base)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("--base %q is not a URL", o.Base)
	}
	if err := loadgen.LoopbackOnly(o.Base); err != nil {
		return err
	}
	if o.Clients < 1 || o.Duration <= 0 || o.Instances < 1 {
		return errors.New("clients, duration and instances must be positive")
	}
	client, err := loadgen.HTTPClient(o.CAFile, o.Clients)
	if err != nil {
		return err
	}
	t := &target{o: o, client: client}
	for i := 0; i < o.Instances; i++ {
		uid := fmt.Sprintf("%s.%d", o.Prefix, i+1)
		id := ids{uid, uid + ".1", uid + ".1.1"}
		ct, b := multipartOf(build(id))
		if st, err := t.do(ctx, http.MethodPost, "/studies", "application/dicom+json", b, ct); err != nil || st != http.StatusOK {
			return fmt.Errorf("seeding instance %d: %d %v", i+1, st, err)
		}
		t.files = append(t.files, id)
	}
	fmt.Fprintf(out, "%-18s %10s %10s %10s %10s\n", "operation", "req/s", "p50", "p99", "errors")
	for _, op := range o.Ops {
		m, p, a, b, ct := t.request(op, 0)
		if st, err := t.do(ctx, m, p, a, b, ct); err != nil || st != http.StatusOK {
			return fmt.Errorf("%s: %d %v", op, st, err)
		}
		stats := loadgen.NewStats()
		rctx, cancel := context.WithTimeout(ctx, o.Duration)
		start := time.Now()
		var wg sync.WaitGroup
		for c := 0; c < o.Clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for n := c; rctx.Err() == nil; n += o.Clients {
					m, p, a, b, ct := t.request(op, n)
					began := time.Now()
					st, err := t.do(rctx, m, p, a, b, ct)
					if rctx.Err() != nil {
						return // cut off by the deadline: not counted
					}
					detail := ""
					if err != nil {
						detail = err.Error()
					}
					stats.Record(op, time.Since(began), st, st == http.StatusOK, detail)
				}
			}(c)
		}
		wg.Wait()
		cancel()
		elapsed := time.Since(start)
		rows, _ := stats.Summaries(func(_ string, st int) bool { return st == http.StatusOK })
		for _, r := range rows {
			fmt.Fprintf(out, "%-18s %10.0f %10s %10s %10d\n", r.Op, float64(r.Count)/elapsed.Seconds(),
				r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Unexpected)
			if len(r.Failures) > 0 {
				fmt.Fprintf(out, "  first unexpected: %s\n", strings.Join(r.Failures, "; "))
			}
		}
	}
	return nil
}
