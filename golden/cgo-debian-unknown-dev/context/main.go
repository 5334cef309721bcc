// go-cgo-debian: an HTTP service on :8093 that asks the C library about itself
// through cgo. GET / -> "cgo-libc: glibc 2.36 uname=Linux pid=1". It uses glibc's
// own gnu_get_libc_version(), so it does not even compile against musl, cannot be
// built with CGO_ENABLED=0, and the binary needs glibc (libc.so.6 and the
// /lib64/ld-linux-x86-64.so.2 loader) at run time: no scratch, no alpine.
package main

/*
#include <gnu/libc-version.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *sysname(void) {
	static struct utsname u;
	if (uname(&u) != 0) return "?";
	return u.sysname;
}
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
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "cgo-libc: glibc %s uname=%s pid=%d\n",
			C.GoString(C.gnu_get_libc_version()), C.GoString(C.sysname()), int(C.getpid()))
	})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}()
	log.Println("go-cgo-debian listening on :8093")
	log.Fatal(http.ListenAndServe(":8093", nil))
}
