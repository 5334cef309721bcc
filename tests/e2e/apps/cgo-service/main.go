// cgo-service: calls C through cgo and serves the result over HTTP on :8090.
// GET / -> "cgo: add(2,3)=5 from C\n". It cannot be built with CGO_ENABLED=0
// ("build constraints exclude all Go files"), and the binary is dynamically
// linked against the C library, so it cannot run FROM scratch.
package main

/*
#include <stdio.h>

static int add(int a, int b) { return a + b; }
static const char *origin(void) { return "C"; }
*/
import "C"

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	msg := fmt.Sprintf("cgo: add(2,3)=%d from %s\n", int(C.add(2, 3)), C.GoString(C.origin()))
	fmt.Print(msg)
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, msg)
	})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}()
	log.Println("cgo-service listening on :8090")
	log.Fatal(http.ListenAndServe(":8090", nil))
}
