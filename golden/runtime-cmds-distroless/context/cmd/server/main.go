// go-runtime-cmds: a clock service on :8095 that needs, at run time, the zone
// database (time.LoadLocation), the system CA bundle (x509.SystemCertPool, as an
// outbound TLS client would load it) and a non-root user. It exits at start-up
// when either is missing, so a runtime image that drops them fails the check.
// GET / -> "clockwork: Asia/Tokyo=+09:00 America/New_York=-05:00 certs=ok(N) uid=U"
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func offset(loc *time.Location) string {
	_, off := time.Date(2024, time.January, 15, 12, 0, 0, 0, loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("%s%02d:%02d", sign, off/3600, off%3600/60)
}

func main() {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		log.Fatalf("zone data: %v", err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		log.Fatalf("zone data: %v", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || len(pool.Subjects()) == 0 { //nolint:staticcheck // a count is all we need
		log.Fatalf("no system CA certificates: %v", err)
	}
	// what an outbound HTTPS client of this service is configured with
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	_ = client
	body := fmt.Sprintf("clockwork: Asia/Tokyo=%s America/New_York=%s certs=ok(%d) uid=%d\n",
		offset(tokyo), offset(newYork), len(pool.Subjects()), os.Getuid()) //nolint:staticcheck
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
	http.HandleFunc("/now", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, time.Now().In(tokyo).Format(time.RFC3339))
	})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}()
	log.Print(body)
	log.Fatal(http.ListenAndServe(":8095", nil))
}
