// tz-service: loads Europe/Berlin at run time with time.LoadLocation and answers
// with its UTC offsets on :8092. If the zone cannot be loaded (no tzdata in the
// image, no $ZONEINFO, not built with -tags timetzdata) it exits 1 at start-up:
//
//	tz-service: cannot load Europe/Berlin: unknown time zone Europe/Berlin
//
// GET / -> "Europe/Berlin winter=+01:00 summer=+02:00\n"
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func offset(loc *time.Location, t time.Time) string {
	_, off := t.In(loc).Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d:%02d", sign, off/3600, off%3600/60)
}

func main() {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		fmt.Fprintf(os.Stderr, "tz-service: cannot load Europe/Berlin: %v\n", err)
		os.Exit(1)
	}
	winter := time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2024, 7, 15, 12, 0, 0, 0, time.UTC)
	body := fmt.Sprintf("Europe/Berlin winter=%s summer=%s\n", offset(loc, winter), offset(loc, summer))
	fmt.Print(body)
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, body)
	})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}()
	log.Println("tz-service listening on :8092")
	log.Fatal(http.ListenAndServe(":8092", nil))
}
