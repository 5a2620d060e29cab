// Command connectproxy is an HTTPS proxy for tests that sends the real Azure host names to the
// mock: every CONNECT to an allowed host:443 is tunnelled to --to (mockgraph serve, started with
// --tls-name for each host). Tools that honour HTTPS_PROXY — the Azure CLI, MSAL for Python — then
// run unchanged against the mock, in their default cloud, with no hosts-file edit.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	to := flag.String("to", "", "host:port of the mock")
	hosts := flag.String("hosts", "login.microsoftonline.com,management.azure.com,graph.microsoft.com", "host names tunnelled to the mock")
	addrFile := flag.String("addr-file", "", "write the proxy's URL here once it listens")
	flag.Parse()
	allowed := strings.Split(*hosts, ",")
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(url+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(url)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, port, err := net.SplitHostPort(r.Host)
		if r.Method != http.MethodConnect || err != nil || port != "443" || !slices.Contains(allowed, host) {
			http.Error(w, "connectproxy: only CONNECT to "+strings.Join(allowed, ", ")+" on 443", http.StatusForbidden)
			return
		}
		upstream, err := net.DialTimeout("tcp", *to, 5*time.Second)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		done := make(chan struct{}, 2)
		// Each direction half-closes when its source ends, so both sides see EOF.
		go func() { io.Copy(upstream, buf.Reader); upstream.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
		go func() { io.Copy(conn, upstream); conn.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
		<-done
		<-done
		conn.Close()
		upstream.Close()
	})}
	log.Fatal(srv.Serve(ln))
}
